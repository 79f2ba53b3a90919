/**
 * jobferry/sqs: the SQS transport (pull worker side and producer side). The Lambda push wrapper
 * is `jobferry/sqs/lambda`; test helpers (emulator, event source simulator, fixtures) are
 * `jobferry/testing/sqs`.
 *
 * @example
 * ```ts
 * import { createQueue, createWorker } from 'jobferry';
 * import { createSqsService } from 'jobferry/sqs';
 *
 * const service = createSqsService({ queueUrl: process.env.QUEUE_URL! });
 * await createQueue({ service }).enqueue(sendEmail, { to: 'a@example.com', subject: 'Hi' });
 * await createWorker({ service, jobs: [sendEmail], concurrency: 32, pollers: 4 }).start();
 * ```
 */
export { createSqsService } from './service.ts';
export type { SqsService } from './service.ts';
export type { SqsServiceOptions } from './options.ts';
export type { SqsReservedJob } from './receive.ts';
export { forOperation, sqsErrorCode, sqsErrorKind, toTransportError } from './errors.ts';
export type { SqsErrorKind } from './errors.ts';
export { DEAD_LETTER_ATTRIBUTES } from './dead-letter-message.ts';
export { parseQueueArn, parseQueueUrl, queueUrlOfArn } from './queue-url.ts';
export type { QueueAddress, QueueArn } from './queue-url.ts';
export {
  DEAD_LETTER_RESERVE_BYTES,
  SQS_MAX_ATTRIBUTES,
  SQS_MAX_BATCH_BYTES,
  SQS_MAX_BATCH_ENTRIES,
  SQS_MAX_DELAY_SECONDS,
  SQS_MAX_ID_LENGTH,
  SQS_MAX_MESSAGE_BYTES,
  SQS_MAX_VISIBILITY_SECONDS,
  SQS_MAX_WAIT_SECONDS,
} from './limits.ts';
