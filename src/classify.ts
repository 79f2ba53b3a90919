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
    let name: unknown;
    let delayMs: unknown;
    try {
      ({ name, delayMs } = error as { name?: unknown; delayMs?: unknown });
    } catch {
      // A getter that throws: nothing to read, so the default (retryable) applies.
      return { kind: 'retryable' };
    }
    // bullmq's UnrecoverableError means the same thing; users migrating keep their throws.
    if (name === 'PermanentError' || name === 'UnrecoverableError') return { kind: 'permanent' };
    if (name === 'RetryLaterError' && typeof delayMs === 'number' && Number.isFinite(delayMs)) return { kind: 'retryable', delayMs: Math.max(0, delayMs) };
  }
  return { kind: 'retryable' };
}
