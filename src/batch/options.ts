/**
 * The `batch` option of defineJob: the job can be enqueued in batches (queue.batch) and the
 * final outcome of each of its jobs is counted in `store`.
 *
 * @example
 * ```ts
 * const store = createMemoryBatchStore(); // or createDynamoDbBatchStore({ tableName }) from jobferry/dynamodb
 * defineJob({ name: 'migrate-record', schema, batch: { store }, handler });
 * ```
 */
import type { BatchStore } from './store.ts';

/** A job definition or its name (kept loose here: options.ts must not import job.ts). */
export type FinishedJobRef = string | { readonly name: string };

export interface BatchJobOptions {
  /** Where batches and their counts are kept. Shared by producers, workers and the CLI. */
  store: BatchStore;
  /**
   * How long a job reuses the batch header it read (cancellation, pre-fetch result) before it
   * reads it again, in ms. A cancel reaches running workers within this time. Default 1000;
   * 0 reads it for every job.
   */
  headerCacheMs?: number;
  /** Lease of the claim to send the finished job; a sender that crashes is replaced after it. Default 30000. */
  finishedLeaseMs?: number;
  /** Default finished job of this job's batches (queue.batch's `finished` overrides it). */
  finished?: FinishedJobRef;
  /** Default pre-fetch step of this job's batches (queue.batch's `prefetch` overrides it): also run for batches started from the CLI or the HTTP API. */
  prefetch?: () => unknown;
}

export interface BatchSettings {
  readonly store: BatchStore;
  readonly headerCacheMs: number;
  readonly finishedLeaseMs: number;
  readonly finished: string | undefined;
  readonly prefetch: (() => unknown) | undefined;
}

const OPTION_NAMES = ['store', 'headerCacheMs', 'finishedLeaseMs', 'finished', 'prefetch'];
const STORE_METHODS = ['create', 'get', 'progress', 'outcomeOf', 'record', 'cancel', 'claimFinished', 'completeFinished', 'releaseFinished'];

/** Checks the option; problems are `batch.<option>: why`, for defineJob's ConfigError. */
export function checkBatchOptions(value: unknown): { settings?: BatchSettings; problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problems: ['batch: must be an object { store, headerCacheMs?, finishedLeaseMs? }'] };
  const o = value as Record<string, unknown>;
  const problems: string[] = [];
  const store = o.store as Record<string, unknown> | undefined;
  if (typeof store !== 'object' || store === null || !STORE_METHODS.every((m) => typeof store[m] === 'function')) {
    problems.push(`batch.store: must be a batch store with ${STORE_METHODS.join(', ')} (createMemoryBatchStore(), createDynamoDbBatchStore(...))`);
  }
  const headerCacheMs = o.headerCacheMs ?? 1_000;
  if (typeof headerCacheMs !== 'number' || !Number.isFinite(headerCacheMs) || headerCacheMs < 0) problems.push(`batch.headerCacheMs: must be a number of ms >= 0, got ${String(headerCacheMs)}`);
  const finishedLeaseMs = o.finishedLeaseMs ?? 30_000;
  if (typeof finishedLeaseMs !== 'number' || !Number.isFinite(finishedLeaseMs) || finishedLeaseMs <= 0) problems.push(`batch.finishedLeaseMs: must be a number of ms > 0, got ${String(finishedLeaseMs)}`);
  const finished = o.finished === undefined ? undefined : typeof o.finished === 'string' ? o.finished : (o.finished as { name?: unknown } | null)?.name;
  if (o.finished !== undefined && (typeof finished !== 'string' || finished.length === 0)) problems.push('batch.finished: must be a job definition or its name');
  if (o.prefetch !== undefined && typeof o.prefetch !== 'function') problems.push('batch.prefetch: must be a function () => value');
  for (const name of Object.keys(o)) if (!OPTION_NAMES.includes(name)) problems.push(`batch.${name}: unknown option (known: ${OPTION_NAMES.join(', ')})`);
  if (problems.length > 0) return { problems };
  return {
    problems,
    settings: Object.freeze({ store: store as unknown as BatchStore, headerCacheMs: headerCacheMs as number, finishedLeaseMs: finishedLeaseMs as number, finished: finished as string | undefined, prefetch: o.prefetch as (() => unknown) | undefined }),
  };
}
