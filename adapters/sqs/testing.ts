/**
 * jobferry/testing/sqs: test SQS code with no AWS account and no Docker.
 *
 * - `startSqsEmulator()`: fauxqs in this process, a ready client, queue helpers (FIFO, DLQ);
 * - `createEventSourceMapping()`: a local Lambda event source mapping that invokes your
 *   handler with real SQSEvents from that queue and applies its answer as Lambda does;
 * - fixtures: `sqsRecord(body)`, `sqsEvent(records)`, `lambdaContext({ remainingMs })`, `jobBody()`.
 *
 * @example
 * ```ts
 * const sqs = await startSqsEmulator();
 * const queue = await sqs.createQueue('emails', { deadLetter: true });
 * const handler = createSqsHandler({ jobs: [sendEmail], client: await sqs.client(), queueUrl: queue.queueUrl });
 * const mapping = createEventSourceMapping({ client: await sqs.client(), queueUrl: queue.queueUrl, handler });
 * mapping.start();
 * ```
 */
export { startSqsEmulator, uniqueQueueName } from './emulator.ts';
export type { CreateTestQueueOptions, SqsEmulator, SqsEmulatorOptions, TestQueue } from './emulator.ts';
export { createEventSourceMapping } from './event-source.ts';
export type { EventSourceMapping, EventSourceMappingOptions, Invocation } from './event-source.ts';
export { eventRecordOf } from './event-record.ts';
export { DEFAULT_FIFO_QUEUE_ARN, DEFAULT_QUEUE_ARN, jobBody, lambdaContext, sqsEvent, sqsRecord } from './fixtures.ts';
export type { LambdaContextOptions, SqsRecordOptions } from './fixtures.ts';
