/**
 * The message a bury sends to the dead-letter queue: the body unchanged, the reason, detail,
 * source queue, attempt, time and original message id as message attributes, and the
 * original's own attributes as far as SQS's limit of 10 leaves room. Shared by the pull service
 * and the Lambda wrapper, so both bury the same way.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { sanitize } from '../../src/redact.ts';
import { attributeBytes, cleanChars, MAX_DETAIL_BYTES, messageBytes, SQS_MAX_ATTRIBUTES, SQS_MAX_MESSAGE_BYTES, truncateBytes, type AttributeValue } from './limits.ts';
import type { QueueAddress } from './queue-url.ts';

/** Attribute names jobferry writes on dead-letter messages (and strips again on kick). */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'jobferry.reason',
  detail: 'jobferry.detail',
  sourceQueue: 'jobferry.source-queue',
  attempt: 'jobferry.attempt',
  buriedAt: 'jobferry.buried-at',
  messageId: 'jobferry.message-id',
} as const;
export const OWN_ATTRIBUTE_PREFIX = 'jobferry.';

export interface DeadLetterInput {
  readonly body: string;
  readonly reason: string;
  readonly detail: string;
  readonly attempt: number;
  readonly source: QueueAddress;
  readonly deadLetter: QueueAddress;
  /** The source message's id: FIFO deduplication id on the dead-letter queue. */
  readonly messageId: string;
  readonly groupId?: string | undefined;
  /** The source message's own attributes, carried over where room is left. */
  readonly attributes?: Record<string, MessageAttributeValue> | undefined;
  readonly now: number;
  /** Extra secret key names for the detail's redaction. */
  readonly secretFields?: readonly string[];
}

export interface DeadLetterMessage {
  QueueUrl: string;
  MessageBody: string;
  MessageAttributes: Record<string, MessageAttributeValue>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

/** Builds the SendMessage input; throws a RangeError when even the bare body cannot fit. */
export function deadLetterMessage(input: DeadLetterInput): DeadLetterMessage {
  const A = DEAD_LETTER_ATTRIBUTES;
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const number = (value: number): MessageAttributeValue => ({ DataType: 'Number', StringValue: String(value) });
  // The detail may quote data (an error message, a schema issue): bounded, redacted, cleaned.
  const detail = cleanChars(truncateBytes(String(sanitize(String(input.detail ?? ''), input.secretFields ?? [])), MAX_DETAIL_BYTES)) || '-';
  const own: Record<string, MessageAttributeValue> = {
    [A.reason]: text(cleanChars(String(input.reason)).slice(0, 128) || 'unknown'),
    [A.detail]: text(detail),
    [A.sourceQueue]: text(input.source.name),
    [A.attempt]: number(Number.isFinite(input.attempt) ? input.attempt : 0),
    [A.buriedAt]: number(input.now),
    [A.messageId]: text(cleanChars(input.messageId) || '-'),
  };
  const attributes: Record<string, MessageAttributeValue> = {};
  let room = SQS_MAX_MESSAGE_BYTES - messageBytes(input.body, own as Record<string, AttributeValue>);
  if (room < 0) {
    // Too big with the full detail: keep a short one rather than fail the bury.
    own[A.detail] = text('detail dropped: the body leaves no room for it');
    room = SQS_MAX_MESSAGE_BYTES - messageBytes(input.body, own as Record<string, AttributeValue>);
    if (room < 0) throw new RangeError(`the body (${messageBytes(input.body, undefined)} bytes) leaves no room for the dead-letter attributes under the ${SQS_MAX_MESSAGE_BYTES}-byte message limit`);
  }
  let count = Object.keys(own).length;
  for (const [name, value] of Object.entries(input.attributes ?? {})) {
    if (name.startsWith(OWN_ATTRIBUTE_PREFIX) || count >= SQS_MAX_ATTRIBUTES) continue;
    const bytes = attributeBytes(name, value as AttributeValue);
    if (bytes > room) continue;
    attributes[name] = value;
    room -= bytes;
    count++;
  }
  const message: DeadLetterMessage = { QueueUrl: input.deadLetter.url, MessageBody: input.body, MessageAttributes: { ...attributes, ...own } };
  if (input.deadLetter.fifo) {
    // The original's group keeps buried jobs in order; its message id makes a repeated bury
    // (the delete after the send failed, the job came back) a duplicate SQS drops.
    message.MessageGroupId = input.groupId ?? 'jobferry.buried';
    message.MessageDeduplicationId = input.messageId.slice(0, 128) || crypto.randomUUID();
  }
  return message;
}

/** The original's attributes without jobferry's (for a kick back to the source). */
export function foreignAttributes(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  let any = false;
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith(OWN_ATTRIBUTE_PREFIX)) continue;
    out[name] = value;
    any = true;
  }
  return any ? out : undefined;
}
