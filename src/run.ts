/**
 * The state of one handler run and the JobContext it sees. The AbortController and the
 * child logger are made only if the handler asks for them: most handlers never do, and
 * this is on the per-job hot path.
 */
import type { Envelope } from './envelope.ts';
import type { AnyJob, JobContext } from './job.ts';
import { withFields, type Logger } from './logger.ts';
import type { Delivery } from './pipeline.ts';

export class JobRun {
  readonly startedAt: number;
  readonly context: JobContext;
  #controller: AbortController | undefined;
  #abortReason: unknown;
  #aborted = false;
  #unlink: (() => void) | undefined;

  constructor(job: AnyJob, envelope: Envelope, delivery: Delivery, startedAt: number, deadline: number, logger: Logger, adapter: string, queue: string) {
    this.startedAt = startedAt;
    const run = this;
    let childLogger: Logger | undefined;
    this.context = {
      id: envelope.id,
      name: envelope.name,
      attempt: delivery.attempt,
      maxAttempts: job.maxAttempts,
      createdAt: envelope.createdAt,
      dedupeKey: envelope.dedupeKey,
      groupKey: envelope.groupKey,
      traceparent: envelope.traceparent,
      deadline,
      get signal() {
        return run.#signal(delivery.signal);
      },
      get logger() {
        childLogger ??= withFields(logger, { job: envelope.name, jobId: envelope.id, queue, adapter, attempt: delivery.attempt });
        return childLogger;
      },
      async touch(leaseMs = job.ttrSeconds * 1000) {
        if (delivery.touch === undefined) return false;
        await delivery.touch(leaseMs);
        return true;
      },
    };
  }

  #signal(external: AbortSignal | undefined): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#abortReason);
      else if (external !== undefined) {
        if (external.aborted) this.#controller.abort(external.reason);
        else {
          const onAbort = () => this.#controller?.abort(external.reason);
          external.addEventListener('abort', onAbort, { once: true });
          this.#unlink = () => external.removeEventListener('abort', onAbort);
        }
      }
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }

  dispose(): void {
    this.#unlink?.();
    this.#unlink = undefined;
  }
}
