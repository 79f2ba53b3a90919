/**
 * One handler run still pending: its promise raced against its deadline. It is also the
 * watchdog's entry (src/watchdog.ts), so a pending run costs one object on the per-job hot path.
 */
import type { Envelope } from './envelope.ts';
import { TimeoutError } from './errors.ts';
import type { AnyJob } from './job.ts';
import type { Outcome } from './outcome.ts';
import type { Delivery } from './pipeline.ts';
import type { JobRun } from './run.ts';
import type { Watchdog, Watched } from './watchdog.ts';

export interface PendingHost {
  readonly watchdog: Watchdog;
  readonly settle: (run: JobRun, delivery: Delivery, job: AnyJob, envelope: Envelope, thrown: unknown, failed: boolean, value: unknown) => Outcome;
  readonly internalFailure: (delivery: Delivery, error: unknown) => Outcome;
  readonly adapter: string;
  readonly queue: string;
}

/**
 * A handler's promise raced against its deadline: whichever ends first settles the run, once.
 * A result that arrives after the timeout is discarded: the job was already released.
 */
export class PendingRun implements Watched {
  readonly deadline: number;
  watchPrev: Watched | undefined = undefined;
  watchNext: Watched | undefined = undefined;
  resolve: (outcome: Outcome) => void = noop;
  #done = false;
  readonly #run: JobRun;
  readonly #delivery: Delivery;
  readonly #job: AnyJob;
  readonly #envelope: Envelope;
  readonly #host: PendingHost;

  constructor(run: JobRun, delivery: Delivery, job: AnyJob, envelope: Envelope, host: PendingHost) {
    this.deadline = run.deadline;
    this.#run = run;
    this.#delivery = delivery;
    this.#job = job;
    this.#envelope = envelope;
    this.#host = host;
  }

  finish(failed: boolean, valueOrError: unknown): void {
    if (this.#done) return;
    this.#done = true;
    const host = this.#host;
    host.watchdog.delete(this);
    this.#run.dispose();
    // settle() runs user-supplied getters (error.name): it must not leave the run pending.
    try {
      this.resolve(host.settle(this.#run, this.#delivery, this.#job, this.#envelope, failed ? valueOrError : undefined, failed, failed ? undefined : valueOrError));
    } catch (error) {
      this.resolve(host.internalFailure(this.#delivery, error));
    }
  }

  expire(): void {
    const job = this.#job;
    const { adapter, queue } = this.#host;
    const why = this.deadline < this.#run.startedAt + job.timeoutMs ? 'the delivery deadline passed' : `timed out after ${job.timeoutMs} ms`;
    const error = new TimeoutError(`[${adapter}] job ${job.name} ${why}`, { adapter, queue, jobId: this.#envelope.id });
    this.#run.abort(error);
    this.finish(true, error);
  }
}

const noop = () => {};
