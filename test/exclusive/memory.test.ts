/**
 * Exclusive jobs under concurrent workers: a ledger of start/end times per key shows never
 * two holders at once; every job runs (none dropped, none buried for having waited); a holder
 * that crashed frees its key when its lease ends.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { exclusiveStoreKey } from '../../src/exclusive/step.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { defineJob } from '../../src/job.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';

interface Span {
  readonly key: string;
  readonly n: number;
  readonly start: number;
  readonly end: number;
}

function overlaps(spans: readonly Span[]): number {
  let found = 0;
  const byKey = Map.groupBy(spans, (s) => s.key);
  for (const list of byKey.values()) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) found++;
  }
  return found;
}

const until = async (check: () => boolean, ms: number, what: () => unknown) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(what())}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('exclusive jobs', () => {
  it('never runs two jobs with one key at once across 3 workers of 8 slots; every job runs once', async () => {
    const store = createMemoryIdempotencyStore();
    const spans: Span[] = [];
    let running = 0;
    let maxRunning = 0;
    const report = defineJob({
      name: 'close-books',
      schema: z.object({ tenant: z.string(), n: z.int() }),
      timeoutMs: 2_000,
      exclusive: { store, key: (p) => `tenant:${p.tenant}`, retryDelayMs: 5 },
      async handler({ tenant, n }) {
        running++;
        maxRunning = Math.max(maxRunning, running);
        const start = performance.now();
        await new Promise((r) => setTimeout(r, 2 + (n % 5)));
        spans.push({ key: tenant, n, start, end: performance.now() });
        running--;
      },
    });
    const service = createMemoryService();
    const total = 90;
    await createQueue({ service, jobs: [report] }).enqueueMany(Array.from({ length: total }, (_, n) => ({ job: report, payload: { tenant: `t${n % 3}`, n } })));
    const workers = [1, 2, 3].map(() => createWorker({ service, jobs: [report], concurrency: 8, waitMs: 10, handleSignals: false }));

    await Promise.all(workers.map((w) => w.start()));
    await until(() => spans.length >= total, 30_000, () => spans.length);
    await Promise.all(workers.map((w) => w.stop()));

    expect(overlaps(spans)).toBe(0);
    expect(new Set(spans.map((s) => s.n)).size).toBe(total);
    expect(spans).toHaveLength(total);
    expect(maxRunning).toBeGreaterThan(1); // different keys ran side by side
    expect(maxRunning).toBeLessThanOrEqual(3);
    const counts = workers.map((w) => w.counts);
    expect(counts.reduce((n, c) => n + c.buried, 0)).toBe(0);
    expect(counts.reduce((n, c) => n + c.deferred, 0)).toBeGreaterThan(0); // jobs waited for their key
    console.log(`exclusive: ${total} jobs on 3 keys, ${counts.reduce((n, c) => n + c.deferred, 0)} waits, max ${maxRunning} running at once, 0 overlaps`);
  });

  it('a holder that crashed frees the key when its lease ends; the waiting job then runs', async () => {
    const store = createMemoryIdempotencyStore();
    const ran: number[] = [];
    const job = defineJob({
      name: 'rebuild',
      schema: z.object({}),
      timeoutMs: 300,
      exclusive: { store, key: 'rebuild', leaseMarginMs: 0, retryDelayMs: 20 },
      handler: () => void ran.push(Date.now()),
    });
    // A worker took the key, then died: its lease (timeoutMs + margin) runs out on its own.
    const crashed = await store.claim(await exclusiveStoreKey('rebuild'), { fingerprint: 'exclusive', claimMs: 300 });
    expect(crashed.status).toBe('acquired');
    const service = createMemoryService();
    const started = Date.now();
    await createQueue({ service, jobs: [job] }).enqueue(job, {});
    const worker = createWorker({ service, jobs: [job], concurrency: 2, waitMs: 10, handleSignals: false });

    await worker.start();
    await until(() => ran.length > 0, 5_000, () => worker.counts);
    await worker.stop();

    expect(ran).toHaveLength(1);
    expect(ran[0]! - started).toBeGreaterThanOrEqual(250);
    expect(worker.counts).toMatchObject({ buried: 0, completed: 1 });
    expect(worker.counts.deferred).toBeGreaterThan(0);
  });

  it('a key function that throws buries the job with exclusive-key-invalid', async () => {
    const store = createMemoryIdempotencyStore();
    const job = defineJob({ name: 'bad-key', schema: z.object({}), exclusive: { store, key: () => { throw new Error('no tenant'); } }, handler: () => undefined });
    const service = createMemoryService();
    await createQueue({ service, jobs: [job] }).enqueue(job, {});
    const worker = createWorker({ service, jobs: [job], waitMs: 10, handleSignals: false });
    await worker.start();
    await until(() => worker.counts.buried > 0, 5_000, () => worker.counts);
    await worker.stop();
    expect((await service.listBuried())[0]).toMatchObject({ reason: 'exclusive-key-invalid', detail: expect.stringContaining('no tenant') });
  });
});
