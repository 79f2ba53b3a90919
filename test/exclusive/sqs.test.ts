/**
 * The exclusive-jobs scenarios (scenario.ts) on the SQS emulator (fauxqs, a standard queue,
 * the real @aws-sdk/client-sqs), worker processes each with its own client, the memory
 * idempotency store as the lock. A waiting job is sent again with a delay, and SQS delays are
 * whole seconds: each wait is a second. EXCLUSIVE_JOBS_PER_KEY overrides the 10 jobs per key.
 */
import { describe, it } from 'vitest';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { sqsTransport } from '../patterns/transports.ts';
import { runBadKeyScenario, runCrashedHolderScenario, runLedgerScenario } from './scenario.ts';

const PER_KEY = Number(process.env.EXCLUSIVE_JOBS_PER_KEY ?? 10);

describe('exclusive jobs on the SQS emulator', () => {
  it(`never runs two jobs with one key at once: ${PER_KEY * 3} jobs on 3 keys, 3 workers of 4 slots; every job runs once`, async () => {
    const transport = await sqsTransport('exclusive', 1_000);
    try {
      await runLedgerScenario({ transport, store: createMemoryIdempotencyStore(), keys: 3, jobsPerKey: PER_KEY, workers: 3, slots: 4, holdMs: (n) => 20 + (n % 5) * 10, retryDelayMs: 200, withinMs: 30_000 + PER_KEY * 3_000 });
    } finally {
      await transport.close();
    }
  }, 60_000 + PER_KEY * 4_000);

  it("a holder whose worker died frees the key when its lease ends; the waiting job and the dead worker's job then run", async () => {
    const transport = await sqsTransport('exclusive-crash', 1_000);
    try {
      await runCrashedHolderScenario({ transport, store: createMemoryIdempotencyStore(), timeoutMs: 500, leaseMarginMs: 200, retryDelayMs: 200 });
    } finally {
      await transport.close();
    }
  }, 30_000);

  it('a key function that throws buries the job (in the dead-letter queue) with exclusive-key-invalid', async () => {
    const transport = await sqsTransport('exclusive-bad', 1_000);
    try {
      await runBadKeyScenario(transport, createMemoryIdempotencyStore());
    } finally {
      await transport.close();
    }
  });
});
