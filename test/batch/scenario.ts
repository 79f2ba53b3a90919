/**
 * The batch scenario every adapter runs: N jobs in one batch with faults injected by index,
 * a ledger of every handler run, and the finished job's summary. The counters in the store
 * must equal what the ledger says happened, and `finished` must run exactly once.
 *
 * Faults (deterministic by index):
 * - flaky     (i % 10 === 3): fails on attempt 1, succeeds on 2      -> completed
 * - poison    (i % 50 === 7): PermanentError                          -> buried
 * - exhausted (i % 100 === 11): always fails (maxAttempts 2)          -> failed
 * - lost ack  (i % 20 === 5): completes, but the ack is dropped once  -> redelivered, counted once
 * - duplicate (i % 25 === 9): the transport delivers it twice        -> run twice, counted once
 */
import { z } from 'zod';
import { createMemoryBatchStore } from '../../src/batch/memory-store.ts';
import type { BatchStore } from '../../src/batch/store.ts';
import { batchSummarySchema } from '../../src/batch/summary-schema.ts';
import type { BatchSummary } from '../../src/batch/summary.ts';
import { PermanentError } from '../../src/errors.ts';
import { defineJob, type AnyJob } from '../../src/job.ts';
import type { JobService, OutgoingJob, ReservedJob } from '../../src/service.ts';
import { deferred } from '../support/deferred.ts';

export const isFlaky = (i: number) => i % 10 === 3;
export const isPoison = (i: number) => i % 50 === 7;
export const isExhausted = (i: number) => i % 100 === 11;
export const isLostAck = (i: number) => i % 20 === 5 && !isPoison(i) && !isExhausted(i) && !isFlaky(i);
export const isDuplicate = (i: number) => i % 25 === 9 && !isPoison(i) && !isExhausted(i);

export interface Expected {
  completed: number;
  failed: number;
  buried: number;
}

export function expectedCounts(size: number): Expected {
  let failed = 0;
  let buried = 0;
  for (let i = 0; i < size; i++) {
    if (isPoison(i)) buried++;
    else if (isExhausted(i)) failed++;
  }
  return { completed: size - failed - buried, failed, buried };
}

export interface LedgerEntry {
  readonly index: number;
  readonly attempt: number;
  readonly result: 'ok' | 'retry' | 'permanent';
}


/** The scenario's jobs: `migrate-item` (the batch job, with faults) and `migration-finished`. */
export function scenarioJobs(store: BatchStore = createMemoryBatchStore()) {
  const ledger: LedgerEntry[] = [];
  const summaries: BatchSummary[] = [];
  const finished = deferred<BatchSummary>();
  const item = defineJob({
    name: 'migrate-item',
    schema: z.object({ i: z.int().min(0) }),
    maxAttempts: 2,
    backoff: { type: 'fixed', delayMs: 20 },
    timeoutMs: 10_000,
    batch: { store, headerCacheMs: 60_000 },
    handler({ i }, ctx) {
      if (ctx.batch?.prefetch === undefined) throw new PermanentError('ctx.batch.prefetch missing');
      if (isPoison(i)) {
        ledger.push({ index: i, attempt: ctx.attempt, result: 'permanent' });
        throw new PermanentError(`record ${i} cannot be migrated`);
      }
      if (isExhausted(i) || (isFlaky(i) && ctx.attempt === 1)) {
        ledger.push({ index: i, attempt: ctx.attempt, result: 'retry' });
        throw new Error(`record ${i}: the database said no`);
      }
      ledger.push({ index: i, attempt: ctx.attempt, result: 'ok' });
      return { migrated: i };
    },
  });
  const done = defineJob({
    name: 'migration-finished',
    schema: batchSummarySchema,
    handler(summary) {
      summaries.push(summary);
      finished.resolve(summary);
    },
  });
  return { store, item, done, jobs: [item, done] as AnyJob[], ledger, summaries, finished };
}

/** Final outcomes by index as the ledger tells them. */
export function ledgerCounts(ledger: readonly LedgerEntry[], size: number): Expected & { runs: number; doubleRuns: number } {
  const last = new Map<number, LedgerEntry>();
  const runs = new Map<number, number>();
  for (const entry of ledger) {
    runs.set(entry.index, (runs.get(entry.index) ?? 0) + 1);
    const previous = last.get(entry.index);
    // An `ok` run is final whatever else ran (a duplicate copy may run after it).
    if (previous?.result !== 'ok') last.set(entry.index, entry);
  }
  let completed = 0;
  let failed = 0;
  let buried = 0;
  for (let i = 0; i < size; i++) {
    const entry = last.get(i);
    if (entry === undefined) continue;
    if (entry.result === 'ok') completed++;
    else if (entry.result === 'permanent') buried++;
    else failed++;
  }
  let doubleRuns = 0;
  for (const [i, n] of runs) if (n > 1 && !isFlaky(i) && !isExhausted(i)) doubleRuns++;
  return { completed, failed, buried, runs: ledger.length, doubleRuns };
}

/**
 * Wraps a service with the transport faults of the scenario: some acks are dropped once (the
 * job comes back when its lease ends), some jobs are sent twice.
 */
export function faultyTransport<S extends JobService>(service: S, indexOf: (id: string) => number | undefined): S & { readonly dropped: number; readonly duplicated: number } {
  const droppedIds = new Set<string>();
  let dropped = 0;
  let duplicated = 0;
  const idOf = (job: ReservedJob): string | undefined => {
    try {
      const body = typeof job.body === 'string' ? job.body : new TextDecoder().decode(job.body);
      return (JSON.parse(body) as { id?: string }).id;
    } catch {
      return undefined;
    }
  };
  const wrapped = Object.create(service) as S;
  Object.defineProperties(wrapped, {
    enqueue: {
      value: async (jobs: readonly OutgoingJob[]) => {
        const copies = jobs.filter((j) => {
          const i = indexOf(j.id);
          return i !== undefined && isDuplicate(i);
        });
        duplicated += copies.length;
        const results = await service.enqueue(jobs);
        // The copy goes in a send of its own (same body, same envelope id): a second delivery.
        if (copies.length > 0) await service.enqueue(copies.map((c) => ({ ...c, dedupeKey: undefined })));
        return results;
      },
    },
    complete: {
      value: async (job: ReservedJob) => {
        const id = idOf(job);
        const i = id === undefined ? undefined : indexOf(id);
        if (id !== undefined && i !== undefined && isLostAck(i) && !droppedIds.has(id)) {
          droppedIds.add(id);
          dropped++;
          return; // the ack is "lost": the lease ends and the job is delivered again
        }
        return service.complete!(job);
      },
    },
    dropped: { get: () => dropped },
    duplicated: { get: () => duplicated },
  });
  return wrapped as S & { readonly dropped: number; readonly duplicated: number };
}

/** `<batch>.<index>` -> index. */
export function batchIndex(batchId: string): (id: string) => number | undefined {
  const prefix = `${batchId}.`;
  return (id) => {
    if (!id.startsWith(prefix)) return undefined;
    const n = Number(id.slice(prefix.length));
    return Number.isSafeInteger(n) ? n : undefined;
  };
}

/** Waits for `promise`, or rejects after `ms` with what `status()` says. */
export async function within<T>(promise: Promise<T>, ms: number, status: () => unknown): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not done within ${ms} ms: ${JSON.stringify(status())}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the queue holds nothing ready, delayed or reserved (stats polled every 50 ms). */
export async function drained(service: JobService): Promise<void> {
  for (;;) {
    const stats = await service.stats!();
    if (stats.ready + stats.delayed + stats.reserved === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
