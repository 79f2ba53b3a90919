/**
 * The shapes of a Lambda SQS event, its context and its partial batch response, as AWS
 * documents them. Structural copies, so users need no `@types/aws-lambda`; the `aws-lambda`
 * types (SQSEvent, Context, SQSBatchResponse) are assignable to and from them.
 */

export interface SqsRecordAttributes {
  ApproximateReceiveCount: string;
  SentTimestamp: string;
  SenderId: string;
  ApproximateFirstReceiveTimestamp: string;
  AWSTraceHeader?: string;
  /** FIFO queues only. */
  SequenceNumber?: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  DeadLetterQueueSourceArn?: string;
}

export interface SqsRecordMessageAttribute {
  stringValue?: string | undefined;
  /** Base64. */
  binaryValue?: string | undefined;
  stringListValues?: string[] | undefined;
  binaryListValues?: string[] | undefined;
  dataType: string;
}

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: SqsRecordAttributes;
  messageAttributes: Record<string, SqsRecordMessageAttribute>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  /** `aws:sqs` */
  eventSource: string;
  /** `arn:aws:sqs:<region>:<account>:<queue>` */
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface SqsBatchItemFailure {
  itemIdentifier: string;
}

export interface SqsBatchResponse {
  batchItemFailures: SqsBatchItemFailure[];
}

/** The part of the Lambda context the wrapper reads. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
  functionName?: string;
}

export type SqsHandler = (event: SqsEvent, context: LambdaContextLike) => Promise<SqsBatchResponse>;
