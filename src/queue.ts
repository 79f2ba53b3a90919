/**
 * The producer. Payloads are validated against the job's schema BEFORE they are sent: bad
 * data never enters a queue.
 *
 * @example
 * ```ts
 * const queue = createQueue({ service: createMemoryService() });
 * await queue.enqueue(sendEmail, { to: 'a@example.com', subject: 'Hi' }, { delayMs: 5_000 });
 * ```
 */
import { checkEnvelope, createEnvelope, encodeEnvelope } from './envelope.ts';
import { JobferryError, UnsupportedError, ValidationError } from './errors.ts';
import { jobRegistry, type AnyJob, type JobInput } from './job.ts';
import { exceedsBytes, jsonDepthExceeds, MAX_JSON_DEPTH, valueDepthExceeds } from './json-guard.ts';
import { silentLogger, type Logger } from './logger.ts';
import { validate, type Validation } from './schema.ts';
import type { EnqueueResult, JobService, OutgoingJob } from './service.ts';
import { enqueueBatch, type BatchOptions, type BatchReceipt } from './batch/produce.ts';

export interface EnqueueOptions {
  /** Run after this delay. Exclusive with runAt. */
  delayMs?: number;
  /** Run at (or after) this time. Exclusive with delayMs. */
  runAt?: Date | number;
  /** Deduplication key: transport-level where the adapter supports it, else carried for idempotency. */
  dedupeKey?: string;
  /** Ordering group (FIFO adapters). */
  groupKey?: string;
  /** Lower runs first, where the adapter supports priority. */
  priority?: number;
  /** Envelope id; default a random UUID. */
  id?: string;
  traceparent?: string;
}

export interface EnqueueItem<J extends AnyJob = AnyJob> {
  job: J | string;
  payload: JobInput<J>;
  options?: EnqueueOptions;
}

export interface EnqueueManyOptions {
  /** Called after each chunk is sent: for progress bars. */
  onProgress?: (sent: number, total: number) => void;
}

export interface QueueOptions {
  service: JobService;
  /** Definitions to enqueue by name (`queue.enqueue('send-email', ...)`). */
  jobs?: Iterable<AnyJob> | Record<string, AnyJob>;
  logger?: Logger;
  now?: () => number;
}

export interface Queue {
  readonly service: JobService;
  /** Validates and sends one job; resolves to its envelope id. Throws ValidationError for bad input. */
  enqueue<J extends AnyJob>(job: J | string, payload: JobInput<J>, options?: EnqueueOptions): Promise<{ id: string; deduplicated: boolean }>;
  /**
   * Validates every item first (nothing is sent if any is invalid), then sends in chunks of the
   * adapter's batch size. One result per item, in order: check `ok`, a transport may refuse some.
   */
  enqueueMany(items: readonly EnqueueItem[], options?: EnqueueManyOptions): Promise<EnqueueResult[]>;
  /**
   * Enqueues many jobs of one job definition (defined with `batch: { store }`) as one batch:
   * validates every payload, runs `options.prefetch`, creates the batch in the store, then
   * sends in chunks of the adapter's batch size. Progress: `batchProgress(store, id)`.
   * See src/batch/README.md.
   */
  batch<J extends AnyJob>(job: J | string, payloads: Iterable<JobInput<J>>, options?: BatchOptions): Promise<BatchReceipt>;
}

