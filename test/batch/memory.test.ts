/**
 * A batch of 10,000 jobs on the memory transport through the pull worker, with injected
 * failures, poison, exhausted attempts, lost acks and duplicate deliveries: the store's
 * counters equal the ledger exactly, and the finished job runs once with them.
 * BATCH_SIZE overrides the size (the full runs use 10,000 on every adapter).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';
import { batchIndex, drained, expectedCounts, faultyTransport, ledgerCounts, scenarioJobs, within } from './scenario.ts';

const SIZE = Number(process.env.BATCH_SIZE ?? 10_000);

describe('batch of 10,000 on memory', () => {
  it(`counts ${SIZE} jobs exactly through retries, poison, lost acks and duplicates; finished runs once`, async () => {
    const s = scenarioJobs();
    const base = createMemoryService({ queue: 'migrations' });
    const batchId = 'migration-1';
    const service = faultyTransport(base, batchIndex(batchId));
    const queue = createQueue({ service, jobs: s.jobs });
    const sent = await queue.batch(s.item, Array.from({ length: SIZE }, (_, i) => ({ i })), {
      id: batchId,
      prefetch: async () => ({ mapping: { old: 'new' } }),
      metadata: { table: 'customers' },
      finished: s.done,
    });
    expect(sent).toMatchObject({ id: batchId, total: SIZE, sent: SIZE, failed: [], created: true });
    const worker = createWorker({ service, jobs: s.jobs, concurrency: 64, batchSize: 64, leaseMs: 400, waitMs: 50, handleSignals: false });

    await worker.start();
    const summary = await within(s.finished.promise, 60_000, () => ({ counts: worker.counts, ledger: s.ledger.length }));
    // Late copies (lost acks coming back, duplicates) may still be queued: they must change nothing.
    await within(drained(base), 20_000, () => worker.counts);
    await worker.stop();

    const expected = expectedCounts(SIZE);
    const progress = await s.store.progress(batchId);
    const ledger = ledgerCounts(s.ledger, SIZE);
    expect({ completed: progress?.completed, failed: progress?.failed, buried: progress?.buried, cancelled: progress?.cancelled, done: progress?.done }).toEqual({ ...expected, cancelled: 0, done: SIZE });
    expect({ completed: ledger.completed, failed: ledger.failed, buried: ledger.buried }).toEqual(expected);
    expect(summary).toMatchObject({ batchId, job: 'migrate-item', total: SIZE, ...expected, cancelled: 0, wasCancelled: false, metadata: { table: 'customers' } });
    expect(s.summaries).toHaveLength(1);
    expect(service.dropped).toBeGreaterThan(0);
    expect(service.duplicated).toBeGreaterThan(0);
    // Duplicated sends ran twice (attempt 1 each) yet counted once; lost acks never ran twice.
    expect(ledger.doubleRuns).toBeGreaterThan(0);
    console.log(`memory batch: ${SIZE} jobs, ${ledger.runs} handler runs, ${service.dropped} acks dropped, ${service.duplicated} duplicates, counts ${JSON.stringify(expected)}`);
  }, 90_000);
});
