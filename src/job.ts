/**
 * Job definitions: name + payload schema + handler + policy.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { defineJob } from 'jobferry';
 *
 * export const sendEmail = defineJob({
 *   name: 'send-email',
 *   schema: z.object({ to: z.email(), subject: z.string() }),
 *   maxAttempts: 5,
 *   timeoutMs: 10_000,
 *   async handler(payload, ctx) {
 *     await mailer.send(payload, { signal: ctx.signal });
 *   },
 * });
 * ```
 */
import { backoffProblems, DEFAULT_BACKOFF, type Backoff } from './backoff.ts';
import { ConfigError } from './errors.ts';
import { checkIdempotencyOptions, type IdempotencyOptions, type IdempotencySettings } from './idempotency/options.ts';
import { checkBatchOptions, type BatchJobOptions, type BatchSettings } from './batch/options.ts';
import type { BatchContext } from './batch/summary.ts';
import { checkContinuationOptions, type ContinuationOptions, type ContinuationSettings } from './continuation/options.ts';
import type { ContinuationContext } from './continuation/continue.ts';
import { checkExclusiveOptions, type ExclusiveOptions, type ExclusiveSettings } from './exclusive/options.ts';
import type { Logger } from './logger.ts';
import { isStandardSchema, type AnySchema, type SchemaInput, type SchemaOutput } from './schema.ts';
import { closest } from './suggest.ts';

/** What a handler gets besides its payload. */
export interface JobContext {
  /** Envelope id: stable across retries and redeliveries of the same job. */
  readonly id: string;
  readonly name: string;
  /** 1-based number of this delivery. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly createdAt: string;
  readonly dedupeKey: string | undefined;
  readonly groupKey: string | undefined;
  readonly traceparent: string | undefined;
  /** Aborted when the job times out or the worker shuts down. */
  readonly signal: AbortSignal;
  /** Epoch ms by which the handler should be done (timeout, lease, platform budget). */
  readonly deadline: number;
  /** A logger that adds this job's fields to every line. */
  readonly logger: Logger;
  /**
   * Extend the lease of this job (pull adapters). Resolves to false where the transport
   * cannot extend it (push delivery).
   */
  touch(leaseMs?: number): Promise<boolean>;
  /** Set for the jobs of a batch (queue.batch): its id, total, pre-fetch result and metadata. */
  readonly batch?: BatchContext | undefined;
  /** Set for jobs defined with `continuation`: the chain's latest checkpoint and this link's time budget. */
  readonly continuation?: ContinuationContext | undefined;
  /**
   * Set for jobs defined with `idempotency`: the key this run holds (`<job>#<source>:<sha-256>`,
   * the same on every delivery of the job). Pass it on to the systems the handler calls that take
   * one (a payment provider's Idempotency-Key): that closes the window between a side effect and
   * the store recording it, which no store can close alone.
   */
  readonly idempotencyKey?: string | undefined;
}

export type JobHandler<P> = (payload: P, context: JobContext) => unknown;

export interface JobPolicy {
  /** Deliveries before the job is buried. Default 5. */
  maxAttempts?: number;
  /** Delay between attempts. Default exponential from 1 s, capped at 10 min, equal jitter. */
  backoff?: Backoff;
  /** Time a handler may run. Default 60000. The handler's signal aborts then. */
  timeoutMs?: number;
  /** Lease length asked for on pull adapters (time to run). Default: timeoutMs + 30 s, in seconds. */
  ttrSeconds?: number;
  /** Log the payload on job lines (redacted). Default false. */
  logPayload?: boolean;
  /** Extra key names redacted from logged payloads and dead-letter details. */
  secretFields?: readonly string[];
}

export interface JobOptions<S extends AnySchema> extends JobPolicy {
  name: string;
  schema: S;
  handler: JobHandler<SchemaOutput<S>>;
  /**
   * Runs the handler at most once per idempotency key (see src/idempotency/README.md): a
   * duplicate delivery of a completed job completes without running it, one that finds the job
   * running is retried later. Default: none (at-least-once, as the transport delivers).
   */
  idempotency?: IdempotencyOptions<SchemaOutput<S>>;
  /** The job can be enqueued in batches (queue.batch), its outcomes counted in `store` (see src/batch/README.md). */
  batch?: BatchJobOptions;
  /** At most one job with this key runs at a time, across processes (a lease in `store`). Others wait, released with a delay. */
  exclusive?: ExclusiveOptions<SchemaOutput<S>>;
  /** The handler may return continueFrom(checkpoint) to go on in a next delivery (a chain of time-budgeted links). */
  continuation?: ContinuationOptions;
}

export interface JobDefinition<S extends AnySchema = AnySchema> {
  readonly name: string;
  readonly schema: S;
  // A method, not a function-typed property: methods are bivariant in their parameters, so a
  // job with a typed payload is assignable to AnyJob (createWorker({ jobs: [sendEmail] })).
  handler(payload: SchemaOutput<S>, context: JobContext): unknown;
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly timeoutMs: number;
  readonly ttrSeconds: number;
  readonly logPayload: boolean;
  readonly secretFields: readonly string[];
  /** Set when the job was defined with `idempotency`. */
  readonly idempotency?: IdempotencySettings;
  /** Set when the job was defined with `batch`. */
  readonly batch?: BatchSettings;
  /** Set when the job was defined with `exclusive`. */
  readonly exclusive?: ExclusiveSettings;
  /** Set when the job was defined with `continuation`. */
  readonly continuation?: ContinuationSettings;
  /** Type-only: the payload a producer passes. */
  readonly '~input'?: SchemaInput<S>;
}

