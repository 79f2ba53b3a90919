/**
 * The state of one handler run, which is also the JobContext the handler sees. This is on the
 * per-job hot path, so it is one class instance with its accessors on the prototype: no
 * closures per run, and the AbortController and the child logger are made only if the handler
 * asks for them (most handlers never do).
 */
import type { Envelope } from './envelope.ts';
import type { AnyJob, JobContext } from './job.ts';
import { withFields, type Logger, type LogRecord } from './logger.ts';
import { sanitize } from './redact.ts';
import type { Delivery } from './pipeline.ts';
import type { BatchContext } from './batch/summary.ts';
import type { ContinuationContext } from './continuation/continue.ts';

export class JobRun implements JobContext {
  readonly id: string;
  readonly name: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly createdAt: string;
  readonly dedupeKey: string | undefined;
  readonly groupKey: string | undefined;
  readonly traceparent: string | undefined;
  readonly deadline: number;
  readonly startedAt: number;
  /** Set by the pipeline's batch and continuation steps before the handler runs. */
  batch: BatchContext | undefined = undefined;
  continuation: ContinuationContext | undefined = undefined;
  idempotencyKey: string | undefined = undefined;
  #job: AnyJob;
  #delivery: Delivery;
  #baseLogger: Logger;
  #adapter: string;
  #queue: string;
  #logger: Logger | undefined;
  #controller: AbortController | undefined;
  #abortReason: unknown;
  #aborted = false;
  #unlink: (() => void) | undefined;
  #disposed = false;

  constructor(job: AnyJob, envelope: Envelope, delivery: Delivery, startedAt: number, deadline: number, logger: Logger, adapter: string, queue: string) {
    this.id = envelope.id;
    this.name = envelope.name;
    this.attempt = delivery.attempt;
    this.maxAttempts = job.maxAttempts;
    this.createdAt = envelope.createdAt;
    this.dedupeKey = envelope.dedupeKey;
    this.groupKey = envelope.groupKey;
    this.traceparent = envelope.traceparent;
    this.deadline = deadline;
    this.startedAt = startedAt;
    this.#job = job;
    this.#delivery = delivery;
    this.#baseLogger = logger;
    this.#adapter = adapter;
    this.#queue = queue;
  }

  /** The handler's view of this run (the run itself: JobContext is its public face). */
  get context(): JobContext {
    return this;
  }

  /** Aborted when the job times out or the worker shuts down. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = (this.#controller = new AbortController());
      const external = this.#delivery.signal;
      if (this.#aborted) controller.abort(this.#abortReason);
      // After the run settled, a late read must not add a listener to a long-lived signal.
      else if (external !== undefined && !this.#disposed) {
        if (external.aborted) controller.abort(external.reason);
        else {
          const onAbort = () => controller.abort(external.reason);
          external.addEventListener('abort', onAbort, { once: true });
          this.#unlink = () => external.removeEventListener('abort', onAbort);
        }
      }
    }
    return this.#controller.signal;
  }

  /** Records are redacted with the job's secretFields (and the built-in names) before any logger sees them. */
  get logger(): Logger {
    if (this.#logger === undefined) {
      const base = withFields(this.#baseLogger, { job: this.name, jobId: this.id, queue: this.#queue, adapter: this.#adapter, attempt: this.attempt });
      const secretFields = this.#job.secretFields;
      this.#logger = { isEnabled: (level) => base.isEnabled(level), log: (level, record) => base.log(level, sanitize(record, secretFields) as LogRecord) };
    }
    return this.#logger;
  }

  async touch(leaseMs: number = this.#job.ttrSeconds * 1000): Promise<boolean> {
    const touch = this.#delivery.touch;
    if (touch === undefined) return false;
    await touch(leaseMs);
    return true;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }

  /** Unlinks from the delivery's signal once the run has settled. Idempotent. */
  dispose(): void {
    this.#disposed = true;
    this.#unlink?.();
    this.#unlink = undefined;
  }
}
