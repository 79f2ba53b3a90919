/**
 * Idempotency in the pipeline: the step around the handler call, after validation and the
 * attempt check, for jobs defined with `idempotency`.
 *
 *   claim(key) acquired    -> run the handler -> completed: complete(key, result)
 *                                              -> retry / buried: release(key)
 *                                              -> timed out: keep the claim until it expires
 *              completed   -> completed with the stored result; the handler is NOT run
 *              in progress -> deferred until the claim ends (no attempt is spent)
 *              conflict    -> buried: idempotency-conflict
 *              abandoned   -> buried: idempotency-in-doubt (only with ifAbandoned: 'bury')
 *   store error            -> retry with the job's backoff (never a run without a claim)
 *
 * Why `deferred` for a job in progress: the delivery that holds the claim is alive and owns the
 * job's fate (its own message completes, retries or buries it). This copy must neither run nor
 * count against maxAttempts, or a burst of duplicates could bury a healthy job as
 * attempts-exhausted. A deferred outcome sends the same body again with a delay and drops this
 * delivery; the copy's new delivery starts at attempt 1. The delay is what is left of the claim:
 * by then the holder has completed (the copy becomes a no-op completion) or failed and released
 * the key (the copy runs), or crashed and its claim expired (the copy runs; with ifAbandoned:
 * 'bury', it is buried in doubt).
 *
 * `runIdempotent` never rejects: every failure is an Outcome, as everywhere in the pipeline.
 */
import type { StepContext } from '../step.ts';
import { backoffDelayMs } from '../backoff.ts';
import { describeError, timedOut } from '../errors.ts';
import type { Outcome } from '../outcome.ts';
import { IdempotencyError } from './errors.ts';
import { idempotencyKeyOf } from './keys.ts';
import type { IdempotencySettings } from './options.ts';
import { parseResult, serializeResult } from './results.ts';
import type { ClaimResult } from './store.ts';

/** A deferred copy waits at least this long, whatever clock skew says is left of the claim. */
export const MIN_IN_PROGRESS_DELAY_MS = 1_000;

/** What the pipeline hands the guard for one delivery. */
export interface GuardedRun extends StepContext {
  readonly settings: IdempotencySettings;
  /** The validated payload (what a key function gets). */
  readonly payload: unknown;
  /** Runs the handler (timeout, abort, classification) with ctx.idempotencyKey: the pipeline's execute step. */
  execute(idempotencyKey: string): Outcome | Promise<Outcome>;
}

type Acquired = Extract<ClaimResult, { status: 'acquired' }>;

export async function runIdempotent(run: GuardedRun): Promise<Outcome> {
  const startedAt = run.now();
  const { settings, envelope } = run;
  const store = settings.store;
  try {
    const keyed = await idempotencyKeyOf(settings, run.job.name, envelope, run.payload);
    if (!keyed.ok) return run.bury('idempotency-key-invalid', keyed.detail, undefined);
    const { key, fingerprint } = keyed;
    let claim: ClaimResult;
    try {
      // At most once: a claim that expires unfinished is kept until an operator forgets it.
      claim = await store.claim(key, settings.ifAbandoned === 'bury' ? { fingerprint, claimMs: settings.claimMs, keepAbandoned: true } : { fingerprint, claimMs: settings.claimMs });
    } catch (error) {
      return storeFailure(run, error, 'claim', startedAt);
    }
    switch (claim?.status) {
      case 'acquired':
        return await runClaimed(run, key, fingerprint, claim);
      case 'completed': {
        const parsed = parseResult(claim.result);
        const durationMs = run.now() - startedAt;
        run.log('info', 'job.duplicate', {
          outcome: 'completed',
          reason: 'duplicate',
          durationMs,
          detail: 'already completed: the handler was not run again',
          completedAt: isoOrUndefined(claim.completedAt),
          resultError: parsed.why,
        });
        return { type: 'completed', envelope, durationMs, result: parsed.value, duplicate: true };
      }
      case 'in-progress': {
        const left = Math.ceil(claim.expiresAt - run.now());
        const delayMs = Number.isFinite(left) ? Math.min(Math.max(left, MIN_IN_PROGRESS_DELAY_MS), settings.claimMs) : settings.claimMs;
        run.log('info', 'job.deferred', { outcome: 'deferred', reason: 'in-progress', delayMs, detail: 'another delivery of this job is running: retried when its claim ends' });
        return { type: 'deferred', envelope, delayMs };
      }
      case 'conflict':
        return run.bury(
          'idempotency-conflict',
          `idempotency key ${key} is held by a different payload (stored fingerprint ${String(claim.fingerprint).slice(0, 16)}, this payload ${fingerprint.slice(0, 16)}): the same key must always come with the same payload`,
          undefined,
        );
      case 'abandoned': {
        const expiredAt = isoOrUndefined(claim.expiredAt);
        return run.bury(
          'idempotency-in-doubt',
          `idempotency key ${key}: an earlier run claimed it and neither completed nor released its claim before it expired${expiredAt ? ` at ${expiredAt}` : ''} ` +
            `(its worker died, it timed out, or the store failed to record its end): its side effect may or may not have happened. ifAbandoned is 'bury', so it is not run again: ` +
            `check the effect; if it did not happen, forget the key (store.forget(key)) and kick the job`,
          undefined,
        );
      }
      default:
        return storeFailure(run, new Error(`claim returned an unknown status ${JSON.stringify((claim as { status?: unknown } | undefined)?.status) ?? 'undefined'}`), 'claim', startedAt);
    }
  } catch (error) {
    // Only a bug or a hostile store reaches here: retried, never run unprotected, never lost.
    return storeFailure(run, error, 'idempotency', startedAt);
  }
}

