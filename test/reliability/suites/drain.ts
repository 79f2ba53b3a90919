/** Graceful drain on each pull transport: memory (the queue in the worker's process), sqs, cloud-tasks pull. */
import type { SqsEmulator } from '../../../adapters/sqs/emulator.ts';
import { spawnChild } from '../harness/child.ts';
import type { PullChildConfig, WorkerSettings } from '../harness/child-config.ts';
import { runDrain, type DrainFigures, type DrainRig } from '../harness/drain.ts';
import { jobIdOf, spread, type LedgerJobOptions } from '../harness/jobs.ts';
import type { KillRig } from '../harness/kill-harness.ts';
import type { QueueRigBase } from '../harness/rigs/queue-rig.ts';
import { cloudTasksPullRig, cloudTasksQueueRig, type CloudTasksBackend } from '../harness/rigs/cloud-tasks-rig.ts';
import { sqsPullRig, sqsQueueRig } from '../harness/rigs/sqs-rig.ts';
import { scratchDir } from '../harness/tmp.ts';
import { DRAIN, type DrainSettings, type Profile } from './profile.ts';

const JOB = { timeoutMs: 60_000, ttrSeconds: 90, maxAttempts: 10 };

export async function drainMemory(profile: Profile): Promise<DrainFigures> {
  const s = DRAIN[profile];
  const dir = scratchDir('drain-memory');
  const rig: DrainRig = {
    name: 'memory',
    ledgerDir: dir.path,
    jobIds: Array.from({ length: s.jobs }, (_, n) => jobIdOf(n)),
    queueDiesWithWorker: true,
    prepare: async () => {},
    spawnWorker(label, worker) {
      const config: PullChildConfig = { label, ledgerDir: dir.path, transport: { kind: 'memory', queue: 'drain', seed: { count: s.jobs, workMs: s.workMs } }, worker, job: JOB };
      return spawnChild({ entry: 'workers/pull-worker.ts', label, config });
    },
    buried: async () => [],
    close: async () => dir.remove(),
  };
  return runDrain(rig, s);
}

export async function drainSqs(sqs: SqsEmulator, profile: Profile): Promise<DrainFigures> {
  const queue = await sqsQueueRig(sqs, 'drain-sqs', 30);
  return drainOnQueue('sqs', 'drain-sqs', queue, DRAIN[profile], (options) => sqsPullRig(queue, options));
}

export async function drainCloudTasks(backend: CloudTasksBackend, profile: Profile): Promise<DrainFigures> {
  const queue = await cloudTasksQueueRig(backend, 'drain');
  return drainOnQueue('cloud-tasks pull', 'drain-cloud-tasks', queue, DRAIN[profile], (options) => cloudTasksPullRig(queue, options));
}

/** A drain on a queue that outlives its workers (SQS, Cloud Tasks): the same jobs, 30 s leases. */
function drainOnQueue(
  name: string,
  prefix: string,
  queue: QueueRigBase,
  s: DrainSettings,
  pullRig: (options: { ledgerDir: string; worker: WorkerSettings; job: LedgerJobOptions }) => Pick<KillRig, 'spawnWorker'>,
): Promise<DrainFigures> {
  const dir = scratchDir(prefix);
  const jobIds = Array.from({ length: s.jobs }, (_, n) => jobIdOf(n));
  const rig: DrainRig = {
    name,
    ledgerDir: dir.path,
    jobIds,
    queueDiesWithWorker: false,
    prepare: () => queue.enqueue(jobIds.map((id, n) => ({ id, payload: { n, workMs: spread(n, s.workMs[0], s.workMs[1]) } }))),
    spawnWorker: (label, worker) => pullRig({ ledgerDir: dir.path, worker: { ...worker, leaseMs: 30_000 }, job: JOB }).spawnWorker(label),
    buried: () => queue.buried(),
    close: async () => {
      await queue.close();
      dir.remove();
    },
  };
  return runDrain(rig, s);
}

export function describeDrain(d: DrainFigures): string {
  return `${d.transport}: in flight ${d.inFlightAtSignal}, finished ${d.finished}, released ${d.released}, unaccounted ${d.unaccounted}, reserves after signal ${d.reservesAfterSignal}, exit ${d.exitMs} ms (code ${d.exitCode}, grace ${d.shutdownGraceMs}), lost ${d.lost} ${d.lostIds.join(',')}, unhandled ${d.unhandled}`;
}
