/** What the Lambda wrapper reads from one SQS record, checked at the edge. */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { parseQueueArn, parseQueueUrl, queueUrlOfArn, type QueueAddress } from './queue-url.ts';
import type { SqsEvent, SqsRecord, SqsRecordMessageAttribute } from './lambda-types.ts';

/**
 * The records of an event, or a TypeError naming what is malformed. A record without a
 * messageId cannot be reported failed, so such an event fails as a whole (Lambda retries it).
 */
export function recordsOf(event: SqsEvent): SqsRecord[] {
  const records = (event as { Records?: unknown } | null | undefined)?.Records;
  if (!Array.isArray(records)) throw new TypeError('[sqs] lambda handler failed: event.Records must be an array (is this an SQS event?)');
  for (let i = 0; i < records.length; i++) {
    const id = (records[i] as { messageId?: unknown } | null)?.messageId;
    if (typeof id !== 'string' || id === '') throw new TypeError(`[sqs] lambda handler failed: event.Records[${i}].messageId must be a non-empty string`);
  }
  return records as SqsRecord[];
}

/** 1-based delivery number from ApproximateReceiveCount; 1 when absent or garbled. */
export function attemptOf(record: SqsRecord): number {
  const n = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isSafeInteger(n) && n >= 1 ? n : 1;
}

export function groupOf(record: SqsRecord): string | undefined {
  const group = record.attributes?.MessageGroupId;
  return typeof group === 'string' && group !== '' ? group : undefined;
}

export type QueueUrlOption = string | ((eventSourceARN: string) => string);

/** The source queue of records from `arn`: the configured URL, or the AWS URL the ARN names. */
export function sourceResolver(option: QueueUrlOption | undefined): (arn: string) => QueueAddress {
  const cache = new Map<string, QueueAddress>();
  return (arn) => {
    let address = cache.get(arn);
    if (address === undefined) {
      if (typeof option === 'function') address = parseQueueUrl(option(arn), 'queueUrl');
      else if (typeof option === 'string') address = parseQueueUrl(option, 'queueUrl');
      else {
        const parsed = parseQueueArn(arn);
        if (parsed === undefined) throw new TypeError(`[sqs] lambda handler: eventSourceARN ${JSON.stringify(arn)} is not an SQS queue ARN; pass queueUrl`);
        address = parseQueueUrl(queueUrlOfArn(parsed), 'eventSourceARN');
      }
      cache.set(arn, address);
    }
    return address;
  };
}

/** A record's message attributes in the SDK's form (Lambda gives binary values as base64). */
export function sdkAttributes(attributes: Record<string, SqsRecordMessageAttribute> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined || attributes === null || typeof attributes !== 'object') return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  let any = false;
  for (const [name, a] of Object.entries(attributes)) {
    if (typeof a?.dataType !== 'string') continue;
    if (typeof a.stringValue === 'string') out[name] = { DataType: a.dataType, StringValue: a.stringValue };
    else if (typeof a.binaryValue === 'string') out[name] = { DataType: a.dataType, BinaryValue: Buffer.from(a.binaryValue, 'base64') };
    else continue;
    any = true;
  }
  return any ? out : undefined;
}
