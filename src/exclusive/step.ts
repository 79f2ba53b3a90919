/**
 * Exclusive jobs in the pipeline: the step around the handler (after validation and the
 * attempt check) for jobs defined with `exclusive`.
 *
 *   claim(key) acquired    -> run the rest -> release(key) (a timed-out handler keeps the
 *                                              lease until it expires: it may still be running)
 *              held         -> deferred: delivered again after a short, jittered delay; no
 *                              attempt is spent (waiting is not failing), nothing is dropped
 *   store error            -> retry with the job's backoff (never a run without the lease)
 *
 * The lease is the idempotency store's claim, `timeoutMs + leaseMarginMs` long: a holder that
 * crashes frees the key when it ends. Keys are `~exclusive#<sha-256 of the key>`: a job name
 * cannot start with `~`, so they never meet an idempotency key in a shared store.
 *
 * `runExclusive` never rejects: every failure is an Outcome.
 */
import type { StepContext } from '../step.ts';
import { backoffDelayMs } from '../backoff.ts';
import { describeError, timedOut } from '../errors.ts';
import { sha256Hex } from '../idempotency/canonical.ts';
import type { ClaimResult } from '../idempotency/store.ts';
import type { Outcome } from '../outcome.ts';
import type { ExclusiveSettings } from './options.ts';

/** The fingerprint every exclusive lease carries (the store's conflict check never fires). */
const FINGERPRINT = 'exclusive';

export interface ExclusiveRun extends StepContext {
  readonly settings: ExclusiveSettings;
  readonly payload: unknown;
  next(): Outcome | Promise<Outcome>;
}

/** The store key of an exclusive key. */
export async function exclusiveStoreKey(key: string): Promise<string> {
  return `~exclusive#${await sha256Hex(key)}`;
}

export async function runExclusive(run: ExclusiveRun): Promise<Outcome> {
  const { settings, job } = run;
  const startedAt = run.now();
  let key: string;
  try {
    const raw = typeof settings.key === 'function' ? settings.key(run.payload) : settings.key;
    if (typeof raw !== 'string' || raw.length === 0) {
      return run.bury('exclusive-key-invalid', `job ${job.name}: exclusive.key(payload) must return a non-empty string, got ${raw === '' ? 'an empty string' : typeof raw}`, undefined);
    }
    key = raw;
  } catch (error) {
    const { name, message } = describeError(error);
    return run.bury('exclusive-key-invalid', `job ${job.name}: exclusive.key(payload) threw ${name}: ${message.slice(0, 200)}`, undefined);
  }
  try {
    const storeKey = await exclusiveStoreKey(key);
    let claim: ClaimResult;
    try {
      claim = await settings.store.claim(storeKey, { fingerprint: FINGERPRINT, claimMs: settings.leaseMs });
    } catch (error) {
      return storeFailure(run, error, startedAt);
    }
    if (claim?.status === 'in-progress' || claim?.status === 'completed' || claim?.status === 'conflict') {
      // `completed` / `conflict`: a record under this key that no exclusive lease wrote; wait it out too.
      const left = claim.status === 'in-progress' ? claim.expiresAt - run.now() : settings.leaseMs;
      // Equal jitter: waiting jobs do not all come back at the same instant.
      const cap = Math.max(1, Math.min(settings.retryDelayMs, Number.isFinite(left) ? left : settings.retryDelayMs));
      const delayMs = Math.ceil(cap / 2 + run.random() * (cap / 2));
      run.log('info', 'job.deferred', { outcome: 'deferred', reason: 'exclusive-held', delayMs, detail: `another job holds the exclusive key: tried again in ${delayMs} ms` });
      return { type: 'deferred', envelope: run.envelope, delayMs };
    }
    if (claim?.status !== 'acquired') return storeFailure(run, new Error(`claim returned an unknown status ${JSON.stringify((claim as { status?: unknown } | undefined)?.status) ?? 'undefined'}`), startedAt);
    // next() never rejects (it is the pipeline's own step): the release below always runs.
    const outcome = await run.next();
    // A timed-out handler may still be running: the lease runs out on its own rather than let another in.
    if (!(outcome.type === 'retry' && timedOut(outcome.error))) {
      try {
        await settings.store.release(storeKey, claim.token);
      } catch (error) {
        run.log('warn', 'exclusive.error', { detail: 'releasing the exclusive lease failed; it ends on its own', error: describeError(error) });
      }
    } else if (outcome.type === 'retry') {
      const left = Math.ceil(claim.expiresAt - run.now());
      if (left > outcome.delayMs) return { ...outcome, delayMs: left };
    }
    return outcome;
  } catch (error) {
    return storeFailure(run, error, startedAt);
  }
}

function storeFailure(run: ExclusiveRun, thrown: unknown, startedAt: number): Outcome {
  const { name, message } = describeError(thrown);
  const error = { name: 'ExclusiveError', message: `[${String(run.settings.store.name)}] exclusive lease failed: ${name}: ${message}` };
  const { delivery, job } = run;
  const maxAttempts = Math.min(job.maxAttempts, delivery.maxAttempts ?? Infinity);
  if (delivery.attempt >= maxAttempts) {
    return run.bury('attempts-exhausted', `failed ${delivery.attempt} of ${maxAttempts} attempts; last error: ${error.name}: ${error.message}`, error);
  }
  const delayMs = backoffDelayMs(job.backoff, delivery.attempt, run.random);
  run.log('warn', 'job.retry', { outcome: 'retry', durationMs: run.now() - startedAt, delayMs, error });
  return { type: 'retry', envelope: run.envelope, delayMs, error, durationMs: run.now() - startedAt };
}
