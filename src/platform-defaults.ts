/**
 * The platform settings a set of jobs implies, shared by the infrastructure code (infra/) and
 * the local app's emulated platforms (src/cli/dev-*.ts), so both derive them the same way:
 * the function outlives the longest job, the queue's visibility timeout is six times the
 * function timeout (plus the batching window), and the platform's own delivery cap sits a
 * safety net above the jobs' largest maxAttempts.
 */
import type { AnyJob } from './job.ts';

/** Deliveries the platform allows above the jobs' largest maxAttempts (a safety net, not the policy). */
export const SAFETY_NET_ATTEMPTS = 3;
/** Time a push entry keeps after the longest job's own timeout (transport calls, the answer). */
export const HANDLER_MARGIN_SECONDS = 5;
/** Default function timeout beyond the longest job's timeout. */
export const FUNCTION_TIMEOUT_MARGIN_SECONDS = 30;

export interface JobExtremes {
  readonly longest: AnyJob;
  readonly most: AnyJob;
  /** The longest job's timeout, in whole seconds. */
  readonly longestSeconds: number;
}

/** The job with the longest timeout and the one with the most attempts. */
export function jobExtremes(jobs: readonly AnyJob[]): JobExtremes {
  const longest = jobs.reduce((a, b) => (b.timeoutMs > a.timeoutMs ? b : a));
  const most = jobs.reduce((a, b) => (b.maxAttempts > a.maxAttempts ? b : a));
  return { longest, most, longestSeconds: Math.ceil(longest.timeoutMs / 1000) };
}

/** The visibility timeout a function timeout needs: six times it, plus the batching window. */
export function visibilityTimeoutFor(functionTimeoutSeconds: number, batchingWindowSeconds = 0): number {
  return 6 * functionTimeoutSeconds + batchingWindowSeconds;
}
