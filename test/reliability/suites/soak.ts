/** Soaks of empty polls on each pull transport: memory, sqs (1 s long polls), cloud-tasks pull (LeaseTasks every 200 ms). */
import type { SqsEmulator } from '../../../adapters/sqs/emulator.ts';
import { spawnChild } from '../harness/child.ts';
import type { PullChildConfig, TransportConfig } from '../harness/child-config.ts';
import { cloudTasksQueueRig, LOCATION, PROJECT, type CloudTasksBackend } from '../harness/rigs/cloud-tasks-rig.ts';
import { sqsQueueRig } from '../harness/rigs/sqs-rig.ts';
import { runSoak, type SoakFigures, type SoakRig } from '../harness/soak.ts';
import { scratchDir } from '../harness/tmp.ts';
import type { SoakSettings } from './profile.ts';

const WORKER = { concurrency: 4, leaseMs: 30_000, waitMs: 1_000, shutdownGraceMs: 5_000 };

function soakRig(name: string, transport: TransportConfig, cleanup: () => Promise<void>): SoakRig {
  const dir = scratchDir(`soak-${name}`);
  return {
    name,
    ledgerDir: dir.path,
    spawnWorker(label, sampleMs) {
      const config: PullChildConfig = { label, ledgerDir: dir.path, transport, worker: WORKER, heapSampleMs: sampleMs };
      return spawnChild({ entry: 'workers/pull-worker.ts', label, config, execArgv: ['--expose-gc'] });
    },
    async close() {
      await cleanup();
      dir.remove();
    },
  };
}

export function soakMemory(settings: SoakSettings): Promise<SoakFigures> {
  return runSoak(soakRig('memory', { kind: 'memory', queue: 'soak' }, async () => {}), settings);
}

export async function soakSqs(sqs: SqsEmulator, settings: SoakSettings): Promise<SoakFigures> {
  const queue = await sqsQueueRig(sqs, 'soak', 30);
  const transport: TransportConfig = { kind: 'sqs', endpoint: sqs.endpoint, region: sqs.region, queueUrl: queue.queue.queueUrl, deadLetterQueueUrl: queue.queue.deadLetterQueueUrl, waitTimeSeconds: 1 };
  return runSoak(soakRig('sqs', transport, () => queue.close()), settings);
}

export async function soakCloudTasks(backend: CloudTasksBackend, settings: SoakSettings): Promise<SoakFigures> {
  const queue = await cloudTasksQueueRig(backend, 'soak');
  const transport: TransportConfig = { kind: 'cloud-tasks', endpoint: backend.emulator.grpcEndpoint, project: PROJECT, location: LOCATION, queueId: queue.queueId, deadLetterQueueId: queue.deadLetterQueueId, pollIntervalMs: 200 };
  return runSoak(soakRig('cloud-tasks pull', transport, () => queue.close()), settings);
}

export function describeSoak(s: SoakFigures): string {
  return `${s.transport}: ${Math.round(s.durationMs / 1000)} s, ${s.polls} empty polls, ${s.samples} samples (${s.samplesInSlope} after warm-up), heap ${s.heapStartMb} -> ${s.heapEndMb} MB, slope ${s.slopeMbPerHour} MB/h (rss ${s.rssSlopeMbPerHour} MB/h), limit ${s.limitMbPerHour} MB/h, unhandled ${s.unhandled}`;
}
