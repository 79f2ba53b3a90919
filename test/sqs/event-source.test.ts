/**
 * The local event source mapping: faithful events, and the answer applied as Lambda documents
 * it for ReportBatchItemFailures.
 */
import { createHash } from 'node:crypto';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createEventSourceMapping, type EventSourceMappingOptions } from '../../adapters/sqs/event-source.ts';
import type { SqsEvent } from '../../adapters/sqs/lambda-types.ts';
import { deferred, freshQueue, sharedEmulator } from './helpers.ts';

async function setup(options: { fifo?: boolean } = {}) {
  const sqs = await sharedEmulator();
  const queue = await freshQueue('esm', { fifo: options.fifo, visibilityTimeoutSeconds: 30 });
  const client = new SQSClient(sqs.clientConfig);
  const send = (body: string, extra: Partial<ConstructorParameters<typeof SendMessageCommand>[0]> = {}) =>
    client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body, ...(queue.fifo ? { MessageGroupId: 'g', MessageDeduplicationId: crypto.randomUUID() } : {}), ...extra }));
  const counts = async () => {
    const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return { visible: Number(out.Attributes!.ApproximateNumberOfMessages), inFlight: Number(out.Attributes!.ApproximateNumberOfMessagesNotVisible) };
  };
  const mapping = (handler: EventSourceMappingOptions['handler'], options: Partial<EventSourceMappingOptions> = {}) =>
    createEventSourceMapping({ client, queueUrl: queue.queueUrl, handler, ...options });
  return { queue, client, send, counts, mapping };
}

