/**
 * The one pipeline: every delivery, push or pull, from any adapter, goes through here.
 *
 *   delivery -> size check -> decode envelope -> find job -> validate payload
 *            -> attempt check (attempt > maxAttempts: bury BEFORE running)
 *            -> run handler (id, attempt, logger, AbortSignal, deadline, touch)
 *            -> outcome: completed | retry (delay) | buried (reason) | deferred (notBefore)
 *
 * `run()` never rejects: every failure is an Outcome.
 */
import { backoffDelayMs } from './backoff.ts';
import { decodeEnvelope, type Envelope } from './envelope.ts';
import { describeError } from './errors.ts';
import { classifyError } from './classify.ts';
import { jobRegistry, type AnyJob } from './job.ts';
import { guardLogger, silentLogger, type Logger, type LogLevel } from './logger.ts';
import type { BuryReason, ErrorInfo, Outcome } from './outcome.ts';
import { JobRun } from './run.ts';
import { validate } from './schema.ts';
import { createWatchdog } from './watchdog.ts';
import { PendingRun, type PendingHost } from './pending-run.ts';
import { sanitize } from './redact.ts';
import { runIdempotent } from './idempotency/guard.ts';
import { runInBatch } from './batch/step.ts';
import type { BatchContext } from './batch/summary.ts';
import { runExclusive } from './exclusive/step.ts';
import { runLink } from './continuation/step.ts';
import type { ContinuationContext } from './continuation/continue.ts';
import type { JobService } from './service.ts';

/** One delivery of a body, as an adapter received it. */
export interface Delivery {
  readonly body: string | Uint8Array;
  /** 1-based delivery number from the transport. */
  readonly attempt: number;
  /** The transport's message id, for logs. */
  readonly transportId?: string;
  /** Epoch ms by which the platform needs an answer (Lambda remaining time, dispatch deadline). */
  readonly deadline?: number;
  /** Extends the lease on pull transports; absent on push. */
  readonly touch?: (leaseMs: number) => Promise<void>;
  /** Aborted on worker shutdown: passed on to the handler's signal. */
  readonly signal?: AbortSignal;
  /**
   * The transport's own cap on deliveries (a Cloud Tasks queue's maxAttempts), where the
   * transport drops the job after it: a retryable failure on that delivery is buried instead.
   */
  readonly maxAttempts?: number;
}

export interface PipelineOptions {
  jobs: Iterable<AnyJob> | Record<string, AnyJob>;
  /** For log lines: `memory`, `sqs`, `cloud-tasks`. */
  adapter: string;
  /** For log lines. */
  queue: string;
  /** Bodies larger than this are buried before parsing. */
  maxBodyBytes: number;
  logger?: Logger;
  now?: () => number;
  random?: () => number;
  /**
   * Where jobs the pipeline itself sends go: a batch's finished job (src/batch). The pull
   * worker passes its own service; a push wrapper takes a pipeline made with this option.
   * Without it, a done batch's finished job is left for finishBatch().
   */
  followUp?: JobService;
}

export interface Pipeline {
  run(delivery: Delivery): Promise<Outcome>;
  readonly jobs: ReadonlyMap<string, AnyJob>;
  readonly adapter: string;
  readonly queue: string;
  readonly logger: Logger;
}

