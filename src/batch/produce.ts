/**
 * The producer side of batches (queue.batch): validate every payload, run the pre-fetch step,
 * create the batch in the store, then send the jobs in the adapter's chunk size.
 *
 * Job ids are `<batch id>.<index>`: sending the same batch again (same id, after a crash or a
 * partial failure) sends the same jobs, and the store counts each job id once, so the counts
 * stay exact even when some jobs travel twice.
 */
import { ConfigError, describeError, ValidationError } from '../errors.ts';
import type { AnyJob, JobInput } from '../job.ts';
import { exceedsBytes, jsonDepthExceeds, MAX_JSON_DEPTH } from '../json-guard.ts';
import type { EnqueueResult, JobService, OutgoingJob } from '../service.ts';
import { BatchError } from './errors.ts';
import { BATCH_ID, MAX_BATCH_DATA_BYTES } from './store.ts';

export interface BatchOptions {
  /** Batch id (1-128 of letters, digits, '.', '_', ':', '-'). Default a random UUID. Reuse it to resume a send that failed. */
  id?: string;
  /** JSON data kept with the batch and passed to the finished job (`summary.metadata`). */
  metadata?: unknown;
  /**
   * Runs once before any job is sent; its result (JSON, at most 128 KiB) is kept with the batch
   * and every job reads it as `ctx.batch.prefetch` (a lookup table, a snapshot id, ...).
   */
  prefetch?: () => unknown;
  /** A job definition (or its name) enqueued once, with the counts, when every job has a final outcome. */
  finished?: AnyJob | string;
  /** How long the batch and its counts are kept. Default 604800 (7 days). */
  retentionSeconds?: number;
  /** Called after each chunk is sent. */
  onProgress?: (sent: number, total: number) => void;
}

export interface BatchReceipt {
  readonly id: string;
  readonly total: number;
  /** Jobs the transport accepted. */
  readonly sent: number;
  /** Jobs the transport refused: send the batch again with the same id to retry them. */
  readonly failed: ReadonlyArray<{ readonly index: number; readonly id: string; readonly message: string }>;
  /** False when a batch with this id existed (a resumed send). */
  readonly created: boolean;
}

export interface BatchProducer {
  readonly service: JobService;
  readonly now: () => number;
  /** The queue's validate-and-encode step for one payload, with the envelope id and batch id. */
  prepare(job: AnyJob, payload: unknown, id: string, batchId: string): OutgoingJob | Promise<OutgoingJob>;
  /** The queue's chunked send. */
  send(outgoing: readonly OutgoingJob[], onProgress?: (sent: number, total: number) => void): Promise<EnqueueResult[]>;
}

export const DEFAULT_BATCH_RETENTION_SECONDS = 7 * 86_400;

export async function enqueueBatch<J extends AnyJob>(producer: BatchProducer, job: J, payloads: Iterable<JobInput<J>>, options: BatchOptions = {}): Promise<BatchReceipt> {
  const where = `[${producer.service.adapter}]`;
  const settings = job.batch;
  if (settings === undefined) throw new ConfigError([`job ${job.name}: batch: queue.batch needs a job defined with { batch: { store } }`]);
  const store = settings.store;
  const id = options.id ?? crypto.randomUUID();
  if (typeof id !== 'string' || !BATCH_ID.test(id)) throw new ValidationError(`${where} batch of job ${job.name} rejected: id must be 1-128 characters of letters, digits, '.', '_', ':' or '-'`, 'id: invalid batch id');
  const retentionSeconds = options.retentionSeconds ?? DEFAULT_BATCH_RETENTION_SECONDS;
  if (typeof retentionSeconds !== 'number' || !Number.isFinite(retentionSeconds) || retentionSeconds <= 0) {
    throw new ValidationError(`${where} batch ${id} rejected: retentionSeconds must be a number > 0`, 'retentionSeconds: must be a number > 0');
  }
  const finishedJob = options.finished === undefined ? settings.finished : typeof options.finished === 'string' ? options.finished : options.finished.name;
  if (finishedJob !== undefined && (typeof finishedJob !== 'string' || finishedJob.length === 0)) throw new ValidationError(`${where} batch ${id} rejected: finished must be a job definition or its name`, 'finished: invalid');

  // Every payload first: nothing is created or sent if one is invalid.
  const list = [...payloads];
  if (list.length === 0) throw new ValidationError(`${where} batch ${id} of job ${job.name} rejected: it holds no payloads`, '(root): a batch needs at least one payload');
  const prepared: OutgoingJob[] = [];
  const problems: string[] = [];
  let first: unknown;
  for (let i = 0; i < list.length; i++) {
    try {
      const outgoing = producer.prepare(job, list[i], `${id}.${i}`, id);
      prepared.push(outgoing instanceof Promise ? await outgoing : outgoing);
    } catch (error) {
      first ??= error;
      problems.push(`[${i}] ${describeError(error).message}`);
      if (problems.length >= 20) break;
    }
  }
  if (problems.length > 0) {
    throw new ValidationError(`${where} batch ${id} of job ${job.name} rejected, nothing was sent: ${problems.join(' | ')}`, problems.join('; '), { cause: first });
  }

  let prefetched: unknown;
  const prefetch = options.prefetch ?? settings.prefetch;
  if (prefetch !== undefined) {
    try {
      prefetched = await prefetch();
    } catch (error) {
      const { name, message } = describeError(error);
      throw new BatchError('batch', 'prefetch', `batch ${id}: the prefetch step threw ${name}: ${message}; nothing was sent`, { cause: error });
    }
  }
  const created = await store.create({
    id,
    job: job.name,
    total: list.length,
    metadata: jsonText(options.metadata, 'metadata', id),
    prefetch: jsonText(prefetched, 'prefetch', id),
    finishedJob,
    createdAt: producer.now(),
    retentionMs: retentionSeconds * 1000,
  });
  if (created === 'exists') {
    const existing = await store.get(id);
    if (existing !== undefined && (existing.job !== job.name || existing.total !== list.length)) {
      throw new BatchError(store.name, 'create', `batch ${id} exists with job ${existing.job} and ${existing.total} jobs; this one has job ${job.name} and ${list.length}: use another id`, { retryable: false });
    }
  }
  const results = await producer.send(prepared, options.onProgress);
  const failed = results.flatMap((r, index) => (r.ok ? [] : [{ index, id: r.id, message: r.error.message }]));
  return { id, total: list.length, sent: results.length - failed.length, failed, created: created === 'created' };
}

function jsonText(value: unknown, what: string, id: string): string | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new ValidationError(`batch ${id} rejected: ${what} is not JSON (${describeError(error).message})`, `${what}: not JSON`);
  }
  if (text === undefined) throw new ValidationError(`batch ${id} rejected: ${what} is not JSON (a ${typeof value})`, `${what}: not JSON`);
  if (exceedsBytes(text, MAX_BATCH_DATA_BYTES)) throw new ValidationError(`batch ${id} rejected: ${what} is larger than ${MAX_BATCH_DATA_BYTES} bytes of JSON`, `${what}: too large`);
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw new ValidationError(`batch ${id} rejected: ${what} is nested deeper than ${MAX_JSON_DEPTH} levels`, `${what}: too deep`);
  return text;
}
