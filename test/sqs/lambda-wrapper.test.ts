/**
 * The Lambda wrapper on real SQS calls (fauxqs): outcome -> batch response and SQS action,
 * the FIFO group rule, the time budget, malformed input.
 */
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createSqsService } from '../../adapters/sqs/index.ts';
import { createSqsHandler } from '../../adapters/sqs/lambda.ts';
import { jobBody, lambdaContext, sqsEvent, sqsRecord } from '../../adapters/sqs/fixtures.ts';
import { createEnvelope, encodeEnvelope } from '../../src/envelope.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { countRequests, makeJobs, receivedEvent, type JobLog } from './lambda-helpers.ts';
import { freshQueue, sharedEmulator } from './helpers.ts';

const task = (tag: string, mode = 'ok') => jobBody('task', { tag, mode });

async function setup(options: { fifo?: boolean } = {}) {
  const sqs = await sharedEmulator();
  const queue = await freshQueue('lambda', { fifo: options.fifo, deadLetter: { maxReceiveCount: 50 }, visibilityTimeoutSeconds: 30 });
  const client = new SQSClient(sqs.clientConfig);
  const log: JobLog = { runs: [] };
  const handler = createSqsHandler({ jobs: makeJobs(log), client, queueUrl: queue.queueUrl });
  const service = createSqsService({ queueUrl: queue.queueUrl, client });
  return { sqs, queue, client, log, handler, service };
}

