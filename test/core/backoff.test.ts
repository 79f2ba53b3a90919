/** Retry delays: exponential (full / equal / no jitter, capped), fixed, list; always finite. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, backoffProblems, DEFAULT_BACKOFF, type Backoff } from '../../src/backoff.ts';

const at = (value: number) => () => value;
const delays = (backoff: Backoff, random = at(0.5), attempts = [1, 2, 3, 4, 5]) => attempts.map((a) => backoffDelayMs(backoff, a, random));

describe('backoffDelayMs', () => {
  it('grows exponentially from baseMs without jitter', () => {
    expect(delays({ type: 'exponential', baseMs: 100, jitter: 'none' })).toEqual([100, 200, 400, 800, 1600]);
  });

  it('uses the growth factor', () => {
    expect(delays({ type: 'exponential', baseMs: 10, factor: 3, jitter: 'none' }, at(0), [1, 2, 3])).toEqual([10, 30, 90]);
  });

  it('caps every delay at maxMs', () => {
    expect(delays({ type: 'exponential', baseMs: 100, maxMs: 500, jitter: 'none' })).toEqual([100, 200, 400, 500, 500]);
  });

  it('full jitter draws from [0, d]', () => {
    const backoff: Backoff = { type: 'exponential', baseMs: 1000, jitter: 'full' };

    expect(backoffDelayMs(backoff, 3, at(0))).toBe(0);
    expect(backoffDelayMs(backoff, 3, at(0.25))).toBe(1000);
    expect(backoffDelayMs(backoff, 3, at(0.999999))).toBe(4000);
  });

  it('equal jitter draws from [d/2, d]', () => {
    const backoff: Backoff = { type: 'exponential', baseMs: 1000, jitter: 'equal' };

    expect(backoffDelayMs(backoff, 3, at(0))).toBe(2000);
    expect(backoffDelayMs(backoff, 3, at(0.5))).toBe(3000);
    expect(backoffDelayMs(backoff, 3, at(0.999999))).toBe(4000);
  });

  it('defaults to exponential from 1 s with equal jitter, capped at 10 min', () => {
    expect(DEFAULT_BACKOFF).toEqual({ type: 'exponential', baseMs: 1000, maxMs: 600_000, jitter: 'equal' });
    expect(backoffDelayMs({ type: 'exponential' }, 1, at(0))).toBe(500);
    expect(backoffDelayMs({ type: 'exponential' }, 40, at(0.999999))).toBe(600_000);
  });

  it('fixed repeats one delay', () => {
    expect(delays({ type: 'fixed', delayMs: 250 })).toEqual([250, 250, 250, 250, 250]);
  });

  it('list walks the delays and repeats the last', () => {
    expect(delays({ type: 'list', delaysMs: [10, 20, 30] })).toEqual([10, 20, 30, 30, 30]);
  });

  it('a base of 0 stays 0 however large the factor and attempt', () => {
    expect(backoffDelayMs({ type: 'exponential', baseMs: 0, factor: 1e6, jitter: 'none' }, 100)).toBe(0);
  });

  it('treats a NaN or negative attempt as the first', () => {
    expect(backoffDelayMs({ type: 'list', delaysMs: [7, 8] }, Number.NaN)).toBe(7);
    expect(backoffDelayMs({ type: 'exponential', baseMs: 10, jitter: 'none' }, -3)).toBe(10);
  });

  it('never gives NaN, Infinity or a negative delay, for any valid backoff and attempt', () => {
    const nonNegative = fc.double({ min: 0, max: 1e308, noNaN: true });
    const backoff: fc.Arbitrary<Backoff> = fc.oneof(
      fc.record(
        {
          type: fc.constant('exponential' as const),
          baseMs: nonNegative,
          maxMs: nonNegative,
          factor: fc.double({ min: 1, max: 1e308, noNaN: true }),
          jitter: fc.constantFrom('full' as const, 'equal' as const, 'none' as const),
        },
        { requiredKeys: ['type'] },
      ),
      fc.record({ type: fc.constant('fixed' as const), delayMs: nonNegative }),
      fc.record({ type: fc.constant('list' as const), delaysMs: fc.array(nonNegative, { minLength: 1, maxLength: 5 }) }),
    );
    const attempt = fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(1e6, 2 ** 31, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Infinity, Number.NaN));

    fc.assert(
      fc.property(backoff, attempt, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (b, n, r) => {
        expect(backoffProblems(b)).toEqual([]);
        const delay = backoffDelayMs(b, n, () => r);
        expect(Number.isFinite(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        if (b.type === 'exponential') expect(delay).toBeLessThanOrEqual(Math.round(b.maxMs ?? 600_000));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('backoffProblems', () => {
  it('accepts every documented shape', () => {
    for (const b of [DEFAULT_BACKOFF, { type: 'fixed', delayMs: 0 }, { type: 'list', delaysMs: [0, 5] }, { type: 'exponential', factor: 1 }] as Backoff[]) {
      expect(backoffProblems(b)).toEqual([]);
    }
  });

  it.each([
    [{ type: 'exponential', baseMs: -1 }, 'backoff.baseMs: must be a finite number >= 0'],
    [{ type: 'exponential', maxMs: Infinity }, 'backoff.maxMs: must be a finite number >= 0'],
    [{ type: 'exponential', factor: 0.5 }, 'backoff.factor: must be a finite number >= 1'],
    [{ type: 'exponential', factor: Infinity }, 'backoff.factor: must be a finite number >= 1'],
    [{ type: 'exponential', jitter: 'random' }, `backoff.jitter: must be 'full', 'equal' or 'none', got "random"`],
    [{ type: 'fixed', delayMs: '5' }, 'backoff.delayMs: must be a finite number >= 0'],
    [{ type: 'list', delaysMs: 5 }, 'backoff.delaysMs: must be a non-empty array'],
    [{ type: 'list', delaysMs: [1, Number.NaN] }, 'backoff.delaysMs[1]: must be a finite number >= 0'],
    [{ type: 'linear' }, `backoff.type: must be 'exponential', 'fixed' or 'list'`],
  ])('%j: %s', (backoff, problem) => {
    expect(backoffProblems(backoff as Backoff)).toEqual([problem]);
  });

  it('names every problem of one backoff', () => {
    expect(backoffProblems({ type: 'exponential', baseMs: -1, maxMs: -1, factor: 0 })).toHaveLength(3);
  });

  it.each([null, 'exponential', 5, []])('reports a backoff that is not an object (%j) instead of throwing', (backoff) => {
    expect(backoffProblems(backoff as unknown as Backoff)).toEqual([expect.stringMatching(/^backoff: must be an object/)]);
  });
});
