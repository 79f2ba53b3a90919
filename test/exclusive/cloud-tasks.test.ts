/**
 * The exclusive-jobs scenarios (scenario.ts) on the Cloud Tasks emulator, pull queues (v2beta2
 * leases) through the real @google-cloud/tasks client, worker processes each with its own
 * client, the memory idempotency store as the lock. A waiting job is a new task scheduled a
 * few ms later, so waits are short here.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { startEmulatorRig, type EmulatorRig } from '../cloud-tasks/helpers/emulator.ts';
import { cloudTasksTransport } from '../patterns/transports.ts';
import { runBadKeyScenario, runCrashedHolderScenario, runLedgerScenario } from './scenario.ts';

const PER_KEY = Number(process.env.EXCLUSIVE_JOBS_PER_KEY ?? 20);
let rig: EmulatorRig;
beforeAll(async () => void (rig = await startEmulatorRig()));
afterAll(() => rig?.close());

describe('exclusive jobs on the Cloud Tasks emulator', () => {
  it(`never runs two jobs with one key at once: ${PER_KEY * 3} jobs on 3 keys, 3 workers of 8 slots; every job runs once`, async () => {
    await runLedgerScenario({ transport: await cloudTasksTransport(rig, 1_000), store: createMemoryIdempotencyStore(), keys: 3, jobsPerKey: PER_KEY, workers: 3, slots: 8, holdMs: (n) => 2 + (n % 5), retryDelayMs: 20, withinMs: 30_000 + PER_KEY * 500 });
  }, 60_000 + PER_KEY * 1_000);

  it("a holder whose worker died frees the key when its lease ends; the waiting job and the dead worker's job then run", async () => {
    await runCrashedHolderScenario({ transport: await cloudTasksTransport(rig, 1_000), store: createMemoryIdempotencyStore(), timeoutMs: 500, leaseMarginMs: 200, retryDelayMs: 50 });
  }, 30_000);

  it('a key function that throws buries the job (in the dead-letter queue) with exclusive-key-invalid', async () => {
    await runBadKeyScenario(await cloudTasksTransport(rig, 1_000), createMemoryIdempotencyStore());
  });
});