/**
 * Builds the pipeline once (job map, watchdog); run() is then called per delivery.
 *
 * @example
 * ```ts
 * const pipeline = createPipeline({ jobs: [sendEmail], adapter: 'sqs', queue: 'emails', maxBodyBytes: 1_048_576 });
 * const outcome = await pipeline.run({ body, attempt: 1 });
 * ```
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const jobs = jobRegistry(options.jobs);
  // Guarded: a logger that throws must not change an outcome, reject run() or crash the watchdog.
  const logger = guardLogger(options.logger ?? silentLogger);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const { adapter, queue, maxBodyBytes } = options;
  let smallestTimeout = 60_000;
  for (const job of jobs.values()) smallestTimeout = Math.min(smallestTimeout, job.timeoutMs);
  const watchdog = createWatchdog(Math.min(250, Math.max(5, Math.floor(smallestTimeout / 10))), now);

  const line = (level: LogLevel, event: string, envelope: Envelope | undefined, delivery: Delivery, extra: Record<string, unknown>) => {
    logger.log(level, {
      event,
      job: envelope?.name,
      jobId: envelope?.id,
      queue,
      adapter,
      attempt: delivery.attempt,
      transportId: delivery.transportId,
      traceId: traceIdOf(envelope?.traceparent),
      ...extra,
    });
  };

  const bury = (
    delivery: Delivery,
    envelope: Envelope | undefined,
    reason: BuryReason,
    detail: string,
    error: ErrorInfo | undefined,
    job?: AnyJob,
    payload?: unknown,
    durationMs?: number,
  ): Outcome => {
    if (logger.isEnabled('error')) {
      // job.invalid: a kick cannot help. A job in doubt needs an operator (forget, then kick).
      const invalid = reason !== 'permanent-error' && reason !== 'attempts-exhausted' && reason !== 'idempotency-in-doubt';
      line('error', invalid ? 'job.invalid' : 'job.buried', envelope, delivery, {
        outcome: 'buried',
        reason,
        detail,
        error,
        payload: job?.logPayload ? sanitize(payload, job.secretFields) : undefined,
        durationMs,
      });
    }
    return { type: 'buried', reason, detail, envelope, error };
  };

  const settle = (run: JobRun, delivery: Delivery, job: AnyJob, envelope: Envelope, thrown: unknown, failed: boolean, value: unknown): Outcome => {
    // Sync handlers end here too: drop the listener a read of ctx.signal put on the delivery's signal.
    run.dispose();
    const durationMs = now() - run.startedAt;
    if (!failed) {
      if (logger.isEnabled('info')) line('info', 'job.completed', envelope, delivery, { outcome: 'completed', durationMs });
      return { type: 'completed', envelope, durationMs, result: value };
    }
    const error = describeError(thrown);
    const verdict = classifyError(thrown);
    if (verdict.kind === 'permanent') {
      return bury(delivery, envelope, 'permanent-error', error.message, error, job, undefined, durationMs);
    }
    const maxAttempts = Math.min(job.maxAttempts, delivery.maxAttempts ?? Infinity);
    if (delivery.attempt >= maxAttempts) {
      // The last attempt failed: bury now rather than spend one more delivery to find out.
      return bury(delivery, envelope, 'attempts-exhausted', `failed ${delivery.attempt} of ${maxAttempts} attempts; last error: ${error.name}: ${error.message}`, error, job, undefined, durationMs);
    }
    const delayMs = verdict.delayMs ?? backoffDelayMs(job.backoff, delivery.attempt, random);
    if (logger.isEnabled('warn')) line('warn', 'job.retry', envelope, delivery, { outcome: 'retry', durationMs, delayMs, error });
    return { type: 'retry', envelope, delayMs, error, durationMs };
  };

  const host: PendingHost = { watchdog, settle, internalFailure, adapter, queue };

  /** What the pattern steps hand the handler's context (ctx.batch, ctx.continuation, ctx.idempotencyKey). */
  type StepFields = { batch?: BatchContext | undefined; continuation?: ContinuationContext | undefined; idempotencyKey?: string | undefined };

  const execute = (delivery: Delivery, job: AnyJob, envelope: Envelope, payload: unknown, steps?: StepFields): Outcome | Promise<Outcome> => {
    const startedAt = now();
    const deadline = Math.min(startedAt + job.timeoutMs, delivery.deadline ?? Infinity);
    const run = new JobRun(job, envelope, delivery, startedAt, deadline, logger, adapter, queue);
    if (steps !== undefined) {
      run.batch = steps.batch;
      run.continuation = steps.continuation;
      run.idempotencyKey = steps.idempotencyKey;
    }
    let result: unknown;
    try {
      result = job.handler(payload, run.context);
    } catch (error) {
      return settle(run, delivery, job, envelope, error, true, undefined);
    }
    if (!isThenable(result)) return settle(run, delivery, job, envelope, undefined, false, result);
    // One object per pending run (it is also the watchdog's entry) and the two callbacks
    // then() needs: this is the per-job hot path.
    const pending = new PendingRun(run, delivery, job, envelope, host);
    const promise = new Promise<Outcome>((resolve) => (pending.resolve = resolve));
    watchdog.add(pending);
    if (delivery.signal?.aborted) run.abort(delivery.signal.reason);
    try {
      result.then(
        (value) => pending.finish(false, value),
        (error: unknown) => pending.finish(true, error),
      );
    } catch (error) {
      pending.finish(true, error); // a thenable whose then() throws
    }
    return promise;
  };

  const afterValidation = (delivery: Delivery, job: AnyJob, envelope: Envelope, checked: { ok: true; value: unknown } | { ok: false; issues: string }, batch?: BatchContext) => {
    if (!checked.ok) return bury(delivery, envelope, 'invalid-payload', checked.issues, undefined, job, envelope.payload);
    // Before the handler: a job that kills its worker is buried on its next delivery, not looped.
    // After validation (DESIGN.md's order): a payload that fails its schema is buried as
    // invalid-payload on any delivery, the reason that tells an operator a kick cannot help.
    if (delivery.attempt > job.maxAttempts) {
      return bury(delivery, envelope, 'attempts-exhausted', `delivery ${delivery.attempt} exceeds maxAttempts ${job.maxAttempts}`, undefined, job);
    }
    if (logger.isEnabled('debug')) {
      line('debug', 'job.received', envelope, delivery, { payload: job.logPayload ? sanitize(envelope.payload, job.secretFields) : undefined });
    }
    if (batch !== undefined || job.exclusive !== undefined || job.continuation !== undefined) return patterns(delivery, job, envelope, checked.value, batch);
    // Idempotency (src/idempotency/guard.ts): the handler runs only under a claim of the job's key.
    if (job.idempotency !== undefined) {
      return runIdempotent({
        settings: job.idempotency,
        job,
        delivery,
        envelope,
        payload: checked.value,
        now,
        random,
        log: (level, event, extra) => line(level, event, envelope, delivery, extra),
        bury: (reason, detail, error) => bury(delivery, envelope, reason, detail, error, job),
        execute: (idempotencyKey) => execute(delivery, job, envelope, checked.value, { idempotencyKey }),
      });
    }
    return execute(delivery, job, envelope, checked.value);
  };

  /**
   * Exclusive jobs (src/exclusive/step.ts) wait for their key's lease; inside it, idempotency,
   * then continuations (src/continuation/step.ts) around the handler. Batch jobs get ctx.batch.
   */
  const patterns = (delivery: Delivery, job: AnyJob, envelope: Envelope, payload: unknown, batch: BatchContext | undefined): Outcome | Promise<Outcome> => {
    const log = (level: LogLevel, event: string, extra: Record<string, unknown>) => line(level, event, envelope, delivery, extra);
    const buryHere = (reason: BuryReason, detail: string, error: ErrorInfo | undefined) => bury(delivery, envelope, reason, detail, error, job);
    const handler = job.continuation === undefined
      ? (idempotencyKey?: string) => execute(delivery, job, envelope, payload, { batch, idempotencyKey })
      : () => runLink({ settings: job.continuation!, job, delivery, envelope, now, random, log, bury: buryHere, execute: (continuation) => execute(delivery, job, envelope, payload, { batch, continuation }) });
    const guarded = job.idempotency === undefined
      ? handler
      : () => runIdempotent({ settings: job.idempotency!, job, delivery, envelope, payload, now, random, log, bury: buryHere, execute: handler });
    if (job.exclusive === undefined) return guarded();
    return runExclusive({ settings: job.exclusive, job, delivery, envelope, payload, now, random, log, bury: buryHere, next: guarded });
  };

  const run = (delivery: Delivery): Outcome | Promise<Outcome> => {
    const decoded = decodeEnvelope(delivery.body, maxBodyBytes);
    if (!decoded.ok) return bury(delivery, undefined, decoded.reason, decoded.detail, undefined);
    const envelope = decoded.envelope;
    const job = jobs.get(envelope.name);
    if (job === undefined) return bury(delivery, envelope, 'unknown-job', `no job definition named ${JSON.stringify(envelope.name)} on this worker`, undefined);
    if (envelope.batch !== undefined) {
      // Batches (src/batch/step.ts): from here on, every final outcome of the job is counted.
      if (job.batch !== undefined) {
        return runInBatch({
          settings: job.batch, job, delivery, envelope, batchId: envelope.batch, now, random, followUp: options.followUp, jobs,
          log: (level, event, extra) => line(level, event, envelope, delivery, extra),
          bury: (reason, detail, error) => bury(delivery, envelope, reason, detail, error, job),
          next: (batch) => afterLookup(delivery, job, envelope, batch),
        });
      }
      if (logger.isEnabled('warn')) line('warn', 'batch.no-store', envelope, delivery, { batch: envelope.batch, detail: `job ${job.name} has no batch option on this worker: its outcome is not counted in batch ${envelope.batch}` });
    }
    return afterLookup(delivery, job, envelope, undefined);
  };

  const afterLookup = (delivery: Delivery, job: AnyJob, envelope: Envelope, batch: BatchContext | undefined): Outcome | Promise<Outcome> => {
    if (envelope.notBefore !== undefined) {
      const remaining = Date.parse(envelope.notBefore) - now();
      if (remaining > 0) {
        if (logger.isEnabled('debug')) line('debug', 'job.deferred', envelope, delivery, { outcome: 'deferred', delayMs: remaining });
        return { type: 'deferred', envelope, delayMs: remaining };
      }
    }
    const checked = validate(job.schema, envelope.payload);
    if (isThenable(checked)) {
      return checked.then((c) => afterValidation(delivery, job, envelope, c, batch)).then(undefined, (error: unknown) => internalFailure(delivery, error));
    }
    return afterValidation(delivery, job, envelope, checked, batch);
  };

  return {
    jobs,
    adapter,
    queue,
    logger,
    run(delivery) {
      try {
        const outcome = run(delivery);
        // A handler's promise settles through execute(), which never rejects: no extra hop for it.
        if (outcome instanceof Promise) return outcome;
        return isThenable(outcome) ? Promise.resolve(outcome).then(undefined, (error: unknown) => internalFailure(delivery, error)) : Promise.resolve(outcome);
      } catch (error) {
        return Promise.resolve(internalFailure(delivery, error));
      }
    },
  };

  // Only a bug in jobferry or a hostile getter reaches here; the job is retried, not lost.
  function internalFailure(delivery: Delivery, error: unknown): Outcome {
    const info = describeError(error);
    logger.log('error', { event: 'pipeline.error', queue, adapter, attempt: delivery.attempt, transportId: delivery.transportId, error: info });
    const envelope = { v: 1, id: delivery.transportId ?? 'unknown', name: 'unknown', payload: undefined, createdAt: new Date(now()).toISOString() } as Envelope;
    return { type: 'retry', envelope, delayMs: 1000, error: info, durationMs: 0 };
  }
}


function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function traceIdOf(traceparent: string | undefined): string | undefined {
  // W3C traceparent: version-traceid-spanid-flags
  if (traceparent === undefined || traceparent.length < 55) return undefined;
  const id = traceparent.slice(3, 35);
  // All zeros is W3C's "invalid trace id".
  return /^[0-9a-f]{32}$/.test(id) && id !== '00000000000000000000000000000000' ? id : undefined;
}
