/**
 * enqueue on SQS: every job is checked against SQS's limits first (its own error, the others
 * still go), then sent with SendMessageBatch in requests of at most 10 entries and 1 MiB.
 *
 * FIFO queues: `groupKey` -> MessageGroupId (a job without one gets its own group, so it orders
 * against nothing); `dedupeKey` -> MessageDeduplicationId (else a fresh id: no accidental
 * dedupe of a re-sent hop or a kick). Standard queues have no groups and no dedupe: the
 * `dedupeKey` travels in the envelope, for consumer-side idempotency.
 */
import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { EnqueueResult, OutgoingJob } from '../../src/service.ts';
import type { ClientHandle } from './sdk.ts';
import { batchEntryError, sqsError, toTransportError } from './errors.ts';
import { hasInvalidChars, idProblem, messageBytes, SQS_MAX_BATCH_BYTES, SQS_MAX_BATCH_ENTRIES, SQS_MAX_DELAY_SECONDS, toSeconds } from './limits.ts';
import type { QueueAddress } from './queue-url.ts';

/** Most jobs one enqueue() call takes; sent as up to this / 10 batch requests at once. */
export const MAX_JOBS_PER_ENQUEUE = 100;

export interface EnqueueTarget {
  readonly queue: QueueAddress;
  readonly maxBodyBytes: number;
  readonly handle: ClientHandle;
}

type Prepared = { index: number; entry: SendMessageBatchRequestEntry; bytes: number };

export async function enqueueJobs(target: EnqueueTarget, jobs: readonly OutgoingJob[]): Promise<EnqueueResult[]> {
  const { queue } = target;
  if (!Array.isArray(jobs)) throw sqsError('enqueue', 'expected an array of jobs', 'InvalidArgument', queue.name);
  if (jobs.length > MAX_JOBS_PER_ENQUEUE) throw sqsError('enqueue', `${jobs.length} jobs in one call, more than limits.maxBatchSize (${MAX_JOBS_PER_ENQUEUE})`, 'BatchTooLarge', queue.name);
  const results = new Array<EnqueueResult>(jobs.length);
  const prepared: Prepared[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i]!;
    const checked = prepare(target, job, i);
    if (typeof checked === 'string') {
      results[i] = { id: job?.id, ok: false, error: sqsError(`enqueue of job ${String(job?.id)}`, checked, 'InvalidArgument', queue.name) };
    } else {
      prepared.push(checked);
    }
  }
  if (prepared.length > 0) {
    const { sdk, client } = await target.handle.get();
    await Promise.all(
      chunks(prepared).map(async (chunk) => {
        try {
          const out = await client.send(new sdk.SendMessageBatchCommand({ QueueUrl: queue.url, Entries: chunk.map((p) => p.entry) }));
          const byId = new Map(chunk.map((p) => [p.entry.Id!, p.index]));
          for (const ok of out.Successful ?? []) {
            const index = byId.get(ok.Id!);
            if (index !== undefined) results[index] = { id: jobs[index]!.id, ok: true, transportId: ok.MessageId };
          }
          for (const failed of out.Failed ?? []) {
            const index = byId.get(failed.Id!);
            if (index !== undefined) results[index] = { id: jobs[index]!.id, ok: false, error: batchEntryError(failed, `enqueue of job ${jobs[index]!.id}`, queue.name) };
          }
          for (const p of chunk) {
            results[p.index] ??= { id: jobs[p.index]!.id, ok: false, error: sqsError(`enqueue of job ${jobs[p.index]!.id}`, 'SendMessageBatch returned no result for it', 'MissingResult', queue.name) };
          }
        } catch (error) {
          const e = toTransportError(error, 'enqueue (SendMessageBatch)', queue.name);
          for (const p of chunk) results[p.index] = { id: jobs[p.index]!.id, ok: false, error: e };
        }
      }),
    );
  }
  return results;
}

function prepare(target: EnqueueTarget, job: OutgoingJob, index: number): Prepared | string {
  if (typeof job !== 'object' || job === null) return 'not a job object';
  if (typeof job.id !== 'string' || job.id === '') return 'id must be a non-empty string';
  const body = job.body;
  if (typeof body !== 'string' || body === '') return 'body must be a non-empty string';
  const bytes = messageBytes(body, undefined);
  if (bytes > target.maxBodyBytes) return `body is ${bytes} bytes, more than limits.maxBodyBytes (${target.maxBodyBytes})`;
  if (hasInvalidChars(body)) return 'body holds characters SQS refuses (allowed: tab, newline, carriage return, U+0020..U+D7FF, U+E000..U+FFFD, U+10000..U+10FFFF)';
  const delayMs = job.delayMs ?? 0;
  if (typeof delayMs !== 'number' || !(delayMs >= 0) || delayMs > SQS_MAX_DELAY_SECONDS * 1000) {
    return `delayMs must be a number from 0 to ${SQS_MAX_DELAY_SECONDS * 1000} (SQS DelaySeconds <= ${SQS_MAX_DELAY_SECONDS}), got ${String(delayMs)}`;
  }
  if (job.priority !== undefined) return 'priority is not supported: SQS has no message priority';
  const entry: SendMessageBatchRequestEntry = { Id: String(index), MessageBody: body };
  if (target.queue.fifo) {
    if (delayMs > 0) return 'delayMs must be 0 on a FIFO queue: FIFO queues have no per-message delay (set the queue\'s DelaySeconds, or use a standard queue)';
    if (job.groupKey !== undefined) {
      const problem = idProblem(job.groupKey, 'groupKey');
      if (problem) return problem;
      entry.MessageGroupId = job.groupKey;
    } else {
      entry.MessageGroupId = idProblem(job.id, 'id') === undefined ? job.id : crypto.randomUUID();
    }
    if (job.dedupeKey !== undefined) {
      const problem = idProblem(job.dedupeKey, 'dedupeKey');
      if (problem) return problem;
      entry.MessageDeduplicationId = job.dedupeKey;
    } else {
      entry.MessageDeduplicationId = crypto.randomUUID();
    }
  } else {
    if (job.groupKey !== undefined) return 'groupKey is not supported on a standard queue: ordered groups need a FIFO queue';
    if (delayMs > 0) entry.DelaySeconds = toSeconds(delayMs, SQS_MAX_DELAY_SECONDS);
  }
  return { index, entry, bytes };
}

/** Consecutive runs of at most 10 entries and 1 MiB. */
function chunks(prepared: Prepared[]): Prepared[][] {
  const out: Prepared[][] = [];
  let current: Prepared[] = [];
  let bytes = 0;
  for (const p of prepared) {
    if (current.length > 0 && (current.length >= SQS_MAX_BATCH_ENTRIES || bytes + p.bytes > SQS_MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(p);
    bytes += p.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}
