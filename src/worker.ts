/**
 * The pull worker: reserves jobs from a JobService and runs them through the pipeline.
 *
 * - concurrency N: reserves only as many jobs as it has free slots;
 * - heartbeat: touches jobs that run past half their lease;
 * - graceful stop (SIGTERM/SIGINT or stop()): stops reserving, lets in-flight jobs finish
 *   within `shutdownGraceMs`, then aborts and releases the rest; never loses one;
 * - transport errors back off with jitter; no unhandled rejection, ever.
 *
 * @example
 * ```ts
 * const worker = createWorker({ service, jobs: [sendEmail], concurrency: 8 });
 * await worker.start();
 * ```
 */
import { applyOutcome } from './apply-outcome.ts';
import { ConfigError, describeError, UnsupportedError } from './errors.ts';
import type { AnyJob } from './job.ts';
import { guardLogger, silentLogger, type Logger } from './logger.ts';
import { createPipeline, type Pipeline } from './pipeline.ts';
import type { JobService, PullService, ReservedJob } from './service.ts';
import { createHeartbeat } from './heartbeat.ts';

export interface WorkerOptions {
  service: JobService;
  jobs: Iterable<AnyJob> | Record<string, AnyJob>;
  logger?: Logger;
  /** Jobs run at once. Default 4. */
  concurrency?: number;
  /** Concurrent reserve loops (SQS: several pollers). Default 1. */
  pollers?: number;
  /** Lease asked for on reserve. Default: the longest ttrSeconds of the jobs, within the transport's cap. */
  leaseMs?: number;
  /** Long-poll duration per reserve. Default 20000. */
  waitMs?: number;
  /** Most jobs per reserve call. Default 10. */
  batchSize?: number;
  /** Time in-flight jobs get to finish after a stop. Default 25000. */
  shutdownGraceMs?: number;
  /** Stop gracefully on SIGTERM and SIGINT. Default true. */
  handleSignals?: boolean;
  /** Backoff after a transport error: from `minMs`, doubling, capped at `maxMs`, full jitter. */
  errorBackoff?: { minMs?: number; maxMs?: number };
  /** Reuse a pipeline (shares its job map and logger). */
  pipeline?: Pipeline;
  maxBodyBytes?: number;
  random?: () => number;
}

export interface StopReport {
  /** Jobs running when the stop began. */
  inFlightAtStop: number;
  /** Of those, finished (outcome applied) within the grace period. */
  finished: number;
  /** Of those, released back to the queue at the end of the grace period. */
  released: number;
  durationMs: number;
}

export interface Worker {
  /** Starts the reserve loops; resolves once they run. */
  start(): Promise<void>;
  /** Graceful stop; resolves when every reserved job is finished or released. Idempotent. */
  stop(): Promise<StopReport>;
  /** Resolves when the worker has stopped (by stop() or a signal). */
  readonly stopped: Promise<StopReport>;
  readonly inFlight: number;
  readonly counts: { readonly reserved: number; readonly completed: number; readonly retried: number; readonly buried: number; readonly deferred: number; readonly transportErrors: number };
}

/** `applying`: the handler is done and its outcome is being sent; `released`: given back at the end of the grace period. */
type Slot = { job: ReservedJob; applying: boolean; released: boolean; done: Promise<void> };

