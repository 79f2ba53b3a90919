/**
 * The batch store: where a batch's header (total, metadata, pre-fetch result) and the final
 * outcome of each of its jobs are kept. Every operation is atomic; the counters are exact:
 *
 *   create(batch)            -> the header, once per id
 *   record(batch, job, out)  -> counts a job's FINAL outcome exactly once per job id (a
 *                               redelivered or retried job never counts twice)
 *   progress(batch)          -> total, completed, failed, buried, cancelled, done
 *   cancel(batch)            -> pending jobs are counted `cancelled` instead of being run
 *   claimFinished(batch)     -> exactly one caller, once the batch is done, sends the
 *                               `finished` job (a lease: a crashed sender is replaced)
 *
 * Outcomes, one per job:
 * - `completed`: the handler succeeded (or a duplicate of a completed job);
 * - `failed`: the job ran out of attempts (buried as attempts-exhausted);
 * - `buried`: the job is poison (permanent error, invalid payload, idempotency conflict, ...);
 * - `cancelled`: the batch was cancelled before the job ran: the handler was not called.
 * `done = completed + failed + buried + cancelled`; the batch is done when done = total.
 *
 * A `failed` or `buried` job that is kicked and then completes moves to `completed` (once):
 * the only change a recorded outcome can make. A store is a small factory result, like a
 * JobService: `createMemoryBatchStore()` here, `createDynamoDbBatchStore()` in jobferry/dynamodb.
 */
import { exceedsBytes } from '../json-guard.ts';

export type BatchOutcome = 'completed' | 'failed' | 'buried' | 'cancelled';
export const BATCH_OUTCOMES: readonly BatchOutcome[] = ['completed', 'failed', 'buried', 'cancelled'];

export interface NewBatch {
  /** 1-128 characters of letters, digits, '.', '_', ':' or '-'. */
  readonly id: string;
  /** Name of the job definition every job of the batch runs. */
  readonly job: string;
  /** Number of jobs in the batch (>= 1). Fixed at creation. */
  readonly total: number;
  /** The caller's metadata, as JSON text (passed to the finished job). */
  readonly metadata?: string | undefined;
  /** The pre-fetch step's result, as JSON text (ctx.batch.prefetch). */
  readonly prefetch?: string | undefined;
  /** Name of the job definition to enqueue once the batch is done. */
  readonly finishedJob?: string | undefined;
  /** Epoch ms. */
  readonly createdAt: number;
  /** How long the batch's records are kept (ms). */
  readonly retentionMs: number;
}

export interface BatchRecord extends NewBatch {
  readonly cancelledAt: number | undefined;
  /** When the finished job was sent (epoch ms), or undefined. */
  readonly finishedAt: number | undefined;
}

export interface BatchCounts {
  readonly completed: number;
  readonly failed: number;
  readonly buried: number;
  readonly cancelled: number;
}

export interface BatchProgress extends BatchCounts {
  readonly batch: BatchRecord;
  readonly total: number;
  /** completed + failed + buried + cancelled. */
  readonly done: number;
}

export type RecordResult =
  /** Counted now. `done`: the batch is complete (every job has a final outcome). */
  | { readonly status: 'recorded'; readonly outcome: BatchOutcome; readonly done: boolean }
  /** A failed or buried job completed after a kick: moved to completed. */
  | { readonly status: 'moved'; readonly outcome: 'completed'; readonly from: BatchOutcome; readonly done: boolean }
  /** Already counted (with `outcome`): nothing changed. */
  | { readonly status: 'duplicate'; readonly outcome: BatchOutcome; readonly done: boolean }
  /** No batch with this id (never created, or past its retention). */
  | { readonly status: 'unknown-batch' };

export type FinishClaim =
  | { readonly status: 'acquired'; readonly token: string; readonly progress: BatchProgress }
  /** Not every job has a final outcome yet. */
  | { readonly status: 'not-done' }
  /** Another caller is sending the finished job until `until` (epoch ms). */
  | { readonly status: 'held'; readonly until: number }
  /** The finished job was sent (or the batch has none). */
  | { readonly status: 'finished' }
  | { readonly status: 'unknown-batch' };

