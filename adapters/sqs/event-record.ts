/** An SQS message, as ReceiveMessage returns it, turned into the record Lambda would deliver. */
import type { Message } from '@aws-sdk/client-sqs';
import type { SqsRecord, SqsRecordAttributes, SqsRecordMessageAttribute } from './lambda-types.ts';

const SYSTEM_KEYS = ['AWSTraceHeader', 'SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId', 'DeadLetterQueueSourceArn'] as const;

export function eventRecordOf(message: Message, queueArn: string, region: string): SqsRecord {
  const a = message.Attributes ?? {};
  const attributes: SqsRecordAttributes = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? '0',
    SenderId: a.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? a.SentTimestamp ?? '0',
  };
  for (const key of SYSTEM_KEYS) if (a[key] !== undefined) attributes[key] = a[key];
  const messageAttributes: Record<string, SqsRecordMessageAttribute> = {};
  for (const [name, v] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
      stringListValues: v.StringListValues ?? [],
      binaryListValues: (v.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: v.DataType ?? 'String',
    };
  }
  const record: SqsRecord = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes !== undefined) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}
