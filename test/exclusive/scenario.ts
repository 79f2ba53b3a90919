/**
 * The exclusive-jobs scenarios every transport runs, with worker processes that each have
 * their own client (../patterns/processes.ts) and one lock store shared by all (the memory
 * idempotency store in one process, or the DynamoDB store):
 *
 * - ledger: many jobs on a few keys; a ledger of start/end times per key shows never two
 *   holders of a key at once, every job ran exactly once, none was buried for having waited;
 * - crashed holder: the worker process holding a key dies mid-job (its transport goes dark, its
 *   handler hangs on): a second job with the key waits until the holder's lease ends, then
 *   runs; the dead worker's job comes back and runs too, after the lease;
 * - bad key: a key function that throws buries the job as `exclusive-key-invalid`.
 */
import { expect } from 'vitest';
import { z } from 'zod';
import type { IdempotencyStore } from '../../src/idempotency/store.ts';
import { defineJob, type AnyJob } from '../../src/job.ts';
import { createQueue } from '../../src/queue.ts';
import { drained, within } from '../batch/scenario.ts';
import { createProcesses, type WorkerProcess } from '../patterns/processes.ts';
import type { PatternTransport } from '../patterns/transports.ts';

export interface Span {
  readonly key: string;
  readonly n: number;
  readonly start: number;
  readonly end: number;
}

/** Pairs of spans of one key that overlap in time. */
export function overlaps(spans: readonly Span[]): number {
  let found = 0;
  for (const list of Map.groupBy(spans, (s) => s.key).values()) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    let end = -Infinity;
    for (const s of sorted) {
      if (s.start < end) found++;
      end = Math.max(end, s.end);
    }
  }
  return found;
}

/** The lock: one store shared in process, or a factory that gives each worker process its own client. */
export type LockStore = IdempotencyStore | (() => IdempotencyStore);

const lockOf = (store: LockStore): IdempotencyStore => (typeof store === 'function' ? store() : store);

export interface LedgerScenarioOptions {
  transport: PatternTransport;
  store: LockStore;
  keys: number;
  jobsPerKey: number;
  workers: number;
  /** Slots per worker. */
  slots: number;
  /** How long job n holds its key. */
  holdMs: (n: number) => number;
  retryDelayMs: number;
  withinMs: number;
  label?: string;
}

export async function runLedgerScenario(o: LedgerScenarioOptions): Promise<void> {
  const spans: Span[] = [];
  const total = o.keys * o.jobsPerKey;
  const all = Promise.withResolvers<void>();
  let running = 0;
  let maxRunning = 0;
  const jobWith = (store: IdempotencyStore) => defineJob({
    name: 'close-books',
    schema: z.object({ tenant: z.string(), n: z.int() }),
    timeoutMs: 5_000,
    exclusive: { store, key: (p) => `tenant:${p.tenant}`, retryDelayMs: o.retryDelayMs },
    async handler({ tenant, n }) {
      running++;
      maxRunning = Math.max(maxRunning, running);
      const start = performance.now();
      await new Promise((r) => setTimeout(r, o.holdMs(n)));
      spans.push({ key: tenant, n, start, end: performance.now() });
      running--;
      if (spans.length >= total) all.resolve();
    },
  });
  const lock = lockOf(o.store);
  const job = jobWith(lock);
  const processes = createProcesses({ transport: o.transport, jobs: () => [jobWith(lockOf(o.store))], worker: { concurrency: o.slots } });
  const started = Date.now();
  await createQueue({ service: o.transport.service, jobs: [job] }).enqueueMany(Array.from({ length: total }, (_, n) => ({ job, payload: { tenant: `t${n % o.keys}`, n } })));
  try {
    for (let w = 0; w < o.workers; w++) await processes.start();
    await within(all.promise, o.withinMs, () => ({ spans: spans.length, counts: processes.counts() }));
    const ms = Date.now() - started;
    // Nothing may run after the last job: no copy of a job that already ran.
    await within(drained(o.transport.service), 20_000, () => processes.counts());

    const counts = processes.counts();
    console.log(`${o.label ?? o.transport.label} exclusive (${lock.name} lock): ${total} jobs on ${o.keys} keys in ${ms} ms, ${o.workers} workers x ${o.slots} slots, ${counts.deferred} waits, max ${maxRunning} running at once, ${overlaps(spans)} overlaps`);
    expect(overlaps(spans)).toBe(0);
    expect(spans).toHaveLength(total);
    expect(new Set(spans.map((s) => s.n)).size).toBe(total);
    expect(maxRunning).toBeGreaterThan(1); // different keys ran side by side
    expect(maxRunning).toBeLessThanOrEqual(o.keys);
    expect(counts.buried).toBe(0);
    expect((await o.transport.service.stats!()).buried).toBe(0);
    expect(counts.deferred).toBeGreaterThan(0); // jobs waited for their key
  } finally {
    await processes.stopAll();
  }
}

