/** The emulator's small parts on their own: backoff, limits, Retry-After, token bucket, clocks, names. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createManualClock, createRealClock } from '../../../adapters/cloud-tasks/emulator/clock.ts';
import { generateTaskId } from '../../../adapters/cloud-tasks/emulator/names.ts';
import { createTokenBucket } from '../../../adapters/cloud-tasks/emulator/rate-limiter.ts';
import { backoffMs, retriesExhausted, retryAfterMs } from '../../../adapters/cloud-tasks/emulator/retry-schedule.ts';
import type { RetryPolicy } from '../../../adapters/cloud-tasks/emulator/model.ts';

const policy = (p: Partial<RetryPolicy>): RetryPolicy => ({
  maxAttempts: 100,
  maxRetryDurationMs: 0,
  minBackoffMs: 100,
  maxBackoffMs: 3_600_000,
  maxDoublings: 16,
  ...p,
});

describe('backoffMs', () => {
  it('follows min, doublings, linear growth, cap', () => {
    const p = policy({ minBackoffMs: 10_000, maxBackoffMs: 300_000, maxDoublings: 3 });
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => backoffMs(p, k) / 1000)).toEqual([10, 20, 40, 80, 160, 240, 300, 300, 300]);
  });

  it('with the default config doubles from 0.1 s up to the 1 h cap', () => {
    const p = policy({});
    expect(backoffMs(p, 1)).toBe(100);
    expect(backoffMs(p, 2)).toBe(200);
    expect(backoffMs(p, 16)).toBe(100 * 2 ** 15);
    expect(backoffMs(p, 40)).toBe(3_600_000);
  });
});

describe('retriesExhausted', () => {
  const at = (attempts: number, elapsedMs: number, p: Partial<RetryPolicy>) => retriesExhausted(policy(p), attempts, 0, elapsedMs);
  it('needs both limits used up', () => {
    expect(at(3, 0, { maxAttempts: 3 })).toBe(true);
    expect(at(2, 0, { maxAttempts: 3 })).toBe(false);
    expect(at(3, 59_999, { maxAttempts: 3, maxRetryDurationMs: 60_000 })).toBe(false);
    expect(at(3, 60_000, { maxAttempts: 3, maxRetryDurationMs: 60_000 })).toBe(true);
    expect(at(2, 120_000, { maxAttempts: 3, maxRetryDurationMs: 60_000 })).toBe(false);
  });
  it('treats -1 attempts and 0 duration as unlimited', () => {
    expect(at(10_000, 10 ** 9, { maxAttempts: -1 })).toBe(false);
    expect(at(10_000, 59_999, { maxAttempts: -1, maxRetryDurationMs: 60_000 })).toBe(false);
    expect(at(2, 60_000, { maxAttempts: -1, maxRetryDurationMs: 60_000 })).toBe(true);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates; ignores garbage', () => {
    expect(retryAfterMs('120', 0)).toBe(120_000);
    expect(retryAfterMs(new Date(90_000).toUTCString(), 30_000)).toBe(60_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });
});

describe('token bucket', () => {
  it('starts full, refills at the rate, never above the burst size', () => {
    const bucket = createTokenBucket({ maxDispatchesPerSecond: 4, maxBurstSize: 2, maxConcurrentDispatches: 10 }, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([true, true, false]);
    expect(bucket.waitMs(0)).toBe(250);
    expect(bucket.tryTake(249)).toBe(false);
    expect(bucket.tryTake(250)).toBe(true);
    expect([bucket.tryTake(10_000), bucket.tryTake(10_000), bucket.tryTake(10_000)]).toEqual([true, true, false]);
  });
});

describe('clocks', () => {
  afterEach(() => vi.useRealTimers());

  it('the real clock waits past the 24.8-day setTimeout limit instead of firing at once', () => {
    vi.useFakeTimers();
    const clock = createRealClock();
    const fired = vi.fn();
    clock.setTimeout(fired, 30 * 86_400_000);
    vi.advanceTimersByTime(2 ** 31);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * 86_400_000 - 2 ** 31);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('the manual clock fires timers in time order and lands on the target time', async () => {
    const clock = createManualClock(1000);
    const order: number[] = [];
    clock.setTimeout(() => order.push(clock.now()), 300);
    clock.setTimeout(() => order.push(clock.now()), 100);
    const cancelled = clock.setTimeout(() => order.push(-1), 200);
    clock.clearTimeout(cancelled);
    await clock.advance(250);
    expect(order).toEqual([1100]);
    expect(clock.now()).toBe(1250);
    await clock.advance(50);
    expect(order).toEqual([1100, 1300]);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
  });
});

describe('generated task IDs', () => {
  it('are 19 random digits', () => {
    const ids = new Set(Array.from({ length: 200 }, generateTaskId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[1-9]\d{18}$/);
  });
});
