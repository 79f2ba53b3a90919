/**
 * The dead-letter queue as jobferry's buried store: listBuried peeks (receives with a short
 * visibility timeout, then makes the messages visible again), kick moves messages back to the
 * source queue by receive, send, delete (or StartMessageMoveTask where asked for and present).
 *
 * A dead-letter queue may serve several source queues: only messages whose source is this
 * queue (jobferry's `jobferry.source-queue` attribute, or SQS's DeadLetterQueueSourceArn for
 * messages a redrive policy moved) are listed or kicked; the others are left where they are.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { Logger } from '../../src/logger.ts';
import type { BuriedJob } from '../../src/service.ts';
import type { ClientHandle } from './sdk.ts';
import { batchEntryError, sqsError, sqsErrorCode, toTransportError } from './errors.ts';
import { DEAD_LETTER_ATTRIBUTES as A, foreignAttributes } from './dead-letter-message.ts';
import type { DeadLetterLookup } from './dead-letter-queue.ts';
import { SQS_MAX_BATCH_ENTRIES } from './limits.ts';
import { parseQueueArn, type QueueAddress } from './queue-url.ts';

export interface DeadLetterStoreTarget {
  readonly source: QueueAddress;
  readonly handle: ClientHandle;
  readonly lookup: DeadLetterLookup;
  readonly useMessageMoveTask: boolean;
  readonly logger: Logger;
}

/** Long enough that one listing or kick never meets its own messages again. */
const PEEK_SECONDS = 30;
const DEFAULT_LIST_MAX = 100;
const MISSING_API = new Set(['InvalidAction', 'UnsupportedOperation', 'UnknownOperationException', 'UnknownOperation', 'NotImplemented']);

