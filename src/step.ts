/**
 * What the pipeline hands each of its optional steps (idempotency, exclusive jobs, batches,
 * continuations) for one delivery: the delivery and its decoded envelope, the clocks, and the
 * pipeline's own `log` and `bury`, so every step writes the same job lines and bury outcomes.
 * Each step adds its settings and the continuation it calls.
 */
import type { Envelope } from './envelope.ts';
import type { AnyJob } from './job.ts';
import type { LogLevel } from './logger.ts';
import type { BuryReason, ErrorInfo, Outcome } from './outcome.ts';
import type { Delivery } from './pipeline.ts';

export interface StepContext {
  readonly job: AnyJob;
  readonly delivery: Delivery;
  readonly envelope: Envelope;
  readonly now: () => number;
  readonly random: () => number;
  /** Writes a job line with the pipeline's fixed fields (event, job, jobId, queue, adapter, attempt, ...). */
  log(level: LogLevel, event: string, extra: Record<string, unknown>): void;
  /** The pipeline's bury: logs the line and returns the outcome. */
  bury(reason: BuryReason, detail: string, error: ErrorInfo | undefined): Outcome;
}