export interface CrashedHolderOptions {
  transport: PatternTransport;
  store: LockStore;
  timeoutMs: number;
  leaseMarginMs: number;
  retryDelayMs: number;
  label?: string;
}

export async function runCrashedHolderScenario(o: CrashedHolderOptions): Promise<void> {
  // The lock's own answers: when the crashed holder's lease ends.
  const claims: Array<{ at: number; status: string; expiresAt?: number }> = [];
  let lockName = '';
  const observed = (lock: IdempotencyStore): IdempotencyStore => ({
    name: (lockName = lock.name),
    async claim(key, options) {
      const result = await lock.claim(key, options);
      claims.push({ at: Date.now(), status: result.status, ...('expiresAt' in result ? { expiresAt: result.expiresAt } : {}) });
      return result;
    },
    complete: (key, token, options) => lock.complete(key, token, options),
    release: (key, token) => lock.release(key, token),
  });
  const runs: Array<{ n: number; start: number; end?: number; process: number }> = [];
  const holding = Promise.withResolvers<WorkerProcess>();
  const zombie = Promise.withResolvers<void>();
  const finished = Promise.withResolvers<void>();
  const jobOf = (proc: WorkerProcess, store = observed(lockOf(o.store))): AnyJob =>
    defineJob({
      name: 'rebuild-index',
      schema: z.object({ n: z.int() }),
      timeoutMs: o.timeoutMs,
      exclusive: { store, key: 'rebuild-index', leaseMarginMs: o.leaseMarginMs, retryDelayMs: o.retryDelayMs },
      async handler({ n }) {
        const run: (typeof runs)[number] = { n, start: Date.now(), process: proc.id };
        runs.push(run);
        if (n === 0 && runs.length === 1) {
          holding.resolve(proc);
          await zombie.promise; // the process is dead: this never gets further while the test looks
          return;
        }
        run.end = Date.now();
        if (runs.filter((r) => r.end !== undefined).length === 2) finished.resolve();
      },
    });
  // One slot: the hanging holder fills it, so the dying worker has no receive in flight that
  // could swallow the second job (a receive a dead process made hides what it got for a lease).
  const processes = createProcesses({ transport: o.transport, jobs: (proc) => [jobOf(proc)], worker: { concurrency: 1, shutdownGraceMs: 100 } });
  const queue = createQueue({ service: o.transport.service, jobs: [jobOf({ id: 0 } as WorkerProcess)] });
  try {
    await processes.start();
    await queue.enqueue('rebuild-index', { n: 0 });
    const holder = await within(holding.promise, 10_000, () => processes.counts());
    void processes.replace(holder, 'kill');
    await queue.enqueue('rebuild-index', { n: 1 });
    await within(finished.promise, 20_000, () => ({ runs, claims }));
    await within(drained(o.transport.service), 20_000, () => processes.counts());

    const heldUntil = claims.find((c) => c.status === 'acquired')!.expiresAt!;
    const done = runs.filter((r) => r.end !== undefined);
    console.log(`${o.label ?? o.transport.label} exclusive crashed holder (${lockName} lock): lease ${o.timeoutMs + o.leaseMarginMs} ms; the waiting job ran ${done.find((r) => r.n === 1)!.start - runs[0]!.start} ms and the dead worker's job ${done.find((r) => r.n === 0)!.start - runs[0]!.start} ms after the holder started; ${claims.filter((c) => c.status === 'in-progress').length} claims found it held`);
    expect(done.map((r) => r.n).sort()).toEqual([0, 1]); // each ran to the end once, besides the zombie
    for (const r of done) expect(r.start).toBeGreaterThanOrEqual(heldUntil); // nobody took the key before its lease ended
    expect(done.every((r) => r.process !== runs[0]!.process)).toBe(true);
    expect(claims.filter((c) => c.status === 'in-progress' && c.at < heldUntil).length).toBeGreaterThan(0); // the second job found it held, waited
    expect(processes.counts().buried).toBe(0);
    expect(processes.counts().deferred).toBeGreaterThan(0);
  } finally {
    zombie.resolve();
    await processes.stopAll();
  }
}

export async function runBadKeyScenario(transport: PatternTransport, store: IdempotencyStore): Promise<void> {
  const job = defineJob({ name: 'bad-key', schema: z.object({}), exclusive: { store, key: () => { throw new Error('no tenant'); } }, handler: () => undefined });
  const processes = createProcesses({ transport, jobs: () => [job], worker: {} });
  try {
    await createQueue({ service: transport.service, jobs: [job] }).enqueue(job, {});
    await processes.start();
    const buried = await within(
      (async () => {
        while ((await transport.service.stats!()).buried === 0) await new Promise((r) => setTimeout(r, 50));
        return transport.service.listBuried!();
      })(),
      10_000,
      () => processes.counts(),
    );
    expect(buried[0]).toMatchObject({ reason: 'exclusive-key-invalid', detail: expect.stringContaining('no tenant') });
  } finally {
    await processes.stopAll();
  }
}
