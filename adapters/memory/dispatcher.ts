/**
 * Push mode for the memory transport: hands each job to a callback, the way Lambda hands SQS
 * records to a function or Cloud Tasks POSTs a task to a URL. At most `concurrency` deliveries
 * run at once.
 *
 * Like those platforms, the dispatcher settles what the callback left unsettled: a delivery
 * that resolves is completed (a 2xx), one that rejects is released for a retry after
 * `retryDelayMs` (a non-2xx). A callback that settles the job itself (complete, release or
 * bury, e.g. through applyOutcome) is left alone.
 *
 * @example
 * ```ts
 * const dispatcher = createMemoryDispatcher({
 *   service,
 *   concurrency: 8,
 *   deliver: async (job) => {
 *     const outcome = await pipeline.run({ body: job.body, attempt: job.attempt, transportId: job.transportId });
 *     await applyOutcome(service, job, outcome);
 *   },
 * });
 * dispatcher.start();
 * // ...
 * await dispatcher.stop(); // waits for in-flight deliveries
 * ```
 */
import type { ReservedJob } from '../../src/service.ts';
import type { MemoryService } from './service.ts';

export interface MemoryDispatcherOptions {
  service: MemoryService;
  /** Receives one job. Resolve: done. Reject: delivered again after `retryDelayMs`. */
  deliver: (job: ReservedJob) => Promise<void>;
  /** Deliveries running at once. Default 1. */
  concurrency?: number;
  /** Lease of each delivered job; a delivery that outlives it is delivered again. Default 30_000. */
  leaseMs?: number;
  /** Delay before a failed delivery is retried. Default 1_000. */
  retryDelayMs?: number;
  /** Long poll of each reserve while the queue is empty; stop() ends it at once. Default 20_000. */
  waitMs?: number;
  /** Failed deliveries and failed settles (the dispatcher never throws them). Default: ignored. */
  onError?: (error: unknown, job: ReservedJob | undefined) => void;
}

export interface MemoryDispatcher {
  /** Starts delivering. Starting a running dispatcher does nothing. */
  start(): void;
  /** Stops taking jobs, then resolves once every in-flight delivery has finished. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when nothing is in flight and nothing is ready (delayed jobs may come later). */
  onIdle(): Promise<void>;
  readonly running: boolean;
  readonly inFlight: number;
  readonly counts: { readonly delivered: number; readonly succeeded: number; readonly failed: number };
}

export function createMemoryDispatcher(options: MemoryDispatcherOptions): MemoryDispatcher {
  const { service, deliver } = options;
  const concurrency = options.concurrency ?? 1;
  const leaseMs = options.leaseMs ?? 30_000;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const waitMs = options.waitMs ?? 20_000;
  const userOnError = options.onError;
  // A throwing onError must not become an unhandled rejection or skip the settle that follows.
  const onError = (error: unknown, job: ReservedJob | undefined) => {
    try {
      userOnError?.(error, job);
    } catch {
      // Reporting is best effort.
    }
  };
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError(`[memory] createMemoryDispatcher failed: concurrency must be an integer >= 1, got ${String(concurrency)}`);
  if (typeof deliver !== 'function') throw new TypeError('[memory] createMemoryDispatcher failed: deliver must be a function');

  const counts = { delivered: 0, succeeded: 0, failed: 0 };
  const deliveries = new Set<Promise<void>>();
  let running = false;
  let polling = false; // the loop is in a long poll: nothing was ready when it began
  let stopper = new AbortController();
  let loop: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  let wakeLoop: (() => void) | undefined;
  const idleWaiters: Array<() => void> = [];

  const idle = () => {
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const settle = async (job: ReservedJob, failed: boolean) => {
    // The callback may have settled the job (or its lease ended): then there is nothing to do.
    if (!service.holds(job)) return;
    if (failed) await service.release(job, retryDelayMs);
    else await service.complete(job);
  };

  const run = (job: ReservedJob) => {
    counts.delivered++;
    const delivery = (async () => {
      let failed = false;
      try {
        await deliver(job);
      } catch (error) {
        failed = true;
        onError(error, job);
      }
      counts[failed ? 'failed' : 'succeeded']++;
      try {
        await settle(job, failed);
      } catch (error) {
        onError(error, job);
      }
    })();
    deliveries.add(delivery);
    void delivery.finally(() => {
      deliveries.delete(delivery);
      wakeLoop?.();
      if (deliveries.size === 0 && (polling || !running)) idle();
    });
  };

  const reserve = (max: number, wait: boolean) =>
    service.reserve(wait ? { max, leaseMs, waitMs, signal: stopper.signal } : { max, leaseMs });

  const pump = async () => {
    while (running) {
      const free = concurrency - deliveries.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (wakeLoop = resolve));
        wakeLoop = undefined;
        continue;
      }
      let jobs: ReservedJob[];
      try {
        jobs = await reserve(free, false);
        if (jobs.length === 0 && running) {
          if (deliveries.size === 0) idle();
          polling = true;
          jobs = await reserve(free, true).finally(() => (polling = false));
        }
      } catch (error) {
        // The service is closed or refuses: stop delivering rather than spin on the error.
        if (running) onError(error, undefined);
        running = false;
        break;
      }
      for (const job of jobs) {
        // Reserved as a stop began: hand it back at once instead of starting it.
        if (running) run(job);
        else void service.release(job, 0).catch((error: unknown) => onError(error, job));
      }
    }
    if (deliveries.size === 0) idle();
  };

  return {
    start() {
      if (running) return;
      if (stopping !== undefined) throw new Error('[memory] dispatcher start failed: a stop is in progress');
      running = true;
      stopper = new AbortController();
      loop = pump();
    },
    stop() {
      stopping ??= (async () => {
        running = false;
        stopper.abort();
        wakeLoop?.();
        await loop;
        await Promise.allSettled([...deliveries]);
        idle();
      })().finally(() => (stopping = undefined));
      return stopping;
    },
    onIdle() {
      if (!running && deliveries.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        // Already idle (long-polling an empty queue, nothing in flight): no later event would
        // say so. Checked again after a macrotask, so a job enqueued just before is seen first.
        if (polling && deliveries.size === 0) {
          setImmediate(() => {
            if (polling && deliveries.size === 0) idle();
          });
        }
      });
    },
    get running() {
      return running;
    },
    get inFlight() {
      return deliveries.size;
    },
    counts,
  };
}