describe('sqs lambda wrapper', () => {
  it('a batch that succeeds reports nothing and makes no SQS call', async () => {
    const { client, queue, handler, log } = await setup();
    const event = await receivedEvent(client, queue, [task('a'), task('b'), task('c')]);
    const requests = countRequests(client);

    const response = await handler(event, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(log.runs.sort()).toEqual(['a@1', 'b@1', 'c@1']);
    expect(requests.count).toBe(0);
  });

  it('a retried record is reported, and comes back after its backoff rather than the queue visibility timeout', async () => {
    const { client, queue, handler, log } = await setup();
    const event = await receivedEvent(client, queue, [task('ok'), task('flaky', 'fail-once')]);
    const flaky = event.Records[1]!;

    const startedAt = Date.now();
    const response = await handler(event, lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: flaky.messageId }]);
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(out.Messages?.map((m) => [m.MessageId, m.Attributes?.ApproximateReceiveCount])).toEqual([[flaky.messageId, '2']]);
    // backoff 1 s; the queue's own visibility timeout is 30 s
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(log.runs).toContain('flaky@1');
  });

  it('poison goes to the dead-letter queue with its reason, and is not reported (Lambda deletes it)', async () => {
    const { client, queue, handler, service } = await setup();
    const bodies = ['not json', jobBody('no-such-job', {}), jobBody('task', { tag: 5 }), task('never', 'permanent')];
    const event = await receivedEvent(client, queue, bodies);

    const response = await handler(event, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    const buried = await service.listBuried({ max: 10 });
    expect(buried.map((b) => [b.body, b.reason, b.attempt, b.sourceQueue]).sort()).toEqual(
      [
        ['not json', 'malformed-json', 1, queue.name],
        [bodies[1], 'unknown-job', 1, queue.name],
        [bodies[2], 'invalid-payload', 1, queue.name],
        [bodies[3], 'permanent-error', 1, queue.name],
      ].sort(),
    );
    expect(buried.find((b) => b.reason === 'invalid-payload')!.detail).toMatch(/tag/);
  });

  it('the last attempt that fails is buried, not retried', async () => {
    const { client, queue, service, log } = await setup();
    const handler = createSqsHandler({ jobs: makeJobs(log, { maxAttempts: 1 }), client, queueUrl: queue.queueUrl });
    const event = await receivedEvent(client, queue, [task('doomed', 'fail')]);

    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect((await service.listBuried()).map((b) => b.reason)).toEqual(['attempts-exhausted']);
  });

  it('a poison record whose dead-letter send fails is reported, so it is not lost', async () => {
    const { client, queue, log, sqs } = await setup();
    const missing = `${sqs.endpoint}/000000000000/no-such-dlq`;
    const handler = createSqsHandler({ jobs: makeJobs(log), client, queueUrl: queue.queueUrl, deadLetterQueueUrl: missing });
    const event = await receivedEvent(client, queue, ['not json', task('fine')]);

    const response = await handler(event, lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
  });

  it('FIFO: after the first failure in a group, later records of that group are reported without running', async () => {
    const { queue, client, log } = await setup({ fifo: true });
    const handler = createSqsHandler({ jobs: makeJobs(log), client, queueUrl: queue.queueUrl, applyBackoff: false });
    const arn = queue.queueArn;
    const records = [
      sqsRecord(task('a1'), { groupId: 'a', eventSourceARN: arn }),
      sqsRecord(task('b1'), { groupId: 'b', eventSourceARN: arn }),
      sqsRecord(task('a2', 'fail'), { groupId: 'a', eventSourceARN: arn }),
      sqsRecord(task('b2'), { groupId: 'b', eventSourceARN: arn }),
      sqsRecord(task('a3'), { groupId: 'a', eventSourceARN: arn }),
      sqsRecord('not json', { groupId: 'b', eventSourceARN: arn }), // buried: not a failure of b
      sqsRecord(task('b3'), { groupId: 'b', eventSourceARN: arn }),
    ];

    const response = await handler(sqsEvent(records), lambdaContext());

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([records[2]!.messageId, records[4]!.messageId]);
    expect(log.runs).toEqual(['a1@1', 'b1@1', 'a2@1', 'b2@1', 'b3@1']);
  });

  it('no state leaks: a group that failed in one invocation runs in the next', async () => {
    const { queue, client, log } = await setup({ fifo: true });
    const handler = createSqsHandler({ jobs: makeJobs(log), client, queueUrl: queue.queueUrl, applyBackoff: false });
    const arn = queue.queueArn;
    await handler(sqsEvent([sqsRecord(task('x1', 'fail'), { groupId: 'g', eventSourceARN: arn })]), lambdaContext());

    const second = sqsRecord(task('x2'), { groupId: 'g', eventSourceARN: arn });
    expect(await handler(sqsEvent([second]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(log.runs).toEqual(['x1@1', 'x2@1']);
  });

  it('records not started when the time budget runs out are reported, and not run', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const log: JobLog = { runs: [] };
    const slowJobs = makeJobs(log);
    const original = slowJobs[0]!.handler;
    // Each run "takes" 400 ms of the fake clock.
    const jobs = [{ ...slowJobs[0]!, handler: (p: never, ctx: never) => ((clock += 400), original(p, ctx)) }];
    const handler = createSqsHandler({ jobs, now, timeMarginMs: 100, concurrency: 1 });
    const records = ['r1', 'r2', 'r3', 'r4'].map((t) => sqsRecord(task(t)));

    const response = await handler(sqsEvent(records), lambdaContext({ remainingMs: 1_000, now }));

    // budget: 1000 - 100 = 900 ms -> r1 (0), r2 (400), r3 (800) start; r4 (1200) does not
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([records[3]!.messageId]);
    expect(log.runs).toEqual(['r1@1', 'r2@1', 'r3@1']);
  });

  it('a record still running at the end of the budget is aborted and reported', async () => {
    const log: JobLog = { runs: [] };
    const handler = createSqsHandler({ jobs: makeJobs(log), timeMarginMs: 400, applyBackoff: false });
    const records = [sqsRecord(task('stuck', 'hang')), sqsRecord(task('quick'))];

    const startedAt = Date.now();
    const response = await handler(sqsEvent(records), lambdaContext({ remainingMs: 1_000 }));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
    // Answered before Lambda's own timeout (the pipeline's watchdog checks deadlines every <= 250 ms).
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(log.runs.sort()).toEqual(['quick@1', 'stuck@1']);
  });

  it('standard queue: a job not due yet is re-sent with its remaining delay and not reported', async () => {
    const { client, queue, handler, log } = await setup();
    const body = encodeEnvelope(createEnvelope('task', { tag: 'later', mode: 'ok' }, { notBefore: Date.now() + 2_000 }));
    const event = await receivedEvent(client, queue, [body]);

    const response = await handler(event, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(log.runs).toEqual([]);
    const early = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: 0 }));
    expect(early.Messages ?? []).toEqual([]);
    const later = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: 5 }));
    expect(later.Messages?.map((m) => m.Body)).toEqual([body]);
  });

  it('log lines name the queue the records came from', async () => {
    const logger = createMemoryLogger('info');
    const handler = createSqsHandler({ jobs: makeJobs({ runs: [] }), logger });
    await handler(sqsEvent([sqsRecord(task('logged'), { eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:orders' })]), lambdaContext());
    expect(logger.records.find((r) => r.event === 'job.completed')).toMatchObject({ queue: 'orders', adapter: 'sqs', job: 'task', attempt: 1 });
  });

  it('a malformed event throws a clear error; an empty batch answers no failures', async () => {
    const handler = createSqsHandler({ jobs: makeJobs({ runs: [] }) });
    await expect(handler({} as never, lambdaContext())).rejects.toThrow(/event.Records must be an array/);
    await expect(handler({ Records: [{ body: 'x' }] } as never, lambdaContext())).rejects.toThrow(/Records\[0\]\.messageId/);
    expect(await handler({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
  });
});
