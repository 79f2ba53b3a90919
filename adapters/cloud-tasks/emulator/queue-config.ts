/**
 * A queue's rate limits and retry settings: the defaults the real service picks and the rules
 * it checks (with its messages).
 */
import { invalid } from './errors.ts';
import type { RateLimitPolicy, RetryPolicy } from './model.ts';

export const DEFAULT_RATE_LIMITS: RateLimitPolicy = {
  maxDispatchesPerSecond: 500,
  maxBurstSize: 100,
  maxConcurrentDispatches: 1000,
};

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 100,
  maxRetryDurationMs: 0,
  minBackoffMs: 100,
  maxBackoffMs: 3_600_000,
  maxDoublings: 16,
};

/** What a caller set; `undefined` = not set (proto3 zero values arrive as not set). */
export type RateLimitInput = { [K in keyof RateLimitPolicy]?: number | undefined };
export type RetryInput = { [K in keyof RetryPolicy]?: number | undefined };

/**
 * The burst size the emulator derives from the rate when the caller gives none (v2 has it
 * output only). The real service picks it by its own rule; 500/s gives 100 there and here.
 */
export function derivedBurstSize(maxDispatchesPerSecond: number): number {
  return Math.min(500, Math.max(1, Math.ceil(maxDispatchesPerSecond / 5)));
}

export function resolveRateLimits(input: RateLimitInput | undefined, base: RateLimitPolicy = DEFAULT_RATE_LIMITS): RateLimitPolicy {
  const rate = input?.maxDispatchesPerSecond ?? base.maxDispatchesPerSecond;
  const concurrent = input?.maxConcurrentDispatches ?? base.maxConcurrentDispatches;
  if (rate < 0) throw invalid('RateLimits.maxDispatchesPerSecond cannot be negative.');
  if (rate > 500) throw invalid('RateLimits.maxDispatchesPerSecond must be less than or equal to 500.');
  if (concurrent < 0) throw invalid('RateLimits.maxConcurrentDispatches cannot be negative.');
  if (concurrent > 5000) throw invalid('RateLimits.maxConcurrentDispatches must be less than or equal to 5000.');
  let burst = input?.maxBurstSize;
  if (burst !== undefined && burst > 500) throw invalid('RateLimits.maxBurstSize must be less than or equal to 500.');
  // A non-positive burst is ignored like an unset one (the real service accepts it and picks its own).
  if (burst === undefined || burst <= 0) {
    burst = input?.maxDispatchesPerSecond !== undefined ? derivedBurstSize(rate) : base.maxBurstSize;
  }
  return { maxDispatchesPerSecond: rate, maxBurstSize: burst, maxConcurrentDispatches: concurrent };
}

export function resolveRetry(input: RetryInput | undefined, base: RetryPolicy = DEFAULT_RETRY): RetryPolicy {
  const policy: RetryPolicy = {
    maxAttempts: input?.maxAttempts ?? base.maxAttempts,
    maxRetryDurationMs: input?.maxRetryDurationMs ?? base.maxRetryDurationMs,
    minBackoffMs: input?.minBackoffMs ?? base.minBackoffMs,
    maxBackoffMs: input?.maxBackoffMs ?? base.maxBackoffMs,
    maxDoublings: input?.maxDoublings ?? base.maxDoublings,
  };
  if (policy.maxAttempts < -1) throw invalid('RetryConfig.maxAttempts must be greater or equal to -1.');
  if (policy.maxDoublings < 0) throw invalid('RetryConfig.maxDoublings cannot be negative.');
  if (policy.minBackoffMs < 0) throw invalid('RetryConfig.minBackoff cannot be negative.');
  if (policy.maxBackoffMs < 0) throw invalid('RetryConfig.maxBackoff cannot be negative.');
  if (policy.maxRetryDurationMs < 0) throw invalid('RetryConfig.maxRetryDuration cannot be negative.');
  if (policy.minBackoffMs > policy.maxBackoffMs) {
    throw invalid('RetryConfig.minBackoff must be less than or equal to RetryConfig.maxBackoff.');
  }
  return policy;
}