export interface BatchStore {
  /** For logs and errors: `memory`, `dynamodb`, ... */
  readonly name: string;
  /** Creates the batch; `exists` when a batch with this id exists (it is left as it is). */
  create(batch: NewBatch): Promise<'created' | 'exists'>;
  /** The header, without counts (cheap: one read). */
  get(batchId: string): Promise<BatchRecord | undefined>;
  /** The header and exact counts, as of now, from any process. */
  progress(batchId: string): Promise<BatchProgress | undefined>;
  /** The outcome recorded for one job, if any. */
  outcomeOf(batchId: string, jobId: string): Promise<BatchOutcome | undefined>;
  /** Counts a job's final outcome, exactly once per (batch, job id). */
  record(batchId: string, jobId: string, outcome: BatchOutcome): Promise<RecordResult>;
  /** Marks the batch cancelled; false when it is unknown or was cancelled already. */
  cancel(batchId: string): Promise<boolean>;
  /** Claims the sending of the finished job, for `leaseMs`, if the batch is done and it was not sent. */
  claimFinished(batchId: string, leaseMs: number): Promise<FinishClaim>;
  /** Marks the finished job sent, if `token` holds the claim. */
  completeFinished(batchId: string, token: string): Promise<boolean>;
  /** Gives the claim up (the send failed), if `token` holds it. */
  releaseFinished(batchId: string, token: string): Promise<boolean>;
  /** Releases clients and timers. */
  close?(): Promise<void>;
}

export const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Longest metadata or pre-fetch result (UTF-8 of its JSON) a store must keep. */
export const MAX_BATCH_DATA_BYTES = 128 * 1024;
/** Longest job id a store must accept (the envelope's limit). */
export const MAX_BATCH_JOB_ID_LENGTH = 256;

/** Why a store call's arguments are wrong, or undefined: every store says the same. */
export function batchProblem(batchId: unknown, jobId?: unknown, outcome?: unknown): string | undefined {
  if (typeof batchId !== 'string' || !BATCH_ID.test(batchId)) {
    return `batch id: must be 1-128 characters of letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(batchId) ?? typeof batchId}`;
  }
  if (jobId !== undefined && (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > MAX_BATCH_JOB_ID_LENGTH)) {
    return `job id: must be a string of 1-${MAX_BATCH_JOB_ID_LENGTH} characters`;
  }
  if (outcome !== undefined && !BATCH_OUTCOMES.includes(outcome as BatchOutcome)) {
    return `outcome: must be one of ${BATCH_OUTCOMES.join(', ')}, got ${JSON.stringify(outcome)}`;
  }
  return undefined;
}

/** Why a new batch is wrong, or undefined. */
export function newBatchProblem(batch: NewBatch): string | undefined {
  const id = batchProblem(batch?.id);
  if (id !== undefined) return id;
  if (typeof batch.job !== 'string' || batch.job.length === 0) return 'job: must be a job name';
  if (!Number.isSafeInteger(batch.total) || batch.total < 1) return `total: must be an integer >= 1, got ${String(batch.total)}`;
  if (!Number.isFinite(batch.createdAt)) return 'createdAt: must be epoch ms';
  if (!(typeof batch.retentionMs === 'number' && Number.isFinite(batch.retentionMs) && batch.retentionMs > 0)) return 'retentionMs: must be a number of ms > 0';
  for (const name of ['metadata', 'prefetch'] as const) {
    const text = batch[name];
    if (text !== undefined && (typeof text !== 'string' || exceedsBytes(text, MAX_BATCH_DATA_BYTES))) return `${name}: must be JSON text of at most ${MAX_BATCH_DATA_BYTES} bytes`;
  }
  return undefined;
}

/** The counts' sum. */
export function doneOf(counts: BatchCounts): number {
  return counts.completed + counts.failed + counts.buried + counts.cancelled;
}
