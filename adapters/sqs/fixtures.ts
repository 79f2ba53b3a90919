/**
 * Fixtures for tests of Lambda SQS handlers: records, events and contexts shaped as Lambda
 * delivers them, built by factories with overridable fields.
 *
 * @example
 * ```ts
 * const event = sqsEvent([sqsRecord(jobBody('send-email', { to: 'a@example.com' })), sqsRecord('not json')]);
 * const response = await handler(event, lambdaContext({ remainingMs: 3_000 }));
 * ```
 */
import { createHash, randomUUID } from 'node:crypto';
import { createEnvelope, encodeEnvelope, type NewEnvelopeOptions } from '../../src/envelope.ts';
import type { LambdaContextLike, SqsEvent, SqsRecord, SqsRecordAttributes } from './lambda-types.ts';

export const DEFAULT_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:jobferry-test';
export const DEFAULT_FIFO_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:jobferry-test.fifo';

export interface SqsRecordOptions extends Partial<Omit<SqsRecord, 'attributes' | 'body'>> {
  attributes?: Partial<SqsRecordAttributes>;
  /** Shortcut for attributes.ApproximateReceiveCount. */
  attempt?: number;
  /** FIFO record: its group (and a FIFO queue ARN unless eventSourceARN is given). */
  groupId?: string;
}

/** A jobferry envelope body, as a producer would send it. */
export function jobBody(name: string, payload: unknown, options: NewEnvelopeOptions = {}): string {
  return encodeEnvelope(createEnvelope(name, payload, options));
}

let sequence = 0;

/** One SQS record with `body`; every other field has a faithful default. */
export function sqsRecord(body: string, options: SqsRecordOptions = {}): SqsRecord {
  const { attributes, attempt, groupId, ...fields } = options;
  const now = String(Date.now());
  const fifo = groupId !== undefined;
  const arn = fields.eventSourceARN ?? (fifo ? DEFAULT_FIFO_QUEUE_ARN : DEFAULT_QUEUE_ARN);
  const record: SqsRecord = {
    messageId: randomUUID(),
    receiptHandle: `AQEB${randomUUID().replaceAll('-', '')}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(attempt ?? 1),
      SentTimestamp: now,
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: now,
      ...(fifo ? { MessageGroupId: groupId, MessageDeduplicationId: randomUUID(), SequenceNumber: String(++sequence).padStart(20, '0') } : {}),
      ...attributes,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: arn.split(':')[3] ?? 'us-east-1',
    ...fields,
  };
  return record;
}

/** An event holding `records` (strings become records with that body). */
export function sqsEvent(records: ReadonlyArray<SqsRecord | string>): SqsEvent {
  return { Records: records.map((r) => (typeof r === 'string' ? sqsRecord(r) : r)) };
}

export interface LambdaContextOptions {
  /** Time left when the invocation starts. Default 30_000. */
  remainingMs?: number;
  /** Clock the remaining time counts down on. Default Date.now. */
  now?: () => number;
  functionName?: string;
}

/** A Lambda context (every field of aws-lambda's Context) whose remaining time counts down. */
export function lambdaContext(options: LambdaContextOptions = {}) {
  const now = options.now ?? Date.now;
  const endsAt = now() + (options.remainingMs ?? 30_000);
  const functionName = options.functionName ?? 'jobferry-test';
  const unsupported = () => {
    throw new Error('the callback API of the Lambda context is not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, endsAt - now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  } satisfies LambdaContextLike & Record<string, unknown>;
}
