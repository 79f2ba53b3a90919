/**
 * Batches in the pipeline: the step around every delivery of a job whose envelope names a
 * batch, from just after decoding (so a job buried for an invalid payload is counted too).
 *
 *   header unknown               -> buried: batch-unknown (past its retention, or never created)
 *   already completed/cancelled  -> completed, not run again (a redelivery; checked from attempt 2)
 *   batch cancelled              -> completed without running; counted `cancelled`
 *   otherwise                    -> the rest of the pipeline, with ctx.batch
 *     completed                  -> counted `completed`
 *     buried attempts-exhausted  -> counted `failed`
 *     buried (any other reason)  -> counted `buried`
 *     retry / deferred           -> not final: not counted
 *   the count made the batch done -> the finished job is sent (finish.ts) before this
 *                                    delivery is answered
 *
 * Counting happens before the delivery is acknowledged: a crash in between redelivers the
 * job, and the store counts a job id once, so the counts stay exact. A store failure while
 * counting is a retry (the job comes back and is counted then); a failure to send the finished
 * job is a retry too (the redelivery finds its outcome recorded, does not run the handler, and
 * tries the send again).
 *
 * `runInBatch` never rejects: every failure is an Outcome.
 */
import type { StepContext } from '../step.ts';
import { backoffDelayMs } from '../backoff.ts';
import { describeError } from '../errors.ts';
import type { AnyJob } from '../job.ts';
import type { Outcome } from '../outcome.ts';
import type { JobService } from '../service.ts';
import { BatchError } from './errors.ts';
import { finishBatch } from './finish.ts';
import type { BatchSettings } from './options.ts';
import { batchProblem, type BatchOutcome, type BatchRecord, type RecordResult } from './store.ts';
import { parseJson, type BatchContext } from './summary.ts';

export interface BatchedRun extends StepContext {
  readonly settings: BatchSettings;
  readonly batchId: string;
  /** Where the finished job is sent; undefined: it is left for finishBatch(). */
  readonly followUp: JobService | undefined;
  readonly jobs: ReadonlyMap<string, AnyJob>;
  /** The rest of the pipeline (schema, attempts, exclusive, idempotency, handler), with ctx.batch. */
  next(batch: BatchContext): Outcome | Promise<Outcome>;
}

interface CachedHeader {
  readonly context: BatchContext;
  readonly readAt: number;
}

// Per settings object (one per job definition): the header a job reads, reused for headerCacheMs.
const headers = new WeakMap<BatchSettings, Map<string, CachedHeader>>();
const MAX_CACHED_HEADERS = 256;

export async function runInBatch(run: BatchedRun): Promise<Outcome> {
  const { settings, envelope, batchId, delivery } = run;
  const store = settings.store;
  const startedAt = run.now();
  try {
    const problem = batchProblem(batchId);
    if (problem !== undefined) return run.bury('batch-unknown', `the envelope's batch field is not a batch id: ${problem}`, undefined);
    let header: BatchContext | undefined;
    try {
      header = await headerOf(run);
    } catch (error) {
      return storeFailure(run, error, 'get', startedAt);
    }
    if (header === undefined) return run.bury('batch-unknown', `no batch ${batchId} in the ${store.name} batch store (past its retention, or never created)`, undefined);

    if (delivery.attempt > 1) {
      let previous: BatchOutcome | undefined;
      try {
        previous = await store.outcomeOf(batchId, envelope.id);
      } catch (error) {
        return storeFailure(run, error, 'outcomeOf', startedAt);
      }
      if (previous === 'completed' || previous === 'cancelled') {
        run.log('info', 'job.duplicate', { outcome: 'completed', reason: 'batch-recorded', batch: batchId, detail: `already counted ${previous} in batch ${batchId}: not run again` });
        const done: Outcome = { type: 'completed', envelope, durationMs: run.now() - startedAt, result: undefined, duplicate: true };
        return await counted(run, done, previous, startedAt);
      }
    }
    if (header.cancelledAt !== undefined) {
      run.log('info', 'job.cancelled', { outcome: 'completed', reason: 'batch-cancelled', batch: batchId, detail: `batch ${batchId} was cancelled: the handler was not run` });
      const skipped: Outcome = { type: 'completed', envelope, durationMs: run.now() - startedAt, result: undefined };
      return await counted(run, skipped, 'cancelled', startedAt);
    }
    const outcome = await run.next(header);
    const final = finalOf(outcome);
    if (final === undefined) return outcome;
    return await counted(run, outcome, final, startedAt);
  } catch (error) {
    // Only a bug or a hostile store reaches here: retried, never lost.
    return storeFailure(run, error, 'batch', startedAt);
  }
}