export function createWorker(options: WorkerOptions): Worker {
  const service = requirePull(options.service);
  const logger = guardLogger(options.logger ?? options.pipeline?.logger ?? silentLogger);
  const pipeline =
    options.pipeline ??
    createPipeline({ jobs: options.jobs, adapter: service.adapter, queue: service.queue, maxBodyBytes: options.maxBodyBytes ?? service.limits.maxBodyBytes, logger, followUp: service });
  // Checked once, here, every wrong option named: a lease of 0 or NaN would otherwise show up
  // as endless redeliveries or endless transport errors.
  const problems: string[] = [];
  const concurrency = checked(options.concurrency, 4, 'concurrency', 'integer', problems);
  const pollers = checked(options.pollers, 1, 'pollers', 'integer', problems);
  const batchSize = checked(options.batchSize, 10, 'batchSize', 'integer', problems);
  const waitMs = checked(options.waitMs, 20_000, 'waitMs', 'ms', problems);
  const graceMs = checked(options.shutdownGraceMs, 25_000, 'shutdownGraceMs', 'ms', problems);
  const random = options.random ?? Math.random;
  const minBackoff = checked(options.errorBackoff?.minMs, 100, 'errorBackoff.minMs', 'ms', problems);
  const maxBackoff = checked(options.errorBackoff?.maxMs, 30_000, 'errorBackoff.maxMs', 'ms', problems);
  // Finite: the heartbeat touches at half the lease, and half of Infinity is no time at all.
  if (options.leaseMs !== undefined && !(typeof options.leaseMs === 'number' && options.leaseMs > 0 && Number.isFinite(options.leaseMs))) {
    problems.push(`leaseMs: must be a finite number of ms > 0, got ${String(options.leaseMs)}`);
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `worker.${p}`), { adapter: service.adapter, queue: service.queue });
  let longestTtr = 0;
  for (const job of pipeline.jobs.values()) longestTtr = Math.max(longestTtr, job.ttrSeconds * 1000);
  const leaseMs = Math.min(options.leaseMs ?? (longestTtr || 30_000), service.limits.maxLeaseMs);

  const counts = { reserved: 0, completed: 0, retried: 0, buried: 0, deferred: 0, transportErrors: 0 };
  const slots = new Set<Slot>();
  let claimed = 0; // slots promised to reserve calls in flight
  let state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  const stopReserving = new AbortController(); // ends long polls at once
  const graceOver = new AbortController(); // handlers' signal: aborted when the grace period ends
  const slotWaiters: Array<() => void> = [];
  let loops: Promise<void>[] = [];
  let resolveStopped!: (report: StopReport) => void;
  const stopped = new Promise<StopReport>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<StopReport> | undefined;
  const heartbeat = createHeartbeat({ leaseMs, touch: service.touch?.bind(service), logger, adapter: service.adapter, queue: service.queue });

  const waitForSlot = () => new Promise<void>((resolve) => slotWaiters.push(resolve));
  // Every poller waiting for a slot re-checks; the ones that find none wait again.
  const wakePollers = () => {
    for (const wake of slotWaiters.splice(0)) wake();
  };
  // Jobs of one batch finish together (one DeleteMessageBatch answers them all), one slot per
  // microtask: wake the pollers once those are all free, so a poller asks for a batch's worth
  // instead of one job at a time.
  let wakeScheduled = false;
  const freeSlot = () => {
    if (wakeScheduled) return;
    wakeScheduled = true;
    setImmediate(() => {
      wakeScheduled = false;
      wakePollers();
    });
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopReserving.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stopReserving.signal.removeEventListener('abort', done);
        resolve();
      }
      stopReserving.signal.addEventListener('abort', done, { once: true });
    });

  const process = (job: ReservedJob) => {
    const slot = { job, applying: false, released: false } as Slot;
    slots.add(slot);
    heartbeat.watch(job);
    slot.done = (async () => {
      try {
        const outcome = await pipeline.run({
          body: job.body,
          attempt: job.attempt,
          transportId: job.transportId,
          touch: service.touch ? (ms) => service.touch!(job, Math.min(ms, service.limits.maxLeaseMs)) : undefined,
          signal: graceOver.signal,
        });
        const touching = heartbeat.unwatch(job);
        // Released at the end of the grace period: this late outcome must not ack it again.
        if (slot.released) return;
        slot.applying = true;
        // An ack beside a touch in flight could quote a lease token the touch is replacing.
        if (touching !== undefined) await touching;
        counts[outcome.type === 'completed' ? 'completed' : outcome.type === 'retry' ? 'retried' : outcome.type]++;
        await withRetries(() => applyOutcome(service, job, outcome), `apply ${outcome.type}`);
      } catch (error) {
        counts.transportErrors++;
        logger.log('error', { event: 'worker.error', queue: service.queue, adapter: service.adapter, transportId: job.transportId, attempt: job.attempt, error: describeError(error), detail: 'the job will be delivered again when its lease ends' });
      } finally {
        heartbeat.unwatch(job);
        slots.delete(slot);
        freeSlot();
      }
    })();
  };

  // Acks and releases are retried a little: losing one only means a redelivery, but a blip
  // should not cause one.
  const withRetries = async (op: () => Promise<void>, what: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (error) {
        if (attempt >= 3 || (error as { retryable?: boolean }).retryable === false) throw error;
        logger.log('warn', { event: 'worker.retry-op', queue: service.queue, adapter: service.adapter, detail: what, error: describeError(error) });
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  };

  const loop = async () => {
    let failures = 0;
    while (state === 'running') {
      const free = concurrency - slots.size - claimed;
      if (free <= 0) {
        await waitForSlot();
        continue;
      }
      const want = Math.min(free, batchSize);
      claimed += want;
      let jobs: ReservedJob[] = [];
      try {
        jobs = await service.reserve({ max: want, leaseMs, waitMs, signal: stopReserving.signal });
        failures = 0;
      } catch (error) {
        claimed -= want;
        if (state !== 'running') break;
        counts.transportErrors++;
        failures++;
        const delay = Math.round(random() * Math.min(maxBackoff, minBackoff * 2 ** Math.min(failures - 1, 20)));
        logger.log('warn', { event: 'worker.backoff', queue: service.queue, adapter: service.adapter, error: describeError(error), delayMs: delay, failures });
        await sleep(delay);
        continue;
      }
      claimed -= want;
      counts.reserved += jobs.length;
      const giveBack: ReservedJob[] = [];
      for (const job of jobs) {
        // Reserved during a stop: give it straight back rather than start it.
        if (state !== 'running') giveBack.push(job);
        else process(job);
      }
      // Awaited, so stop() (which awaits the loops) resolves only once they are back.
      await Promise.all(
        giveBack.map((job) =>
          service.release(job, 0).catch((error: unknown) => logger.log('warn', { event: 'worker.error', queue: service.queue, adapter: service.adapter, transportId: job.transportId, error: describeError(error), detail: 'release of a job reserved during the stop failed; it returns when its lease ends' })),
        ),
      );
    }
  };

  const onSignal = (signal: NodeJS.Signals) => {
    logger.log('info', { event: 'worker.signal', queue: service.queue, adapter: service.adapter, detail: signal });
    void stop();
  };

  const stop = (): Promise<StopReport> => {
    if (stopping) return stopping;
    stopping = (async () => {
      const started = Date.now();
      const wasRunning = state === 'running';
      state = 'stopping';
      stopReserving.abort();
      wakePollers();
      const inFlight = [...slots];
      logger.log('info', { event: 'worker.stopping', queue: service.queue, adapter: service.adapter, inFlight: inFlight.length, graceMs });
      // The grace period runs from here, not from the end of the reserve loops: a reserve call
      // that does not honour the abort must not stretch a SIGTERM budget.
      const all = Promise.allSettled(inFlight.map((s) => s.done));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceEnded = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
      clearTimeout(timer);
      let released = 0;
      if (graceEnded) {
        graceOver.abort(new Error('worker shutdown: grace period ended'));
        // A job whose outcome is on its way (complete, release, bury) is not released under it:
        // that would race the ack and run a finished job again. Its apply is waited for.
        const unfinished = [...slots].filter((slot) => !slot.applying);
        const applying = [...slots].filter((slot) => slot.applying);
        logger.log('info', { event: 'worker.grace-ended', queue: service.queue, adapter: service.adapter, unfinished: unfinished.length, applying: applying.length });
        await Promise.allSettled([
          ...applying.map((slot) => slot.done),
          ...unfinished.map(async (slot) => {
            slot.released = true;
            const touching = heartbeat.unwatch(slot.job);
            try {
              if (touching !== undefined) await touching;
              await service.release(slot.job, 0);
              released++;
            } catch (error) {
              logger.log('error', { event: 'worker.error', queue: service.queue, adapter: service.adapter, transportId: slot.job.transportId, error: describeError(error), detail: 'release at shutdown failed; the job returns when its lease ends' });
            }
          }),
        ]);
      }
      // Loops end once their reserve call returns; what it brings is given back, not run.
      if (wasRunning) await Promise.allSettled(loops);
      heartbeat.close();
      detachSignals();
      state = 'stopped';
      const report: StopReport = { inFlightAtStop: inFlight.length, finished: inFlight.length - [...inFlight].filter((s) => s.released).length, released, durationMs: Date.now() - started };
      logger.log('info', { event: 'worker.stopped', queue: service.queue, adapter: service.adapter, ...report });
      resolveStopped(report);
      return report;
    })();
    return stopping;
  };

  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  const detachSignals = () => {
    if (options.handleSignals !== false) for (const s of signals) globalThis.process.off(s, onSignal);
  };

  return {
    async start() {
      if (state !== 'idle') throw new Error(`[${service.adapter}] worker.start failed: the worker is ${state}`);
      state = 'running';
      if (options.handleSignals !== false) for (const s of signals) globalThis.process.on(s, onSignal);
      logger.log('info', { event: 'worker.started', queue: service.queue, adapter: service.adapter, concurrency, pollers, leaseMs });
      loops = Array.from({ length: pollers }, () => loop().catch((error: unknown) => {
        logger.log('error', { event: 'worker.error', queue: service.queue, adapter: service.adapter, error: describeError(error), detail: 'reserve loop ended' });
      }));
    },
    stop,
    stopped,
    get inFlight() {
      return slots.size;
    },
    counts,
  };
}

function requirePull(service: JobService): PullService {
  for (const ability of ['reserve', 'release', 'complete', 'bury'] as const) {
    if (typeof service[ability] !== 'function') throw new UnsupportedError(service.adapter, ability, 'a pull worker needs reserve, release, complete and bury');
  }
  return service as PullService;
}

function checked(value: number | undefined, fallback: number, name: string, rule: 'integer' | 'ms', problems: string[]): number {
  const v = value ?? fallback;
  const ok = typeof v === 'number' && (rule === 'integer' ? Number.isInteger(v) && v >= 1 : Number.isFinite(v) && v >= 0);
  if (!ok) problems.push(`${name}: must be ${rule === 'integer' ? 'an integer >= 1' : 'a finite number of ms >= 0'}, got ${String(v)}`);
  return v;
}
