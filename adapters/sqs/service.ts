/**
 * The SQS JobService over @aws-sdk/client-sqs v3 (an optional peer, loaded on first use).
 *
 * @example
 * ```ts
 * import { createSqsService } from 'jobferry/sqs';
 * const service = createSqsService({ queueUrl: process.env.QUEUE_URL!, clientConfig: { region: 'eu-west-1' } });
 * await createWorker({ service, jobs: [sendEmail], concurrency: 32, pollers: 4 }).start();
 * ```
 */
import { silentLogger } from '../../src/logger.ts';
import type { BuryInfo, JobService, QueueStats, ReservedJob, ReserveOptions } from '../../src/service.ts';
import { createBatcher } from './batcher.ts';
import { deadLetterMessage } from './dead-letter-message.ts';
import { deadLetterLookup } from './dead-letter-queue.ts';
import { createDeadLetterStore } from './dead-letter-store.ts';
import { enqueueJobs, MAX_JOBS_PER_ENQUEUE } from './enqueue.ts';
import { batchEntryError, forOperation, sqsError, sqsErrorCode, toTransportError } from './errors.ts';
import { SQS_MAX_DELAY_SECONDS, SQS_MAX_VISIBILITY_SECONDS, toSeconds } from './limits.ts';
import { checkOptions, type SqsServiceOptions } from './options.ts';
import { receiveJobs, type SqsReservedJob } from './receive.ts';
import { clientHandle } from './sdk.ts';

export interface SqsService extends Required<Omit<JobService, 'adapter'>> {
  readonly adapter: 'sqs';
  readonly queueUrl: string;
  readonly fifo: boolean;
}

type VisibilityChange = { receipt: string; seconds: number };