describe('sqs event source mapping simulator', () => {
  it('invokes with every field of an SQS record, FIFO attributes included', async () => {
    const { queue, send, mapping } = await setup({ fifo: true });
    await send('héllo 🚀', { MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' }, blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) } } });
    const seen = deferred<SqsEvent>();
    const esm = mapping((event) => seen.resolve(event));
    esm.start();
    const event = await seen.promise;
    await esm.stop();

    const [record] = event.Records;
    expect(event.Records).toHaveLength(1);
    expect(record).toMatchObject({
      body: 'héllo 🚀',
      md5OfBody: createHash('md5').update('héllo 🚀').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.queueArn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1', MessageGroupId: 'g' },
      messageAttributes: {
        kind: { stringValue: 'greeting', dataType: 'String', stringListValues: [], binaryListValues: [] },
        blob: { binaryValue: Buffer.from([1, 2, 3]).toString('base64'), dataType: 'Binary', stringListValues: [], binaryListValues: [] },
      },
    });
    for (const key of ['messageId', 'receiptHandle', 'md5OfMessageAttributes'] as const) expect(typeof record![key]).toBe('string');
    for (const key of ['SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp', 'MessageDeduplicationId', 'SequenceNumber'] as const) {
      expect(typeof record!.attributes[key], key).toBe('string');
    }
  });

  for (const [name, answer] of [
    ['nothing', undefined],
    ['an empty object', {}],
    ['an empty batchItemFailures', { batchItemFailures: [] }],
    ['a null batchItemFailures', { batchItemFailures: null }],
  ] as const) {
    it(`an answer of ${name} deletes every record`, async () => {
      const { send, mapping, counts } = await setup();
      await send('a');
      await send('b');
      const esm = mapping(() => answer, { batchSize: 1 });
      esm.start();
      await esm.waitFor((all) => all.length >= 2);
      await esm.stop();
      expect(esm.invocations.map((i) => i.outcome)).toEqual(['success', 'success']);
      expect(await counts()).toEqual({ visible: 0, inFlight: 0 });
    });
  }

  it('records listed in batchItemFailures stay; the others are deleted', async () => {
    const { send, mapping, counts } = await setup();
    for (const body of ['keep', 'drop-1', 'drop-2']) await send(body);
    const esm = mapping((event) => ({ batchItemFailures: event.Records.filter((r) => r.body === 'keep').map((r) => ({ itemIdentifier: r.messageId })) }), { maximumBatchingWindowMs: 500, batchSize: 3, maximumConcurrency: 1 });
    esm.start();
    const [invocation] = await esm.waitFor((all) => all.length >= 1);
    await esm.stop();
    expect(invocation!.outcome).toBe('partial');
    expect(invocation!.deleted).toHaveLength(2);
    expect(await counts()).toEqual({ visible: 0, inFlight: 1 });
  });

  for (const [name, handler, reason] of [
    ['a throw', () => { throw new Error('crash'); }, /invocation failed: crash/],
    ['a rejection', async () => Promise.reject(new Error('async crash')), /async crash/],
    ['an empty itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: '' }] }), /empty itemIdentifier/],
    ['an item without itemIdentifier', () => ({ batchItemFailures: [{ itemId: 'x' }] }), /no itemIdentifier/],
    ['an unknown itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }), /not a messageId of this batch/],
    ['a batchItemFailures that is not an array', () => ({ batchItemFailures: 'all' }), /not an array/],
    ['a value that is not JSON', () => ({ batchItemFailures: [], n: 1n }), /not JSON/],
    ['a value that is not an object', () => 'done', /not an object/],
    ['running past the function timeout', () => new Promise(() => {}), /timed out/],
  ] as const) {
    it(`${name} fails the whole batch: nothing is deleted`, async () => {
      const { send, mapping, counts } = await setup();
      await send('x');
      await send('y');
      const esm = mapping(handler as EventSourceMappingOptions['handler'], { functionTimeoutMs: 300, maximumConcurrency: 1, maximumBatchingWindowMs: 300 });
      esm.start();
      const [invocation] = await esm.waitFor((all) => all.length >= 1);
      await esm.stop();
      expect(invocation).toMatchObject({ outcome: 'failed', deleted: [] });
      expect(invocation!.reason).toMatch(reason);
      expect(invocation!.kept).toHaveLength(invocation!.event.Records.length);
      expect(await counts()).toMatchObject({ visible: 0, inFlight: 2 });
    });
  }

  it('a batching window gathers records up to batchSize into one invocation', async () => {
    const { send, mapping } = await setup();
    const esm = mapping(() => undefined, { batchSize: 4, maximumBatchingWindowMs: 1_500, maximumConcurrency: 1 });
    esm.start();
    for (const body of ['1', '2', '3', '4']) await send(body);
    const [invocation] = await esm.waitFor((all) => all.reduce((n, i) => n + i.event.Records.length, 0) >= 4);
    await esm.stop();
    expect(invocation!.event.Records.map((r) => r.body)).toEqual(['1', '2', '3', '4']);
  });

  it('keepInvocations keeps only the latest invocations (a long-running mapping does not grow)', async () => {
    const { send, mapping } = await setup();
    for (const body of ['1', '2', '3', '4', '5']) await send(body);
    const seen: string[] = [];
    const esm = mapping((event) => void seen.push(event.Records[0]!.body), { batchSize: 1, maximumConcurrency: 1, keepInvocations: 2 });
    expect(() => mapping(() => undefined, { keepInvocations: 0 })).toThrow(/keepInvocations must be an integer >= 1, got 0/);
    esm.start();
    await esm.waitFor(() => seen.length >= 5);
    await esm.stop();
    expect(esm.invocations.map((i) => i.event.Records[0]!.body)).toEqual(seen.slice(-2));
  });

  it('maximumConcurrency bounds the invocations running at once', async () => {
    const { send, mapping } = await setup();
    for (const body of ['1', '2', '3', '4', '5']) await send(body);
    let running = 0;
    let peak = 0;
    const esm = mapping(
      async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 100));
        running--;
      },
      { batchSize: 1, maximumConcurrency: 2 },
    );
    esm.start();
    await esm.waitFor((all) => all.length >= 5);
    await esm.stop();
    expect(peak).toBe(2);
  });
});
