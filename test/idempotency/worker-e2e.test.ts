/**
 * End to end on the memory transport: producer -> queue -> pull worker -> pipeline -> store.
 * Five copies of one charge (a producer that retried, at-least-once redeliveries) run the
 * handler once; every copy leaves the queue, none is buried.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';
import { chargeJob, deferred, watchedLogger } from './helpers.ts';

describe('idempotency end to end (memory transport, pull worker)', () => {
  it('five copies of one charge, run by four slots at once: one charge, five completions, nothing buried', async () => {
    const store = createMemoryIdempotencyStore();
    const gate = deferred();
    const { job, runs } = chargeJob({
      store,
      job: { timeoutMs: 500 },
      idempotency: { claimMarginMs: 0 },
      handler: async (p) => {
        await gate.promise;
        return { charged: p.amountCents };
      },
    });
    const service = createMemoryService();
    const logger = watchedLogger();
    const worker = createWorker({ service, jobs: [job], concurrency: 4, waitMs: 50, handleSignals: false, logger });
    const queue = createQueue({ service, jobs: [job] });
    for (let i = 0; i < 5; i++) await queue.enqueue(job, { orderId: 'o-1', amountCents: 1999 });

    await worker.start();
    // Every copy but the running one is deferred (each hop is logged) before the gate opens.
    await logger.waitFor(() => logger.count('job.deferred') >= 3);
    gate.resolve();
    await logger.waitFor(() => logger.count('job.completed') + logger.count('job.duplicate') === 5);
    // A stop lets in-flight jobs apply their outcome (the lines above are logged just before).
    await worker.stop();
    const stats = await service.stats();

    expect(runs).toHaveLength(1);
    expect(logger.count('job.duplicate')).toBe(4);
    expect(stats).toMatchObject({ ready: 0, delayed: 0, reserved: 0, buried: 0 });
  });
});

