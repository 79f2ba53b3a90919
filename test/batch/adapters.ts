/**
 * The batch scenario on a real transport: produce through queue.batch, run pull workers, wait
 * for the finished job and for late copies to drain, then compare counts, ledger and summary.
 */
import { expect } from 'vitest';
import { createQueue } from '../../src/queue.ts';
import type { JobService } from '../../src/service.ts';
import { createWorker, type WorkerOptions } from '../../src/worker.ts';
import { batchIndex, drained, expectedCounts, faultyTransport, ledgerCounts, scenarioJobs, within } from './scenario.ts';

export interface AdapterScenarioOptions {
  service: JobService;
  size: number;
  workers: number;
  worker: Partial<WorkerOptions>;
  timeoutMs: number;
  label: string;
}

export async function runAdapterScenario(o: AdapterScenarioOptions): Promise<void> {
  const s = scenarioJobs();
  const batchId = `${o.label}-${Date.now()}`;
  const service = faultyTransport(o.service, batchIndex(batchId));
  const started = Date.now();
  const sent = await createQueue({ service, jobs: s.jobs }).batch(s.item, Array.from({ length: o.size }, (_, i) => ({ i })), {
    id: batchId,
    prefetch: () => ({ cutoff: '2024-01-01' }),
    finished: s.done,
  });
  expect(sent).toMatchObject({ total: o.size, sent: o.size, failed: [] });
  const workers = Array.from({ length: o.workers }, () => createWorker({ service, jobs: s.jobs, handleSignals: false, ...o.worker }));

  await Promise.all(workers.map((w) => w.start()));
  try {
    await within(s.finished.promise, o.timeoutMs, async () => ({ ledger: s.ledger.length, counts: workers.map((w) => w.counts) }));
    await within(drained(o.service), 30_000, () => workers.map((w) => w.counts));
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }

  const expected = expectedCounts(o.size);
  const progress = await s.store.progress(batchId);
  const ledger = ledgerCounts(s.ledger, o.size);
  expect({ completed: progress?.completed, failed: progress?.failed, buried: progress?.buried, cancelled: progress?.cancelled, done: progress?.done }).toEqual({ ...expected, cancelled: 0, done: o.size });
  expect({ completed: ledger.completed, failed: ledger.failed, buried: ledger.buried }).toEqual(expected);
  expect(s.summaries).toHaveLength(1);
  expect(s.summaries[0]).toMatchObject({ batchId, total: o.size, ...expected, cancelled: 0 });
  expect(service.dropped).toBeGreaterThan(0);
  expect(service.duplicated).toBeGreaterThan(0);
  const buried = workers.reduce((n, w) => n + w.counts.buried, 0);
  console.log(`${o.label} batch: ${o.size} jobs in ${Date.now() - started} ms, ${ledger.runs} handler runs, ${service.dropped} acks dropped, ${service.duplicated} duplicates, ${buried} buried, counts ${JSON.stringify(expected)}, finished once`);
}
