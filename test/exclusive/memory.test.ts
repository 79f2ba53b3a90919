/**
 * The exclusive-jobs scenarios (scenario.ts) on the memory transport, with the memory
 * idempotency store as the lock: 90 jobs on 3 keys across 3 workers of 8 slots, a holder whose
 * worker dies mid-job, a key function that throws.
 */
import { describe, it } from 'vitest';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { memoryTransport } from '../patterns/transports.ts';
import { runBadKeyScenario, runCrashedHolderScenario, runLedgerScenario } from './scenario.ts';

describe('exclusive jobs on memory', () => {
  it('never runs two jobs with one key at once across 3 workers of 8 slots; every job runs once', async () => {
    await runLedgerScenario({ transport: memoryTransport(1_000), store: createMemoryIdempotencyStore(), keys: 3, jobsPerKey: 30, workers: 3, slots: 8, holdMs: (n) => 2 + (n % 5), retryDelayMs: 5, withinMs: 30_000 });
  });

  it('a holder whose worker died frees the key when its lease ends; the waiting job and the dead worker\'s job then run', async () => {
    await runCrashedHolderScenario({ transport: memoryTransport(500), store: createMemoryIdempotencyStore(), timeoutMs: 300, leaseMarginMs: 100, retryDelayMs: 20 });
  });

  it('a key function that throws buries the job with exclusive-key-invalid', async () => {
    await runBadKeyScenario(memoryTransport(1_000), createMemoryIdempotencyStore());
  });
});