export function createQueue(options: QueueOptions): Queue {
  const { service } = options;
  const named = options.jobs ? jobRegistry(options.jobs) : new Map<string, AnyJob>();
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const where = `[${service.adapter}]`;

  const resolveJob = (job: AnyJob | string): AnyJob => {
    if (typeof job !== 'string') return job;
    const found = named.get(job);
    if (found === undefined) {
      throw new JobferryError(`${where} enqueue failed: unknown job ${JSON.stringify(job)} (known: ${[...named.keys()].join(', ') || 'none'})`, { adapter: service.adapter, queue: service.queue });
    }
    return found;
  };

  // Synchronous schemas stay synchronous: no promise per item when thousands are enqueued.
  const prepare = (item: EnqueueItem, batch?: string): OutgoingJob | Promise<OutgoingJob> => {
    const job = resolveJob(item.job);
    const checked = validate(job.schema, item.payload);
    return checked instanceof Promise ? checked.then((c) => build(item, job, c, batch)) : build(item, job, checked, batch);
  };

  const build = (item: EnqueueItem, job: AnyJob, checked: Validation<unknown>, batch?: string): OutgoingJob => {
    const opts = item.options ?? {};
    const fail = (why: string, issues = why) =>
      new ValidationError(`${where} enqueue of job ${job.name} rejected: ${why}`, issues, { adapter: service.adapter, queue: service.queue });
    if (!checked.ok) throw fail(`invalid payload: ${checked.issues}`, checked.issues);
    // The consumer would bury it (idempotency-key-invalid): refuse it here, where it can be fixed.
    if (job.idempotency?.key === 'dedupeKey' && !opts.dedupeKey) throw fail('its idempotency key is the envelope\'s dedupeKey: enqueue it with { dedupeKey }');
    if (opts.groupKey !== undefined && !service.features.groups) {
      throw new UnsupportedError(service.adapter, 'groupKey', 'this transport has no ordered groups');
    }
    if (opts.priority !== undefined && !service.features.priority) {
      throw new UnsupportedError(service.adapter, 'priority', 'this transport has no message priority');
    }
    const t = now();
    const delayMs = delayOf(opts, t, fail);
    const hop = delayMs > service.limits.maxDelayMs;
    // Send the input, not the parsed output: the consumer parses it again with the same schema.
    const envelope = createEnvelope(job.name, item.payload, {
      id: opts.id,
      now: t,
      notBefore: hop ? t + delayMs : undefined,
      dedupeKey: opts.dedupeKey,
      groupKey: opts.groupKey,
      traceparent: opts.traceparent,
      batch,
    });
    // The consumer decodes with checkEnvelope: a field it would refuse must not be sent. Only
    // caller-given fields can be wrong (name comes from defineJob), so only they are checked.
    if (opts.id !== undefined || opts.dedupeKey !== undefined || opts.groupKey !== undefined || opts.traceparent !== undefined) {
      const shape = checkEnvelope(envelope);
      if (!shape.ok) throw fail(`the consumer could not decode this job: ${shape.detail}`);
    }
    const kind = typeof item.payload;
    // JSON.stringify drops these silently: the body would have no payload at all.
    if (kind === 'undefined' || kind === 'function' || kind === 'symbol') throw fail(`payload is not JSON-serialisable: a top-level ${kind} has no JSON form`);
    let body: string;
    try {
      body = encodeEnvelope(envelope);
    } catch (error) {
      // A depth bomb overflows JSON.stringify's stack: name the real problem, not the RangeError.
      if (valueDepthExceeds(item.payload, MAX_JSON_DEPTH - 1)) throw fail(`payload is nested deeper than ${MAX_JSON_DEPTH - 1} levels`);
      throw fail(`payload is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (exceedsBytes(body, service.limits.maxBodyBytes)) {
      throw fail(`encoded job is larger than the ${service.limits.maxBodyBytes} bytes ${service.adapter} accepts`);
    }
    if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) throw fail(`payload is nested deeper than ${MAX_JSON_DEPTH - 1} levels`);
    return {
      id: envelope.id,
      name: job.name,
      body,
      delayMs: hop ? service.limits.maxDelayMs : delayMs,
      dedupeKey: opts.dedupeKey,
      groupKey: opts.groupKey,
      priority: opts.priority,
    };
  };

  const send = async (outgoing: readonly OutgoingJob[], onProgress?: (sent: number, total: number) => void): Promise<EnqueueResult[]> => {
    const results: EnqueueResult[] = [];
    const size = Math.max(1, service.limits.maxBatchSize);
    for (let i = 0; i < outgoing.length; i += size) {
      const chunk = outgoing.slice(i, i + size);
      try {
        const sent = await service.enqueue(chunk);
        // One result per job, in place: an adapter that returns fewer must not shift the rest.
        for (let j = 0; j < chunk.length; j++) {
          results.push(sent[j] ?? { id: chunk[j]!.id, ok: false, error: new JobferryError(`${where} enqueue failed: the adapter returned no result for this job`, { adapter: service.adapter, queue: service.queue, jobId: chunk[j]!.id }) });
        }
      } catch (error) {
        // Nothing of this chunk is known to be in: report each job, keep going with the rest.
        const e = error instanceof Error ? error : new Error(String(error));
        for (const job of chunk) results.push({ id: job.id, ok: false, error: e });
      }
      onProgress?.(results.length, outgoing.length);
    }
    if (logger.isEnabled('debug')) {
      for (const r of results) logger.log('debug', { event: 'job.enqueued', jobId: r.id, queue: service.queue, adapter: service.adapter, outcome: r.ok ? 'enqueued' : 'failed' });
    }
    return results;
  };

  return {
    service,
    async enqueue(job, payload, opts) {
      const outgoing = await prepare({ job, payload, options: opts });
      const [result] = await send([outgoing]);
      if (result === undefined) throw new JobferryError(`${where} enqueue failed: the adapter returned no result`, { adapter: service.adapter });
      if (!result.ok) throw result.error;
      return { id: result.id, deduplicated: result.deduplicated ?? false };
    },
    async enqueueMany(items, opts = {}) {
      const prepared: OutgoingJob[] = [];
      const problems: string[] = [];
      let first: unknown;
      for (let i = 0; i < items.length; i++) {
        try {
          const outgoing = prepare(items[i]!);
          prepared.push(outgoing instanceof Promise ? await outgoing : outgoing);
        } catch (error) {
          first ??= error;
          problems.push(`[${i}] ${error instanceof Error ? error.message : String(error)}`);
          if (problems.length >= 20) break;
        }
      }
      if (problems.length > 0) {
        // The first error rides along as the cause: an UnsupportedError stays recognisable.
        throw new ValidationError(`${where} enqueueMany rejected, nothing was sent: ${problems.join(' | ')}`, problems.join('; '), { adapter: service.adapter, queue: service.queue, cause: first });
      }
      return send(prepared, opts.onProgress);
    },
    batch(job, payloads, opts) {
      const producer = { service, now, send, prepare: (j: AnyJob, payload: unknown, id: string, batch: string) => prepare({ job: j, payload: payload as never, options: { id } }, batch) };
      return enqueueBatch(producer, resolveJob(job), payloads as Iterable<never>, opts);
    },
  };
}

function delayOf(opts: EnqueueOptions, now: number, fail: (why: string) => Error): number {
  if (opts.delayMs !== undefined && opts.runAt !== undefined) throw fail('give delayMs or runAt, not both');
  if (opts.runAt !== undefined) {
    const at = opts.runAt instanceof Date ? opts.runAt.getTime() : opts.runAt;
    if (!Number.isFinite(at)) throw fail('runAt: not a valid time');
    return Math.max(0, at - now);
  }
  const delay = opts.delayMs ?? 0;
  if (!Number.isFinite(delay) || delay < 0) throw fail(`delayMs: must be a finite number >= 0, got ${String(delay)}`);
  return delay;
}
