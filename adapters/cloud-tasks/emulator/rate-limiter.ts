/**
 * A queue's dispatch rate: a token bucket holding up to maxBurstSize tokens, refilled at
 * maxDispatchesPerSecond; each dispatch takes one token. Runs on the emulator clock.
 */
import type { RateLimitPolicy } from './model.ts';

export interface TokenBucket {
  /** Takes a token if one is there. */
  tryTake(now: number): boolean;
  /** Ms until the next token (0 when one is there; Infinity at rate 0). */
  waitMs(now: number): number;
  /** Applies new limits (UpdateQueue), keeping the tokens already there up to the new size. */
  configure(limits: RateLimitPolicy, now: number): void;
}

export function createTokenBucket(limits: RateLimitPolicy, now: number): TokenBucket {
  let capacity = Math.max(1, limits.maxBurstSize);
  let rate = limits.maxDispatchesPerSecond;
  let tokens = capacity;
  let at = now;

  const refill = (t: number) => {
    if (t > at) {
      tokens = Math.min(capacity, tokens + ((t - at) / 1000) * rate);
      at = t;
    }
  };

  return {
    tryTake(t) {
      refill(t);
      // A hair of tolerance: float refills like 0.9999999 should count as a whole token.
      if (tokens >= 1 - 1e-9) {
        tokens = Math.max(0, tokens - 1);
        return true;
      }
      return false;
    },
    waitMs(t) {
      refill(t);
      if (tokens >= 1 - 1e-9) return 0;
      if (rate <= 0) return Infinity;
      return Math.ceil(((1 - tokens) / rate) * 1000);
    },
    configure(next, t) {
      refill(t);
      capacity = Math.max(1, next.maxBurstSize);
      rate = next.maxDispatchesPerSecond;
      tokens = Math.min(tokens, capacity);
    },
  };
}
