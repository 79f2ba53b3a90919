/**
 * Sizes and counts of the hazard suites. CI runs them at their own sizes; `npm run reliability`
 * runs them larger (RELIABILITY_HAZARD_SCALE, a whole number: every property's number of runs
 * times it) and collects what each test counted (RELIABILITY_HAZARD_FIGURES, a file that gets one
 * JSON line per test) for its table. Not JOBFERRY_*: the local app refuses variables it does not
 * know. A test counts what it observed BEFORE it asserts on it, and writes its line when it ends,
 * failed or not: a failing run reports its real counts.
 */
import { appendFileSync } from 'node:fs';
import { onTestFinished } from 'vitest';

/** Where a hazard was driven: the pipeline itself, a transport, an entry point. */
export type HazardPath = 'pipeline' | 'memory' | 'http-api' | 'sqs' | 'lambda' | 'cloud-tasks-pull' | 'cloud-tasks-push';

/** What was checked: prototype pollution, depth bombs, size limits, secrets in what is written. */
export type HazardCheck = 'pollution' | 'depth-bomb' | 'size-limit' | 'redaction';

/** One test's line in the figures file. */
export interface HazardCount {
  readonly check: HazardCheck;
  readonly path: HazardPath;
  readonly test: string;
  /** Inputs driven (payloads, bodies, requests). */
  cases: number;
  /** Cases that went wrong: polluted a prototype, was parsed or answered other than expected, leaked a secret. */
  failures: number;
  /** Redaction only: secrets planted in the cases. */
  secrets: number;
  /** Uncaught exceptions and unhandled rejections seen while the test ran. */
  crashes: number;
  /** Log lines (written or handed to the logger) that mention a RangeError or a stack overflow. */
  rangeErrors: number;
}

const SCALE = scaleFromEnv(process.env.RELIABILITY_HAZARD_SCALE);

/** A property's number of runs: `ci` in CI, `ci` x RELIABILITY_HAZARD_SCALE in the full run. */
export function runs(ci: number): number {
  return ci * SCALE;
}

/**
 * fast-check parameters for a property of `ci` runs. While figures are collected, a failure ends
 * the property at once (no shrinking): shrinking re-runs the body, and its counts with it, so a
 * failing run would report inflated counts. CI keeps shrinking, for the smallest failing input.
 */
export function property(ci: number): { numRuns: number; endOnFailure: boolean } {
  return { numRuns: runs(ci), endOnFailure: process.env.RELIABILITY_HAZARD_FIGURES !== undefined };
}

export const RANGE_ERROR = /RangeError|Maximum call stack/;

/**
 * A count for the running test, written to the figures file when the test finishes. `watch`
 * names the log text and crash list to read then (crashes and RangeErrors are counted from them).
 */
export function tally(check: HazardCheck, path: HazardPath, watch: { text?: () => string; crashes?: readonly string[] } = {}): HazardCount {
  const count: HazardCount = { check, path, test: '', cases: 0, failures: 0, secrets: 0, crashes: 0, rangeErrors: 0 };
  onTestFinished((context) => {
    const file = process.env.RELIABILITY_HAZARD_FIGURES;
    if (file === undefined) return;
    const text = watch.text?.() ?? '';
    count.crashes = watch.crashes?.length ?? 0;
    count.rangeErrors = text.split('\n').filter((line) => RANGE_ERROR.test(line)).length;
    (count as { test: string }).test = context.task.name;
    appendFileSync(file, `${JSON.stringify(count)}\n`);
  });
  return count;
}

function scaleFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const scale = Number(value);
  if (!Number.isSafeInteger(scale) || scale < 1) throw new Error(`RELIABILITY_HAZARD_SCALE must be a whole number >= 1, got ${JSON.stringify(value)}`);
  return scale;
}
