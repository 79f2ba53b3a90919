/**
 * End to end: producer -> fauxqs -> local event source mapping -> Lambda wrapper -> pipeline,
 * with mixed batches (good, transient failure, invalid payload, unknown job, slow).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createSqsService } from '../../adapters/sqs/index.ts';
import { createSqsHandler } from '../../adapters/sqs/lambda.ts';
import { createEventSourceMapping } from '../../adapters/sqs/event-source.ts';
import { jobBody } from '../../adapters/sqs/fixtures.ts';
import { createQueue } from '../../src/queue.ts';
import { makeJobs, type JobLog } from './lambda-helpers.ts';
import { freshQueue, sharedEmulator } from './helpers.ts';

async function setup(fifo: boolean) {
  const sqs = await sharedEmulator();
  const queue = await freshQueue('e2e', { fifo, deadLetter: { maxReceiveCount: 50 }, visibilityTimeoutSeconds: 30 });
  const client = new SQSClient(sqs.clientConfig);
  const log: JobLog = { runs: [] };
  const jobs = makeJobs(log);
  const service = createSqsService({ queueUrl: queue.queueUrl, client });
  const handler = createSqsHandler({ jobs, client, queueUrl: queue.queueUrl, timeMarginMs: 1_000 });
  // A 2.5 s function: the budget (1.5 s) aborts a slow record long before Lambda's timeout.
  const mapping = createEventSourceMapping({ client, queueUrl: queue.queueUrl, handler, batchSize: 10, maximumBatchingWindowMs: 300, functionTimeoutMs: 2_500 });
  return { queue, client, log, jobs, service, handler, mapping };
}

describe('sqs lambda end to end (fauxqs + event source mapping)', () => {
  it('a mixed batch: good ones complete once, failures come back, poison lands in the dead-letter queue', async () => {
    const { log, jobs, service, mapping } = await setup(false);
    const producer = createQueue({ service, jobs });
    for (const tag of ['good-1', 'good-2', 'good-3']) await producer.enqueue('task', { tag, mode: 'ok' });
    await producer.enqueue('task', { tag: 'transient', mode: 'fail-once' });
    await producer.enqueue('task', { tag: 'slow', mode: 'hang-once' });
    // Poison a producer in another language might send: it never reaches a handler.
    await service.enqueue([
      { id: 'bad-payload', name: 'task', body: jobBody('task', { tag: 42 }), delayMs: 0 },
      { id: 'unknown', name: 'nope', body: jobBody('no-such-job', {}), delayMs: 0 },
    ]);

    mapping.start();
    await mapping.waitFor(() => log.runs.includes('transient@2') && log.runs.includes('slow@2'), 25_000);
    await mapping.stop();

    expect(log.runs.filter((r) => r.startsWith('good')).sort()).toEqual(['good-1@1', 'good-2@1', 'good-3@1']);
    expect(log.runs.filter((r) => !r.startsWith('good')).sort()).toEqual(['slow@1', 'slow@2', 'transient@1', 'transient@2']);
    const buried = await service.listBuried();
    expect(buried.map((b) => b.reason).sort()).toEqual(['invalid-payload', 'unknown-job']);
    expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0, delayed: 0, buried: 2 });
    // Every answer only named records of its own batch.
    for (const invocation of mapping.invocations) {
      expect(invocation.outcome).not.toBe('failed');
      const ids = new Set(invocation.event.Records.map((r) => r.messageId));
      for (const id of invocation.kept) expect(ids.has(id)).toBe(true);
    }
  });

  it('FIFO: a failed job holds back the rest of its group until it succeeds; other groups go on', async () => {
    const { log, jobs, service, mapping } = await setup(true);
    const producer = createQueue({ service, jobs });
    await producer.enqueue('task', { tag: 'a1', mode: 'ok' }, { groupKey: 'a' });
    await producer.enqueue('task', { tag: 'a2', mode: 'fail-once' }, { groupKey: 'a' });
    await producer.enqueue('task', { tag: 'a3', mode: 'ok' }, { groupKey: 'a' });
    await producer.enqueue('task', { tag: 'b1', mode: 'ok' }, { groupKey: 'b' });
    await producer.enqueue('task', { tag: 'b2', mode: 'ok' }, { groupKey: 'b' });

    mapping.start();
    await mapping.waitFor(() => log.runs.includes('a3@1') && log.runs.includes('b2@1'), 25_000);
    await mapping.stop();

    expect(log.runs.filter((r) => r.startsWith('a'))).toEqual(['a1@1', 'a2@1', 'a2@2', 'a3@1']);
    expect(log.runs.filter((r) => r.startsWith('b'))).toEqual(['b1@1', 'b2@1']);
    expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0, buried: 0 });
  });
});
