/**
 * Retry delays. A job's backoff is one of: exponential (with jitter and a cap), fixed, or an
 * explicit list of delays (the last one repeats).
 */
export type Backoff =
  | {
      type: 'exponential';
      /** Delay before the first retry. Default 1000. */
      baseMs?: number;
      /** Upper bound for any delay. Default 600000 (10 min). */
      maxMs?: number;
      /** `full`: random in [0, d]; `equal`: d/2 + random in [0, d/2]; `none`. Default `equal`. */
      jitter?: 'full' | 'equal' | 'none';
      /** Growth factor per attempt. Default 2. */
      factor?: number;
    }
  | { type: 'fixed'; delayMs: number }
  | { type: 'list'; delaysMs: readonly number[] };

export const DEFAULT_BACKOFF: Backoff = { type: 'exponential', baseMs: 1000, maxMs: 600_000, jitter: 'equal' };

/**
 * Delay before the next delivery, after delivery number `attempt` (1-based) failed.
 * `random` is injectable so tests are deterministic.
 */
export function backoffDelayMs(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  // NaN or a negative attempt counts as the first: a delay is always a finite number >= 0.
  const n = attempt >= 1 ? Math.floor(attempt) : 1;
  switch (backoff.type) {
    case 'fixed':
      return Math.max(0, backoff.delayMs);
    case 'list': {
      const list = backoff.delaysMs;
      if (list.length === 0) return 0;
      return Math.max(0, list[Math.min(n, list.length) - 1] ?? 0);
    }
    case 'exponential': {
      const base = backoff.baseMs ?? 1000;
      const max = backoff.maxMs ?? 600_000;
      const factor = backoff.factor ?? 2;
      // Cap the exponent first so huge attempt numbers never overflow to Infinity/NaN.
      // A base of 0 stays 0 (0 * Infinity would be NaN).
      const raw = base === 0 ? 0 : Math.min(max, base * factor ** Math.min(n - 1, 64));
      const capped = Number.isFinite(raw) ? raw : max;
      switch (backoff.jitter ?? 'equal') {
        case 'none':
          return Math.round(capped);
        case 'full':
          return Math.round(random() * capped);
        default:
          return Math.round(capped / 2 + random() * (capped / 2));
      }
    }
  }
}

/** Checks a backoff value at definition time; returns the problems found. */
export function backoffProblems(backoff: Backoff): string[] {
  const problems: string[] = [];
  if (typeof backoff !== 'object' || backoff === null || Array.isArray(backoff)) {
    return [`backoff: must be an object such as { type: 'exponential' }, { type: 'fixed', delayMs } or { type: 'list', delaysMs }, got ${JSON.stringify(backoff) ?? typeof backoff}`];
  }
  const nonNegative = (value: unknown, name: string) => {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      problems.push(`${name}: must be a finite number >= 0`);
    }
  };
  switch (backoff.type) {
    case 'fixed':
      nonNegative(backoff.delayMs, 'backoff.delayMs');
      break;
    case 'list':
      if (!Array.isArray(backoff.delaysMs) || backoff.delaysMs.length === 0) problems.push('backoff.delaysMs: must be a non-empty array');
      else backoff.delaysMs.forEach((d, i) => nonNegative(d, `backoff.delaysMs[${i}]`));
      break;
    case 'exponential':
      nonNegative(backoff.baseMs, 'backoff.baseMs');
      nonNegative(backoff.maxMs, 'backoff.maxMs');
      if (backoff.factor !== undefined && !(typeof backoff.factor === 'number' && Number.isFinite(backoff.factor) && backoff.factor >= 1)) problems.push('backoff.factor: must be a finite number >= 1');
      if (backoff.jitter !== undefined && !['full', 'equal', 'none'].includes(backoff.jitter)) problems.push(`backoff.jitter: must be 'full', 'equal' or 'none', got ${JSON.stringify(backoff.jitter)}`);
      break;
    default:
      problems.push(`backoff.type: must be 'exponential', 'fixed' or 'list'`);
  }
  return problems;
}