export function createDeadLetterStore(target: DeadLetterStoreTarget) {
  const { source, handle, lookup, logger } = target;
  let moveTaskMissing = false;

  const receive = async (dlq: QueueAddress, max: number): Promise<Message[]> => {
    const { sdk, client } = await handle.get();
    try {
      const out = await client.send(
        new sdk.ReceiveMessageCommand({
          QueueUrl: dlq.url,
          MaxNumberOfMessages: Math.min(SQS_MAX_BATCH_ENTRIES, Math.max(1, max)),
          VisibilityTimeout: PEEK_SECONDS,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['SentTimestamp', 'MessageGroupId', 'DeadLetterQueueSourceArn'],
          MessageAttributeNames: ['All'],
        }),
      );
      return out.Messages ?? [];
    } catch (error) {
      throw toTransportError(error, `reading the dead-letter queue ${dlq.name}`, source.name);
    }
  };

  /** Visible again at once; failures only mean the messages come back after PEEK_SECONDS. */
  const unhide = async (dlq: QueueAddress, messages: Message[]) => {
    if (messages.length === 0) return;
    const { sdk, client } = await handle.get();
    for (let i = 0; i < messages.length; i += SQS_MAX_BATCH_ENTRIES) {
      const chunk = messages.slice(i, i + SQS_MAX_BATCH_ENTRIES);
      try {
        const out = await client.send(
          new sdk.ChangeMessageVisibilityBatchCommand({
            QueueUrl: dlq.url,
            Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        );
        if ((out.Failed ?? []).length > 0) throw batchEntryError(out.Failed![0]!, 'making peeked dead-letter messages visible', source.name);
      } catch (error) {
        logger.log('warn', { event: 'sqs.dead-letter-peek', queue: source.name, adapter: 'sqs', error: { name: sqsErrorCode(error), message: (error as Error).message }, detail: `they show again after ${PEEK_SECONDS} s` });
      }
    }
  };

  const sourceOf = (m: Message): string | undefined =>
    m.MessageAttributes?.[A.sourceQueue]?.StringValue ?? parseQueueArn(m.Attributes?.DeadLetterQueueSourceArn)?.name;
  // A message with no source at all (sent by hand) is taken to be this queue's.
  const ours = (m: Message) => {
    const from = sourceOf(m);
    return from === undefined || from === source.name;
  };

  const toBuried = (m: Message): BuriedJob => {
    const attr = (name: string) => m.MessageAttributes?.[name]?.StringValue;
    const redriven = attr(A.reason) === undefined && m.Attributes?.DeadLetterQueueSourceArn !== undefined;
    const buriedAt = Number(attr(A.buriedAt) ?? m.Attributes?.SentTimestamp);
    return {
      transportId: m.MessageId ?? '',
      body: m.Body ?? '',
      reason: attr(A.reason) ?? (redriven ? 'redrive-policy' : 'unknown'),
      detail: attr(A.detail) ?? (redriven ? 'moved by the queue\'s redrive policy after maxReceiveCount receives' : 'no jobferry attributes on this dead-letter message'),
      attempt: Number(attr(A.attempt) ?? 0) || 0,
      buriedAt: Number.isFinite(buriedAt) ? buriedAt : 0,
      sourceQueue: sourceOf(m) ?? source.name,
    };
  };

  const moveByTask = async (dlq: QueueAddress): Promise<number | undefined> => {
    const { sdk, client } = await handle.get();
    const [sourceArn, dlqArn] = await Promise.all([lookup.arnOf(source), lookup.arnOf(dlq)]);
    let waiting = 0;
    try {
      const attrs = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: dlq.url, AttributeNames: ['ApproximateNumberOfMessages'] }));
      waiting = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0) || 0;
      await client.send(new sdk.StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: sourceArn }));
      return waiting;
    } catch (error) {
      if (MISSING_API.has(sqsErrorCode(error))) {
        moveTaskMissing = true;
        return undefined;
      }
      throw toTransportError(error, 'kick (StartMessageMoveTask)', source.name);
    }
  };

  return {
    async listBuried(options: { max?: number } = {}): Promise<BuriedJob[]> {
      const max = options?.max ?? DEFAULT_LIST_MAX;
      if (!(max >= 0) || !Number.isFinite(max)) throw sqsError('listBuried', `max must be a finite number >= 0, got ${String(max)}`, 'InvalidArgument', source.name);
      const dlq = await lookup.get('listBuried');
      const found: BuriedJob[] = [];
      const peeked: Message[] = [];
      try {
        for (let round = 0; found.length < max && round < Math.ceil(max / SQS_MAX_BATCH_ENTRIES) * 3 + 3; round++) {
          const messages = await receive(dlq, SQS_MAX_BATCH_ENTRIES);
          if (messages.length === 0) break;
          peeked.push(...messages);
          for (const m of messages) if (found.length < max && ours(m)) found.push(toBuried(m));
        }
      } finally {
        await unhide(dlq, peeked);
      }
      return found;
    },

    async kick(options: { max?: number } = {}): Promise<number> {
      const max = options?.max ?? Infinity;
      if (!(max >= 0)) throw sqsError('kick', `max must be a number >= 0, got ${String(max)}`, 'InvalidArgument', source.name);
      const dlq = await lookup.get('kick');
      if (target.useMessageMoveTask && max === Infinity && !moveTaskMissing) {
        const started = await moveByTask(dlq);
        if (started !== undefined) return started;
      }
      const { sdk, client } = await handle.get();
      let moved = 0;
      const giveBack: Message[] = [];
      // A kick moves what was buried when it began. A job buried again while it runs (a fast
      // consumer meets the same poison at once) is left buried: moving it again would cycle.
      const startedAt = Date.now();
      const movable = (m: Message) => ours(m) && !(Number(m.Attributes?.SentTimestamp) >= startedAt);
      try {
        // Bounded: every round either moves messages or meets only messages it leaves (hidden until the end).
        for (let round = 0; moved < max && round < 10_000; round++) {
          const messages = await receive(dlq, Math.min(SQS_MAX_BATCH_ENTRIES, max - moved));
          if (messages.length === 0) break;
          const mine = messages.filter(movable);
          giveBack.push(...messages.filter((m) => !movable(m)));
          if (mine.length === 0) continue;
          let sent;
          try {
            sent = await client.send(
              new sdk.SendMessageBatchCommand({
                QueueUrl: source.url,
                Entries: mine.map((m, i) => ({
                  Id: String(i),
                  MessageBody: m.Body ?? '',
                  MessageAttributes: foreignAttributes(m.MessageAttributes),
                  // FIFO: back into its own group; the dead-letter message id is a fresh dedupe id.
                  ...(source.fifo ? { MessageGroupId: m.Attributes?.MessageGroupId ?? crypto.randomUUID(), MessageDeduplicationId: m.MessageId } : {}),
                })),
              }),
            );
          } catch (error) {
            giveBack.push(...mine);
            throw toTransportError(error, 'kick (SendMessageBatch to the source queue)', source.name);
          }
          const okIds = new Set((sent.Successful ?? []).map((s) => s.Id));
          const done = mine.filter((_, i) => okIds.has(String(i)));
          giveBack.push(...mine.filter((_, i) => !okIds.has(String(i))));
          if (done.length > 0) {
            try {
              await client.send(new sdk.DeleteMessageBatchCommand({ QueueUrl: dlq.url, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
            } catch (error) {
              // Sent but not deleted: the job is back AND still buried; a later kick sends it again.
              throw toTransportError(error, 'kick (DeleteMessageBatch on the dead-letter queue)', source.name);
            }
          }
          moved += done.length;
          if ((sent.Failed ?? []).length > 0) throw batchEntryError(sent.Failed![0]!, 'kick (SendMessageBatch to the source queue)', source.name);
        }
      } finally {
        await unhide(dlq, giveBack);
      }
      return moved;
    },
  };
}
