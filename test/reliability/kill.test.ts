/**
 * Shortened kill harness (CI): 300 jobs, worker children SIGKILLed every ~200 ms (5 kills) and
 * respawned, idempotency on (the DynamoDB store on dynalite, shared by every child). Nothing
 * may be lost and no side effect may happen twice, except after a kill between the effect and
 * the store's record of the completion. The full run (10,000 jobs, 30+ kills,
 * idempotency on and off) is `npm run reliability`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator, type SqsEmulator } from '../../adapters/sqs/emulator.ts';
import { startIdempotencyBackend, type IdempotencyBackend } from './harness/dynalite.ts';
import { startCloudTasksBackend, type CloudTasksBackend } from './harness/rigs/cloud-tasks-rig.ts';
import { describeKill, killCloudTasks, killLambda, killSqsPull, type KillResult } from './suites/kill.ts';

let sqs: SqsEmulator;
let cloudTasks: CloudTasksBackend;
let store: IdempotencyBackend;
beforeAll(async () => {
  [sqs, cloudTasks, store] = await Promise.all([startSqsEmulator(), startCloudTasksBackend(), startIdempotencyBackend()]);
});
afterAll(async () => {
  await Promise.all([sqs?.stop(), cloudTasks?.close(), store?.close()]);
});

function expectNothingLostNothingTwice(r: KillResult) {
  const why = describeKill(r);
  expect(r.kills, why).toBeGreaterThanOrEqual(r.minKills);
  expect(r.lost, why).toBe(0);
  // A run SIGKILLed between its side effect and the store's record of its completion runs again:
  // the window src/idempotency/README.md says idempotency cannot close (the side effect itself
  // must be idempotent for that). Every other duplicate is a failure.
  expect(r.duplicatesOutsideCrashWindow, why).toBe(0);
  // Those in the window carry the run's ctx.idempotencyKey: a system that honours the key (as
  // payment providers do) applies none of them twice.
  expect(r.duplicatesApplied, why).toBe(0);
  expect(r.doubleAcks, why).toBe(0);
  expect(r.unhandled, why).toBe(0);
  expect(r.settled, why).toBe(true);
}

// Side by side: each run has its own queue, fleet and ledger; 5 kills each keep the CPU load short.
describe.concurrent('kill harness (shortened, idempotency on)', () => {
  it('sqs pull workers', { timeout: 90_000 }, async () => {
    const r = await killSqsPull(sqs, 'ci', { idempotency: await store.table() });

    expectNothingLostNothingTwice(r);
    expect(r.redeliveries, describeKill(r)).toBeGreaterThan(0); // the kills did interrupt work
  });

  it('cloud-tasks pull workers (v2beta2 leases)', { timeout: 90_000 }, async () => {
    const r = await killCloudTasks(cloudTasks, 'ci', { idempotency: await store.table() });

    expectNothingLostNothingTwice(r);
    expect(r.redeliveries, describeKill(r)).toBeGreaterThan(0);
  });

  it('lambda push (runtimes killed mid-batch)', { timeout: 90_000 }, async () => {
    const r = await killLambda(sqs, 'ci', { idempotency: await store.table() });

    expectNothingLostNothingTwice(r);
    expect(r.crashedInvocations, describeKill(r)).toBeGreaterThan(0);
  });
});