export function createSqsService(options: SqsServiceOptions): SqsService {
  const settings = checkOptions(options);
  const { source } = settings;
  const queue = source.name;
  const logger = options.logger ?? silentLogger;
  const handle = clientHandle(options);
  const lookup = deadLetterLookup(source, settings.deadLetter, handle);
  const store = createDeadLetterStore({ source, handle, lookup, useMessageMoveTask: settings.useMessageMoveTask, logger });
  const inflight = new Set<AbortController>();
  let closed = false;

  const open = (op: string) => {
    if (closed) throw sqsError(op, 'the service is closed', 'Closed', queue);
  };

  const deletes = createBatcher<string>(async (receipts) => {
    const { sdk, client } = await handle.get();
    try {
      const out = await client.send(new sdk.DeleteMessageBatchCommand({ QueueUrl: source.url, Entries: receipts.map((r, i) => ({ Id: String(i), ReceiptHandle: r })) }));
      return perEntry(receipts.length, out.Failed, 'complete (DeleteMessageBatch)');
    } catch (error) {
      throw toTransportError(error, 'complete (DeleteMessageBatch)', queue);
    }
  }, 10);

  const visibility = createBatcher<VisibilityChange>(async (changes) => {
    const { sdk, client } = await handle.get();
    try {
      const out = await client.send(
        new sdk.ChangeMessageVisibilityBatchCommand({
          QueueUrl: source.url,
          Entries: changes.map((c, i) => ({ Id: String(i), ReceiptHandle: c.receipt, VisibilityTimeout: c.seconds })),
        }),
      );
      return perEntry(changes.length, out.Failed, 'ChangeMessageVisibilityBatch');
    } catch (error) {
      throw toTransportError(error, 'ChangeMessageVisibilityBatch', queue);
    }
  }, 10);

  const perEntry = (n: number, failed: ReadonlyArray<{ Id?: string; Code?: string; Message?: string; SenderFault?: boolean }> | undefined, what: string) => {
    const errors = new Array<Error | undefined>(n).fill(undefined);
    for (const f of failed ?? []) {
      const i = Number(f.Id);
      if (Number.isInteger(i) && i >= 0 && i < n) errors[i] = batchEntryError(f, what, queue);
    }
    return errors;
  };

  const receiptOf = (op: string, job: ReservedJob): string => {
    const receipt = job?.receipt;
    if (typeof receipt !== 'string' || receipt === '') throw sqsError(op, 'job.receipt must be the receipt handle reserve() gave', 'InvalidArgument', queue);
    return receipt;
  };

  /** Visibility for `ms` from now, within SQS's cap of 12 h from this receive. */
  const change = async (op: string, job: ReservedJob, ms: number, max: number) => {
    open(op);
    if (typeof ms !== 'number' || !(ms >= 0) || ms > max * 1000) throw sqsError(op, `${op === 'touch' ? 'leaseMs' : 'delayMs'} must be a number from 0 to ${max * 1000}, got ${String(ms)}`, 'InvalidArgument', queue);
    const receipt = receiptOf(op, job);
    let seconds = toSeconds(ms, max);
    const receivedAt = (job as Partial<SqsReservedJob>).receivedAt;
    if (typeof receivedAt === 'number') {
      const left = SQS_MAX_VISIBILITY_SECONDS - Math.ceil((Date.now() - receivedAt) / 1000);
      if (left <= 0) throw sqsError(op, 'the 12 h visibility cap of this receive is reached: the job returns when its lease ends', 'VisibilityCapReached', queue);
      seconds = Math.min(seconds, left);
    }
    await visibility.add({ receipt, seconds }).catch((error: unknown) => {
      throw forOperation(error, op, queue);
    });
  };

  return {
    adapter: 'sqs',
    queue,
    queueUrl: source.url,
    fifo: source.fifo,
    limits: { maxBodyBytes: settings.maxBodyBytes, maxDelayMs: SQS_MAX_DELAY_SECONDS * 1000, maxLeaseMs: SQS_MAX_VISIBILITY_SECONDS * 1000, maxBatchSize: MAX_JOBS_PER_ENQUEUE },
    features: { dedupe: source.fifo, groups: source.fifo, priority: false },

    async enqueue(jobs) {
      open('enqueue');
      return enqueueJobs({ queue: source, maxBodyBytes: settings.maxBodyBytes, handle }, jobs);
    },

    async reserve(opts: ReserveOptions) {
      open('reserve');
      return receiveJobs(
        {
          queue: source,
          handle,
          waitTimeSeconds: settings.waitTimeSeconds,
          messageAttributeNames: settings.receiveMessageAttributeNames,
          inflight,
          now: Date.now,
          isClosed: () => closed,
          giveBack: (jobs) => {
            if (closed) return;
            for (const job of jobs) {
              visibility.add({ receipt: job.receipt, seconds: 0 }).catch((error: unknown) => {
                logger.log('warn', { event: 'sqs.give-back-failed', queue, adapter: 'sqs', transportId: job.transportId, error: { name: sqsErrorCode(error), message: (error as Error).message }, detail: 'received after its reserve was aborted; it returns when its lease ends' });
              });
            }
          },
        },
        opts,
      );
    },

    touch: (job, leaseMs) => change('touch', job, leaseMs, SQS_MAX_VISIBILITY_SECONDS),
    release: (job, delayMs) => change('release', job, delayMs, SQS_MAX_VISIBILITY_SECONDS),

    async complete(job) {
      open('complete');
      await deletes.add(receiptOf('complete', job));
    },

    async bury(job, info: BuryInfo) {
      open('bury');
      if (typeof info?.reason !== 'string' || info.reason === '') throw sqsError('bury', 'info.reason must be a non-empty string', 'InvalidArgument', queue);
      const receipt = receiptOf('bury', job);
      const deadLetter = await lookup.get('bury');
      const { sdk, client } = await handle.get();
      const reserved = job as Partial<SqsReservedJob>;
      let message;
      try {
        message = deadLetterMessage({
          body: typeof job.body === 'string' ? job.body : new TextDecoder().decode(job.body),
          reason: info.reason,
          detail: String(info.detail ?? ''),
          attempt: typeof info.attempt === 'number' ? info.attempt : job.attempt,
          source,
          deadLetter,
          messageId: job.transportId,
          groupId: job.groupKey,
          attributes: reserved.messageAttributes,
          now: Date.now(),
        });
      } catch (error) {
        throw sqsError('bury', (error as Error).message, 'MessageTooLarge', queue);
      }
      try {
        await client.send(new sdk.SendMessageCommand(message));
      } catch (error) {
        throw toTransportError(error, `bury (SendMessage to ${deadLetter.name})`, queue);
      }
      // Only once the dead-letter copy exists: a failed send leaves the job in the queue.
      await deletes.add(receipt).catch((error: unknown) => {
        throw forOperation(error, 'bury (delete after the dead-letter send)', queue);
      });
    },

    async kick(opts) {
      open('kick');
      return store.kick(opts);
    },

    async listBuried(opts) {
      open('listBuried');
      return store.listBuried(opts);
    },

    async stats(): Promise<QueueStats> {
      open('stats');
      const { sdk, client } = await handle.get();
      const read = async (url: string, names: Array<'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible' | 'ApproximateNumberOfMessagesDelayed'>) => {
        try {
          const out = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }));
          return names.map((n) => Number(out.Attributes?.[n] ?? 0) || 0);
        } catch (error) {
          throw toTransportError(error, 'stats (GetQueueAttributes)', queue);
        }
      };
      const buried = async () => {
        let dlq;
        try {
          dlq = await lookup.get('stats');
        } catch (error) {
          if ((error as { code?: string }).code === 'NoDeadLetterQueue') return 0;
          throw error;
        }
        const [visible, hidden] = await read(dlq.url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
        return visible! + hidden!;
      };
      const [[ready, reserved, delayed], dead] = await Promise.all([read(source.url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']), buried()]);
      return { ready: ready!, reserved: reserved!, delayed: delayed!, buried: dead, approximate: true };
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const controller of inflight) controller.abort();
      inflight.clear();
      handle.close();
    },
  };
}
