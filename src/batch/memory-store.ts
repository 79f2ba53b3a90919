/**
 * The in-memory batch store: one Map of batches in this process. For tests, the memory
 * transport and single-process apps; batches shared by several processes need a shared store
 * (jobferry/dynamodb). Each operation reads and writes without an await in between: atomic.
 */
import { ConfigError } from '../errors.ts';
import { BatchError } from './errors.ts';
import { batchProblem, doneOf, newBatchProblem, type BatchOutcome, type BatchProgress, type BatchRecord, type BatchStore, type FinishClaim, type RecordResult } from './store.ts';

export interface MemoryBatchStoreOptions {
  /** Clock in epoch ms. Default Date.now. */
  now?: () => number;
}

export interface MemoryBatchStore extends BatchStore {
  /** Batches held (expired ones are dropped when read). */
  readonly size: number;
  clear(): void;
}

interface Entry {
  record: BatchRecord;
  counts: { completed: number; failed: number; buried: number; cancelled: number };
  jobs: Map<string, BatchOutcome>;
  finishing: { token: string; until: number } | undefined;
}

export function createMemoryBatchStore(options: MemoryBatchStoreOptions = {}): MemoryBatchStore {
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new ConfigError(['memory batch store: now: must be a function returning epoch ms']);
  const batches = new Map<string, Entry>();

  const check = (operation: string, problem: string | undefined) => {
    if (problem !== undefined) throw new BatchError('memory', operation, problem, { retryable: false });
  };
  const live = (batchId: string): Entry | undefined => {
    const entry = batches.get(batchId);
    if (entry !== undefined && entry.record.createdAt + entry.record.retentionMs <= now()) {
      batches.delete(batchId);
      return undefined;
    }
    return entry;
  };
  const progressOf = (entry: Entry): BatchProgress => ({ batch: { ...entry.record }, total: entry.record.total, ...entry.counts, done: doneOf(entry.counts) });
  const isDone = (entry: Entry) => doneOf(entry.counts) >= entry.record.total;

  return {
    name: 'memory',
    get size() {
      return batches.size;
    },
    clear() {
      batches.clear();
    },
    async create(batch) {
      check('create', newBatchProblem(batch));
      if (live(batch.id) !== undefined) return 'exists';
      batches.set(batch.id, {
        record: { ...batch, cancelledAt: undefined, finishedAt: undefined },
        counts: { completed: 0, failed: 0, buried: 0, cancelled: 0 },
        jobs: new Map(),
        finishing: undefined,
      });
      return 'created';
    },
    async get(batchId) {
      check('get', batchProblem(batchId));
      const entry = live(batchId);
      return entry === undefined ? undefined : { ...entry.record };
    },
    async progress(batchId) {
      check('progress', batchProblem(batchId));
      const entry = live(batchId);
      return entry === undefined ? undefined : progressOf(entry);
    },
    async outcomeOf(batchId, jobId) {
      check('outcomeOf', batchProblem(batchId, jobId));
      return live(batchId)?.jobs.get(jobId);
    },
    async record(batchId, jobId, outcome): Promise<RecordResult> {
      check('record', batchProblem(batchId, jobId, outcome));
      const entry = live(batchId);
      if (entry === undefined) return { status: 'unknown-batch' };
      const previous = entry.jobs.get(jobId);
      if (previous === undefined) {
        entry.jobs.set(jobId, outcome);
        entry.counts[outcome]++;
        return { status: 'recorded', outcome, done: isDone(entry) };
      }
      if (outcome === 'completed' && (previous === 'failed' || previous === 'buried')) {
        entry.jobs.set(jobId, 'completed');
        entry.counts[previous]--;
        entry.counts.completed++;
        return { status: 'moved', outcome: 'completed', from: previous, done: isDone(entry) };
      }
      return { status: 'duplicate', outcome: previous, done: isDone(entry) };
    },
    async cancel(batchId) {
      check('cancel', batchProblem(batchId));
      const entry = live(batchId);
      if (entry === undefined || entry.record.cancelledAt !== undefined) return false;
      entry.record = { ...entry.record, cancelledAt: now() };
      return true;
    },
    async claimFinished(batchId, leaseMs): Promise<FinishClaim> {
      check('claimFinished', batchProblem(batchId) ?? (Number.isFinite(leaseMs) && leaseMs > 0 ? undefined : 'leaseMs: must be a number of ms > 0'));
      const entry = live(batchId);
      if (entry === undefined) return { status: 'unknown-batch' };
      if (entry.record.finishedAt !== undefined) return { status: 'finished' };
      if (!isDone(entry)) return { status: 'not-done' };
      const t = now();
      if (entry.finishing !== undefined && entry.finishing.until > t) return { status: 'held', until: entry.finishing.until };
      const token = crypto.randomUUID();
      entry.finishing = { token, until: t + leaseMs };
      return { status: 'acquired', token, progress: progressOf(entry) };
    },
    async completeFinished(batchId, token) {
      check('completeFinished', batchProblem(batchId));
      const entry = live(batchId);
      if (entry === undefined || entry.finishing?.token !== token || entry.record.finishedAt !== undefined) return false;
      entry.record = { ...entry.record, finishedAt: now() };
      entry.finishing = undefined;
      return true;
    },
    async releaseFinished(batchId, token) {
      check('releaseFinished', batchProblem(batchId));
      const entry = live(batchId);
      if (entry === undefined || entry.finishing?.token !== token) return false;
      entry.finishing = undefined;
      return true;
    },
  };
}