async function runClaimed(run: GuardedRun, key: string, fingerprint: string, claim: Acquired): Promise<Outcome> {
  const { settings, now } = run;
  const store = settings.store;
  const outcome = await run.execute(key);
  switch (outcome.type) {
    case 'completed': {
      const result = serializeResult(outcome.result);
      if (result.why !== undefined) run.log('warn', 'idempotency.result-not-kept', { detail: `${result.why}: duplicates complete with no result` });
      try {
        const recorded = await store.complete(key, claim.token, { fingerprint, result: result.text, retentionMs: settings.retentionMs });
        if (!recorded) {
          run.log('warn', 'idempotency.claim-lost', { detail: 'the claim expired and another delivery holds the key: this completion was not recorded (the handler ran past timeoutMs + claimMarginMs)' });
        }
      } catch (error) {
        // The handler succeeded: acknowledging is right (a retry would run it again). A duplicate
        // arriving while the claim lasts is deferred; one arriving after it may run again.
        run.log('error', 'idempotency.error', { detail: 'marking the job completed failed; the claim stays until it expires', error: describeError(wrap(store.name, 'complete', error)) });
      }
      return outcome;
    }
    case 'retry': {
      // A timed-out handler may still be running (it ignored its signal): keep the claim, so no
      // other delivery runs beside it, and let the retry come when the claim has expired.
      const keep = timedOut(outcome.error) || !(await released(run, key, claim));
      if (!keep) return outcome;
      const left = Math.ceil(claim.expiresAt - now());
      if (!(left > outcome.delayMs)) return outcome;
      run.log('info', 'idempotency.claim-kept', { delayMs: left, detail: 'the retry waits until the claim of this run expires' });
      return { ...outcome, delayMs: left };
    }
    case 'buried':
      // Released so that a kick can run the job again; but a timed-out handler (its last attempt)
      // may still be running: its claim is kept, as for a retry.
      if (!timedOut(outcome.error)) await released(run, key, claim);
      return outcome;
    case 'deferred':
      return outcome;
  }
}

async function released(run: GuardedRun, key: string, claim: Acquired): Promise<boolean> {
  try {
    await run.settings.store.release(key, claim.token);
    return true;
  } catch (error) {
    run.log('warn', 'idempotency.error', { detail: 'releasing the claim failed; it expires on its own', error: describeError(wrap(run.settings.store.name, 'release', error)) });
    return false;
  }
}

/** A store failure: retried with the job's backoff like any retryable failure, buried on the last attempt. */
function storeFailure(run: GuardedRun, thrown: unknown, operation: string, startedAt: number): Outcome {
  const error = describeError(wrap(run.settings.store.name, operation, thrown));
  const durationMs = run.now() - startedAt;
  const { delivery, job } = run;
  const maxAttempts = Math.min(job.maxAttempts, delivery.maxAttempts ?? Infinity);
  if (delivery.attempt >= maxAttempts) {
    return run.bury('attempts-exhausted', `failed ${delivery.attempt} of ${maxAttempts} attempts; last error: ${error.name}: ${error.message}`, error);
  }
  const delayMs = backoffDelayMs(job.backoff, delivery.attempt, run.random);
  run.log('warn', 'job.retry', { outcome: 'retry', durationMs, delayMs, error });
  return { type: 'retry', envelope: run.envelope, delayMs, error, durationMs };
}

function wrap(store: unknown, operation: string, error: unknown): IdempotencyError {
  if (error instanceof IdempotencyError) return error;
  const { name, message } = describeError(error);
  return new IdempotencyError(typeof store === 'string' ? store : 'store', operation, `${name}: ${message}`, { cause: error });
}

function isoOrUndefined(ms: number): string | undefined {
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}
