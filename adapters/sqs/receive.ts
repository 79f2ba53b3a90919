/**
 * reserve on SQS: ReceiveMessage with long polling and the system attributes that give the
 * attempt (ApproximateReceiveCount) and the timestamps.
 *
 * An abort ends the wait at once with [], but SQS cannot cancel a long poll: a request left
 * running may still receive messages. Those are given back at once (visibility 0) instead of
 * staying invisible for a whole lease. When the server's wait ends within a moment of the
 * abort anyway, reserve waits for that answer and returns what it brought.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { ReservedJob, ReserveOptions } from '../../src/service.ts';
import type { ClientHandle } from './sdk.ts';
import { sqsError, toTransportError } from './errors.ts';
import { SQS_MAX_BATCH_ENTRIES, SQS_MAX_VISIBILITY_SECONDS, toSeconds } from './limits.ts';
import type { QueueAddress } from './queue-url.ts';

/** A job reserved from SQS: the message's facts a bury or a touch needs later. */
export interface SqsReservedJob extends ReservedJob {
  readonly body: string;
  /** Epoch ms of this receive: the 12 h visibility cap counts from it. */
  readonly receivedAt: number;
  readonly messageAttributes?: Record<string, MessageAttributeValue>;
}

export interface ReceiveTarget {
  readonly queue: QueueAddress;
  readonly handle: ClientHandle;
  readonly waitTimeSeconds: number;
  /** Message attributes to ask for (none by default). */
  readonly messageAttributeNames: readonly string[];
  /** Requests in flight, so close() can end them. */
  readonly inflight: Set<AbortController>;
  /** Gives back messages nobody will run (visibility 0). */
  giveBack(jobs: SqsReservedJob[]): void;
  isClosed(): boolean;
  now(): number;
}

/** If the server's wait ends this soon after an abort, wait for its answer rather than drop it. */
const ABORT_GRACE_MS = 1_500;
const SYSTEM_ATTRIBUTES = ['ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'SentTimestamp', 'MessageGroupId'] as const;

export async function receiveJobs(target: ReceiveTarget, options: ReserveOptions): Promise<SqsReservedJob[]> {
  const { queue } = target;
  const max = options?.max;
  if (!Number.isSafeInteger(max) || max < 1) throw sqsError('reserve', `max must be an integer >= 1, got ${String(max)}`, 'InvalidArgument', queue.name);
  const leaseMs = options.leaseMs;
  if (typeof leaseMs !== 'number' || !(leaseMs >= 0) || leaseMs > SQS_MAX_VISIBILITY_SECONDS * 1000) {
    throw sqsError('reserve', `leaseMs must be a number from 0 to ${SQS_MAX_VISIBILITY_SECONDS * 1000} (SQS visibility timeout <= 12 h), got ${String(leaseMs)}`, 'InvalidArgument', queue.name);
  }
  const waitMs = options.waitMs ?? 0;
  if (typeof waitMs !== 'number' || !(waitMs >= 0)) throw sqsError('reserve', `waitMs must be a number >= 0, got ${String(waitMs)}`, 'InvalidArgument', queue.name);
  const signal = options.signal;
  if (signal?.aborted) return [];
  const { sdk, client } = await target.handle.get();
  if (signal?.aborted || target.isClosed()) return [];

  const waitSeconds = toSeconds(waitMs, target.waitTimeSeconds);
  const visibility = toSeconds(leaseMs, SQS_MAX_VISIBILITY_SECONDS);
  const controller = new AbortController();
  target.inflight.add(controller);
  const startedAt = target.now();
  const request = client
    .send(
      new sdk.ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: Math.min(max, SQS_MAX_BATCH_ENTRIES),
        VisibilityTimeout: visibility,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: [...SYSTEM_ATTRIBUTES],
        ...(target.messageAttributeNames.length > 0 ? { MessageAttributeNames: [...target.messageAttributeNames] } : {}),
      }),
      { abortSignal: controller.signal },
    )
    .then(
      (out) => (out.Messages ?? []).map((m) => toReserved(m, startedAt, visibility)),
      (error: unknown) => {
        if (controller.signal.aborted) return [] as SqsReservedJob[];
        throw toTransportError(error, 'reserve (ReceiveMessage)', queue.name);
      },
    )
    .finally(() => target.inflight.delete(controller));

  if (signal === undefined) return request;
  return new Promise<SqsReservedJob[]>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      const serverEndsIn = startedAt + waitSeconds * 1000 - target.now();
      if (serverEndsIn <= ABORT_GRACE_MS) return; // the answer comes soon: take it
      settled = true;
      resolve([]);
      request.then(
        (jobs) => {
          if (jobs.length > 0) target.giveBack(jobs);
        },
        () => {},
      );
    };
    signal.addEventListener('abort', onAbort, { once: true });
    request.then(
      (jobs) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) resolve(jobs);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) reject(error);
      },
    );
  });
}

function toReserved(message: Message, receivedAt: number, visibilitySeconds: number): SqsReservedJob {
  const attributes = message.Attributes ?? {};
  const count = Number(attributes.ApproximateReceiveCount);
  const job: {
    -readonly [K in keyof SqsReservedJob]: SqsReservedJob[K];
  } = {
    body: message.Body ?? '',
    receipt: message.ReceiptHandle ?? '',
    attempt: Number.isSafeInteger(count) && count >= 1 ? count : 1,
    transportId: message.MessageId ?? '',
    leaseExpiresAt: receivedAt + visibilitySeconds * 1000,
    receivedAt,
  };
  const first = Number(attributes.ApproximateFirstReceiveTimestamp);
  if (Number.isFinite(first) && first > 0) job.firstReceivedAt = first;
  const sent = Number(attributes.SentTimestamp);
  if (Number.isFinite(sent) && sent > 0) job.enqueuedAt = sent;
  if (attributes.MessageGroupId !== undefined) job.groupKey = attributes.MessageGroupId;
  if (message.MessageAttributes !== undefined && Object.keys(message.MessageAttributes).length > 0) job.messageAttributes = message.MessageAttributes;
  return job;
}
