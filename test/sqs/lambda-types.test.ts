/**
 * The wrapper's own event types and the `aws-lambda` ones fit each other: a handler made by
 * createSqsHandler is an SQS handler with partial batch responses, and the fixtures are real
 * SQSEvent / Context values (checked by tsc; the assertions check the runtime shape).
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createSqsHandler } from '../../adapters/sqs/lambda.ts';
import { jobBody, lambdaContext, sqsEvent, sqsRecord } from '../../adapters/sqs/fixtures.ts';
import { makeJobs } from './lambda-helpers.ts';

describe('sqs lambda types', () => {
  it('createSqsHandler returns a (SQSEvent, Context) => Promise<SQSBatchResponse>', async () => {
    const handler = createSqsHandler({ jobs: makeJobs({ runs: [] }) });
    expectTypeOf(handler).toExtend<(event: SQSEvent, context: Context) => Promise<SQSBatchResponse>>();
    const event: SQSEvent = sqsEvent([sqsRecord(jobBody('task', { tag: 't' }))]);
    const context: Context = lambdaContext();
    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
  });

  it('fixtures carry every field of an aws-lambda SQSRecord', () => {
    const record: SQSRecord = sqsRecord('x', { groupId: 'g' });
    const keys: Array<keyof SQSRecord> = ['messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody', 'eventSource', 'eventSourceARN', 'awsRegion'];
    for (const key of keys) expect(record[key], key).toBeDefined();
    expect(record.md5OfBody).toBe('9dd4e461268c8034f5c8564e155c67a6'); // md5('x')
    expect(record.attributes).toMatchObject({ ApproximateReceiveCount: '1', MessageGroupId: 'g' });
    expect(record.eventSourceARN.endsWith('.fifo')).toBe(true);
  });
});
