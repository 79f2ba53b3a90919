/**
 * The kill harness on each transport: sqs (pull workers), lambda push (the wrapper in runtime
 * children behind the event source mapping), cloud-tasks pull (v2beta2 leases).
 */
import type { SqsEmulator } from '../../../adapters/sqs/emulator.ts';
import type { IdempotencyConfig } from '../harness/child-config.ts';
import type { DynamoDbIdempotencyStore } from '../../../adapters/dynamodb/index.ts';
import { openStore } from '../harness/idempotency.ts';
import { runKillHarness, type KillFigures, type KillRig } from '../harness/kill-harness.ts';
import { cloudTasksPullRig, cloudTasksQueueRig, type CloudTasksBackend } from '../harness/rigs/cloud-tasks-rig.ts';
import { lambdaRig } from '../harness/rigs/lambda-rig.ts';
import { sqsPullRig, sqsQueueRig } from '../harness/rigs/sqs-rig.ts';
import { scratchDir } from '../harness/tmp.ts';
import { KILL, type Profile } from './profile.ts';

export interface KillRunOptions {
  idempotency?: IdempotencyConfig;
  progress?: (line: string) => void;
}

const JOB = (leaseMs: number) => ({ timeoutMs: Math.max(500, leaseMs - 1_000), maxAttempts: 100 });

export async function killSqsPull(sqs: SqsEmulator, profile: Profile, options: KillRunOptions = {}): Promise<KillFigures> {
  const s = KILL[profile];
  const queue = await sqsQueueRig(sqs, 'kill-sqs', Math.ceil(s.leaseMs / 1000));
  const dir = scratchDir('kill-sqs');
  const rig = sqsPullRig(queue, { ledgerDir: dir.path, worker: { concurrency: s.concurrency, leaseMs: s.leaseMs, waitMs: 1_000, batchSize: 10 }, job: JOB(s.leaseMs), idempotency: options.idempotency });
  return run(rig, profile, options, dir);
}

export async function killCloudTasks(backend: CloudTasksBackend, profile: Profile, options: KillRunOptions = {}): Promise<KillFigures> {
  const s = KILL[profile];
  const queue = await cloudTasksQueueRig(backend, 'kill');
  const dir = scratchDir('kill-cloud-tasks');
  const rig = cloudTasksPullRig(queue, { ledgerDir: dir.path, worker: { concurrency: s.concurrency, leaseMs: s.leaseMs, waitMs: 1_000, batchSize: 10 }, job: JOB(s.leaseMs), idempotency: options.idempotency });
  return run(rig, profile, options, dir);
}

export async function killLambda(sqs: SqsEmulator, profile: Profile, options: KillRunOptions = {}): Promise<KillFigures & { invocations: number; crashedInvocations: number }> {
  const s = KILL[profile];
  // The queue's visibility timeout is the Lambda path's lease.
  const queue = await sqsQueueRig(sqs, 'kill-lambda', Math.ceil(s.leaseMs / 1000));
  const dir = scratchDir('kill-lambda');
  const rig = lambdaRig(queue, { ledgerDir: dir.path, concurrency: s.workers, job: JOB(s.leaseMs), idempotency: options.idempotency });
  const result = await run(rig, profile, options, dir);
  const { total, crashed } = rig.invocations();
  return { ...result, invocations: total, crashedInvocations: crashed };
}

export async function run(rig: KillRig, profile: Profile, options: KillRunOptions, dir: { remove(): void }): Promise<KillFigures> {
  let operator: DynamoDbIdempotencyStore | undefined;
  try {
    // At most once: the parent settles the jobs in doubt through the same store the children use.
    if (options.idempotency?.ifAbandoned === 'bury') operator = await openStore(options.idempotency);
    return await runKillHarness(rig, { ...KILL[profile], progress: options.progress, idempotency: options.idempotency !== undefined, settleInDoubt: operator });
  } finally {
    await operator?.close?.();
    await rig.close().catch(() => {});
    dir.remove();
  }
}

/** One line for a failed assertion: what the figures were. */
export function describeKill(r: KillFigures): string {
  const doubt = r.inDoubt ? `, in doubt ${r.inDoubt.jobs} (${r.inDoubt.hadEffect} had their effect, ${r.inDoubt.reburied} of them buried again by the kick; ${r.inDoubt.rerun} forgotten and run)` : '';
  return `${r.transport}: ${r.jobs} jobs, ${r.kills} kills, lost ${r.lost} ${r.lostIds.join(',')}, duplicates ${r.duplicateEffects} (${r.duplicatesInCrashWindow} in the crash window, ${r.duplicatesOutsideCrashWindow} outside; ${r.duplicatesApplied} applied by a downstream that honours ctx.idempotencyKey), redeliveries ${r.redeliveries}, buried ${JSON.stringify(r.buriedReasons)}${doubt}, unhandled ${r.unhandled} ${r.unhandledSamples.join(' | ')}, settled ${r.settled}`;
}