export type AnyJob = JobDefinition<AnySchema>;
export type JobInput<J> = J extends JobDefinition<infer S> ? SchemaInput<S> : never;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const OPTION_NAMES = ['name', 'schema', 'handler', 'maxAttempts', 'backoff', 'timeoutMs', 'ttrSeconds', 'logPayload', 'secretFields', 'idempotency', 'batch', 'exclusive', 'continuation'];

/** Defines a job. Throws a ConfigError naming every wrong option. */
export function defineJob<S extends AnySchema>(options: JobOptions<S>): JobDefinition<S> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError([`job: options: must be an object { name, schema, handler, ... }, got ${options === null ? 'null' : typeof options}`]);
  }
  const problems: string[] = [];
  if (typeof options.name !== 'string' || !NAME.test(options.name)) {
    problems.push(`name: must be 1-128 characters of letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(options.name)}`);
  }
  if (!isStandardSchema(options.schema)) problems.push('schema: must be a Standard Schema (zod 4, valibot, arktype, ...)');
  if (typeof options.handler !== 'function') problems.push('handler: must be a function');
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) problems.push('maxAttempts: must be an integer >= 1');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timeoutOk = typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0;
  if (!timeoutOk) problems.push('timeoutMs: must be a number > 0');
  // Derived from a wrong timeoutMs, the default would only repeat that problem.
  const ttrSeconds = options.ttrSeconds ?? (timeoutOk ? Math.ceil(timeoutMs / 1000) + 30 : 90);
  if (!(typeof ttrSeconds === 'number' && Number.isFinite(ttrSeconds) && ttrSeconds >= 1)) problems.push('ttrSeconds: must be a number >= 1');
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  problems.push(...backoffProblems(backoff));
  const logPayload = options.logPayload ?? false;
  if (typeof logPayload !== 'boolean') problems.push(`logPayload: must be true or false, got ${JSON.stringify(logPayload)}`);
  const secretFields: unknown = options.secretFields ?? [];
  if (!Array.isArray(secretFields) || !secretFields.every((f) => typeof f === 'string')) problems.push('secretFields: must be an array of key names');
  const idempotency = options.idempotency === undefined ? undefined : checkIdempotencyOptions(options.idempotency, timeoutOk ? timeoutMs : 60_000);
  if (idempotency !== undefined) problems.push(...idempotency.problems);
  const batch = options.batch === undefined ? undefined : checkBatchOptions(options.batch);
  if (batch !== undefined) problems.push(...batch.problems);
  const exclusive = options.exclusive === undefined ? undefined : checkExclusiveOptions(options.exclusive, timeoutOk ? timeoutMs : 60_000);
  if (exclusive !== undefined) problems.push(...exclusive.problems);
  const continuation = options.continuation === undefined ? undefined : checkContinuationOptions(options.continuation, timeoutOk ? timeoutMs : 60_000);
  if (continuation !== undefined) problems.push(...continuation.problems);
  // A chain's links are one logical job: a per-delivery idempotency record or batch count would
  // see the first link as the whole job (guard item side effects inside the handler instead).
  if (continuation !== undefined && idempotency !== undefined) problems.push('continuation: cannot be combined with idempotency (make the work on each item idempotent instead: see runOnce)');
  if (continuation !== undefined && batch !== undefined) problems.push('continuation: cannot be combined with batch');
  for (const key of Object.keys(options)) {
    if (OPTION_NAMES.includes(key)) continue;
    const near = closest(key, OPTION_NAMES);
    problems.push(`${key}: unknown option${near ? ` (did you mean ${near}?)` : ''}`);
  }
  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => `job ${String(options.name)}: ${p}`));
  }
  return Object.freeze({
    name: options.name,
    schema: options.schema,
    handler: options.handler,
    maxAttempts,
    backoff,
    timeoutMs,
    ttrSeconds,
    logPayload,
    secretFields: Object.freeze([...(secretFields as string[])]),
    ...(idempotency?.settings ? { idempotency: idempotency.settings } : {}),
    ...(batch?.settings ? { batch: batch.settings } : {}),
    ...(exclusive?.settings ? { exclusive: exclusive.settings } : {}),
    ...(continuation?.settings ? { continuation: continuation.settings } : {}),
  });
}

/** Builds the name -> definition map once; duplicate names are a configuration error. */
export function jobRegistry(jobs: Iterable<AnyJob> | Record<string, AnyJob>): Map<string, AnyJob> {
  const list: AnyJob[] = Symbol.iterator in Object(jobs) ? [...(jobs as Iterable<AnyJob>)] : Object.values(jobs);
  const map = new Map<string, AnyJob>();
  const problems: string[] = [];
  for (const job of list) {
    if (map.has(job.name)) problems.push(`jobs: two definitions named ${JSON.stringify(job.name)}`);
    map.set(job.name, job);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return map;
}
