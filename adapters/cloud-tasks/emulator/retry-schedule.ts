/**
 * When a failed task is tried again, and when it is given up: the queue's RetryConfig.
 *
 * The interval starts at minBackoff, doubles maxDoublings times, then grows linearly by
 * minBackoff * 2^maxDoublings per retry, and is capped at maxBackoff. With min 10 s, max 300 s
 * and 3 doublings: 10, 20, 40, 80, 160, 240, 300, 300, ... (the example of the API reference).
 */
import type { RetryPolicy } from './model.ts';

/** The wait before the retry that follows the `failures`-th failed attempt (1-based). */
export function backoffMs(policy: RetryPolicy, failures: number): number {
  const k = Math.max(1, failures);
  const step = k - 1;
  let interval: number;
  if (step <= policy.maxDoublings) {
    interval = policy.minBackoffMs * 2 ** step;
  } else {
    const top = policy.minBackoffMs * 2 ** policy.maxDoublings;
    interval = top * (1 + step - policy.maxDoublings);
  }
  return Math.min(interval, policy.maxBackoffMs);
}

/**
 * True once both limits are used up: attempts (unless -1 = unlimited) and the retry duration
 * measured from the first attempt (unless 0 = unlimited). With -1 and 0 a task is retried
 * until its queue's task retention (31 days) ends.
 */
export function retriesExhausted(policy: RetryPolicy, attempts: number, firstAttemptMs: number, now: number): boolean {
  const unlimitedAttempts = policy.maxAttempts === -1;
  const unlimitedDuration = policy.maxRetryDurationMs === 0;
  if (unlimitedAttempts && unlimitedDuration) return false;
  const attemptsUsed = unlimitedAttempts || attempts >= policy.maxAttempts;
  const durationUsed = unlimitedDuration || now - firstAttemptMs >= policy.maxRetryDurationMs;
  return attemptsUsed && durationUsed;
}

/**
 * A `Retry-After` header (delta-seconds or an HTTP date) as ms from `now`; undefined when
 * absent or unreadable. Only 429 and 503 answers are asked for it.
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