/** The batch outcome an Outcome stands for, or undefined when it is not final. */
export function finalOf(outcome: Outcome): BatchOutcome | undefined {
  switch (outcome.type) {
    case 'completed':
      return 'completed';
    case 'buried':
      return outcome.reason === 'attempts-exhausted' ? 'failed' : 'buried';
    default:
      return undefined;
  }
}

/** Records `final` for this job, then sends the finished job if the batch is done. */
async function counted(run: BatchedRun, outcome: Outcome, final: BatchOutcome, startedAt: number): Promise<Outcome> {
  const { settings, batchId, envelope } = run;
  let result: RecordResult;
  try {
    result = await settings.store.record(batchId, envelope.id, final);
  } catch (error) {
    return storeFailure(run, error, 'record', startedAt, outcome);
  }
  if (result.status === 'unknown-batch') {
    run.log('error', 'batch.unknown', { batch: batchId, detail: `batch ${batchId} vanished from the store before this job's outcome was counted` });
    return outcome;
  }
  if (result.status === 'moved') run.log('info', 'batch.recounted', { batch: batchId, detail: `moved from ${result.from} to completed` });
  if (!result.done) return outcome;
  try {
    const finished = await finishBatch(batchId, { store: settings.store, service: run.followUp, jobs: run.jobs, leaseMs: settings.finishedLeaseMs });
    if (finished.status === 'sent') run.log('info', 'batch.finished', { batch: batchId, detail: finished.jobId === undefined ? 'done (no finished job)' : `done: sent ${finished.jobId}` });
  } catch (error) {
    if (error instanceof BatchError && !error.retryable) {
      // Retrying this delivery cannot help (no service, a lease too short): left for finishBatch().
      run.log('error', 'batch.error', { batch: batchId, detail: 'the batch is done but its finished job was not sent: send it with finishBatch() or `jobferry batch <id> --finish`', error: describeError(error) });
      return outcome;
    }
    return storeFailure(run, error, 'finish', startedAt, outcome);
  }
  return outcome;
}

async function headerOf(run: BatchedRun): Promise<BatchContext | undefined> {
  const { settings, batchId } = run;
  let cache = headers.get(settings);
  if (cache === undefined) headers.set(settings, (cache = new Map()));
  const t = run.now();
  const cached = cache.get(batchId);
  if (cached !== undefined && t - cached.readAt < settings.headerCacheMs) return cached.context;
  const record = await settings.store.get(batchId);
  if (record === undefined) {
    cache.delete(batchId);
    return undefined;
  }
  const context = contextOf(record);
  if (settings.headerCacheMs > 0) {
    if (cache.size >= MAX_CACHED_HEADERS) cache.delete(cache.keys().next().value!);
    cache.set(batchId, { context, readAt: t });
  }
  return context;
}

function contextOf(record: BatchRecord): BatchContext {
  return Object.freeze({ id: record.id, total: record.total, prefetch: parseJson(record.prefetch), metadata: parseJson(record.metadata), cancelledAt: record.cancelledAt });
}

/**
 * A store failure: the job comes back with its backoff and is counted then. On its last
 * attempt a final outcome that could not be counted is deferred instead (the same body again,
 * no attempt spent): a lost count would leave the batch undone forever, and burying a job
 * that succeeded would be wrong. Its next delivery runs it again unless it was counted.
 */
function storeFailure(run: BatchedRun, thrown: unknown, operation: string, startedAt: number, outcome?: Outcome): Outcome {
  const error = describeError(thrown instanceof BatchError ? thrown : new BatchError(run.settings.store.name, operation, `${describeError(thrown).name}: ${describeError(thrown).message}`, { cause: thrown }));
  const { delivery, job, envelope } = run;
  const maxAttempts = Math.min(job.maxAttempts, delivery.maxAttempts ?? Infinity);
  if (delivery.attempt >= maxAttempts) {
    if (outcome !== undefined) {
      const delayMs = backoffDelayMs(job.backoff, delivery.attempt, run.random);
      run.log('error', 'batch.error', { outcome: 'deferred', delayMs, batch: run.batchId, detail: `the ${outcome.type} outcome of this job's last attempt could not be counted: sent again`, error });
      return { type: 'deferred', envelope, delayMs };
    }
    return run.bury('attempts-exhausted', `failed ${delivery.attempt} of ${maxAttempts} attempts; last error: ${error.name}: ${error.message}`, error);
  }
  const delayMs = backoffDelayMs(job.backoff, delivery.attempt, run.random);
  run.log('warn', 'job.retry', { outcome: 'retry', durationMs: run.now() - startedAt, delayMs, batch: run.batchId, error });
  return { type: 'retry', envelope, delayMs, error, durationMs: run.now() - startedAt };
}
