/**
 * Shortened kill harness (CI): 300 jobs, worker children SIGKILLed every ~200 ms (5 kills) and
 * respawned, idempotency on (the DynamoDB store on dynalite, shared by every child). Nothing
 * may be lost and no side effect may happen twice, except after a kill between the effect and
 * the store's record of the completion. At most once (ifAbandoned: 'bury'), not even then: a job
 * whose run was killed holding its claim is buried in doubt, and settled as an operator would
 * (forget its key and kick it when the ledger shows no effect). The full run (10,000 jobs, 30+
 * kills, idempotency at least once, at most once and off) is `npm run reliability`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator, type SqsEmulator } from '../../adapters/sqs/emulator.ts';
import { startIdempotencyBackend, type IdempotencyBackend } from './harness/dynalite.ts';
import { startCloudTasksBackend, type CloudTasksBackend } from './harness/rigs/cloud-tasks-rig.ts';
import { describeKill, killCloudTasks, killLambda, killSqsPull, } from './suites/kill.ts';
import type { KillFigures } from './harness/kill-harness.ts';

let sqs: SqsEmulator;
let cloudTasks: CloudTasksBackend;
let store: IdempotencyBackend;
beforeAll(async () => {
  [sqs, cloudTasks, store] = await Promise.all([startSqsEmulator(), startCloudTasksBackend(), startIdempotencyBackend()]);
});
afterAll(async () => {
  await Promise.all([sqs?.stop(), cloudTasks?.close(), store?.close()]);
});

function expectNothingLostNothingTwice(r: KillFigures) {
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
// The two modes one after the other (each in a plain describe): six fleets at once on 2 cores
// starve the test files that run beside this one.
describe('at least once', () => {
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
});

/** Nothing lost, no side effect twice (not even in the crash window), every job in doubt settled. */
function expectAtMostOnceFigures(r: KillFigures) {
  const why = describeKill(r);
  expect(r.kills, why).toBeGreaterThanOrEqual(r.minKills);
  expect(r.lost, why).toBe(0);
  expect(r.duplicateEffects, why).toBe(0);
  expect(r.inDoubt, why).toBeDefined();
  // Those that had their effect were left alone, and the kick buried each of them again.
  expect(r.inDoubt!.reburied, why).toBe(r.inDoubt!.hadEffect);
  expect(r.doubleAcks, why).toBe(0);
  expect(r.unhandled, why).toBe(0);
  expect(r.settled, why).toBe(true);
}

/**
 * A kill lands wherever it lands: with 5 kills a run sometimes leaves no claim behind (a worker
 * killed between jobs, or after its jobs completed). Such a run proves nothing about at most once,
 * so it is run again, up to 3 times; every run must still hold the figures.
 */
async function expectAtMostOnce(run: () => Promise<KillFigures>): Promise<void> {
  const inDoubt: number[] = [];
  for (let round = 1; round <= 3 && !inDoubt.some((n) => n > 0); round++) {
    const r = await run();
    console.log(`at most once, run ${round}: ${describeKill(r)}`);
    expectAtMostOnceFigures(r);
    inDoubt.push(r.inDoubt!.jobs);
  }
  // The kills did leave claims behind, and they were settled: not a run that proves nothing.
  expect(Math.max(...inDoubt), `jobs in doubt per run: ${inDoubt.join(', ')}`).toBeGreaterThan(0);
}

describe('at most once', () => {
  describe.concurrent("kill harness (shortened, at most once: ifAbandoned 'bury')", () => {
    const bury = async () => ({ ...(await store.table()), ifAbandoned: 'bury' as const });

    it('sqs pull workers', { timeout: 240_000 }, async () => {
      await expectAtMostOnce(async () => killSqsPull(sqs, 'ci', { idempotency: await bury() }));
    });

    it('cloud-tasks pull workers (v2beta2 leases)', { timeout: 240_000 }, async () => {
      await expectAtMostOnce(async () => killCloudTasks(cloudTasks, 'ci', { idempotency: await bury() }));
    });

    // On the Lambda path 5 kills mostly land between invocations or after a batch's records
    // completed (seen: no job in doubt in 3 runs out of 3, run alone, half the time), so this run
    // checks the figures and that invocations crashed, and prints the jobs in doubt; the full run
    // (100 kills: 122 jobs in doubt, test/reliability/README.md) is the Lambda path's evidence.
    it('lambda push (runtimes killed mid-batch)', { timeout: 90_000 }, async () => {
      const r = await killLambda(sqs, 'ci', { idempotency: await bury() });
      console.log(`at most once: ${describeKill(r)}`);
      expectAtMostOnceFigures(r);
      expect(r.crashedInvocations, describeKill(r)).toBeGreaterThan(0);
    });
  });
});
