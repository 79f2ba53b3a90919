/**
 * The one place that decides whether a handler's error is permanent or retryable.
 * Name checks as well as instanceof: a second copy of jobferry in node_modules (or a
 * bundle) must classify the same way.
 */
import { PermanentError, RetryLaterError, ValidationError } from './errors.ts';

export type Verdict = { kind: 'permanent' } | { kind: 'retryable'; delayMs?: number };

export function classifyError(error: unknown): Verdict {
  if (error instanceof PermanentError || error instanceof ValidationError) return { kind: 'permanent' };
  // A delay that is not a finite number (NaN, Infinity) is ignored: the job's backoff applies.
  if (error instanceof RetryLaterError) return Number.isFinite(error.delayMs) ? { kind: 'retryable', delayMs: Math.max(0, error.delayMs) } : { kind: 'retryable' };
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; delayMs?: unknown };
    // bullmq's UnrecoverableError means the same thing; users migrating keep their throws.
    if (e.name === 'PermanentError' || e.name === 'UnrecoverableError') return { kind: 'permanent' };
    if (e.name === 'RetryLaterError' && typeof e.delayMs === 'number' && Number.isFinite(e.delayMs)) return { kind: 'retryable', delayMs: Math.max(0, e.delayMs) };
  }
  return { kind: 'retryable' };
}
