/**
 * What the SQS service does beyond the shared contract: limits checked at enqueue, 1 MiB
 * chunking, the 12 h visibility cap, dead-letter attributes, shared dead-letter queues, the
 * StartMessageMoveTask fallback, give-back after an aborted poll, close().
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createSqsService, DEAD_LETTER_ATTRIBUTES as A, type SqsReservedJob } from '../../adapters/sqs/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { makeOutgoing } from '../contract/fixtures.ts';
import { countRequests } from './lambda-helpers.ts';
import { freshQueue, sharedEmulator } from './helpers.ts';

async function setup(options: { fifo?: boolean; deadLetter?: boolean; receiveMessageAttributeNames?: string[] } = {}) {
  const sqs = await sharedEmulator();
  const queue = await freshQueue('service', { fifo: options.fifo, deadLetter: options.deadLetter === false ? undefined : { maxReceiveCount: 50 } });
  const client = new SQSClient(sqs.clientConfig);
  const service = createSqsService({ queueUrl: queue.queueUrl, client, ...(options.receiveMessageAttributeNames ? { receiveMessageAttributeNames: options.receiveMessageAttributeNames } : {}) });
  const reserveAll = async (count: number, leaseMs = 30_000) => {
    const got: SqsReservedJob[] = [];
    for (let round = 0; got.length < count && round < 20; round++) got.push(...((await service.reserve({ max: 10, leaseMs, waitMs: 1_000 })) as SqsReservedJob[]));
    return got;
  };
  return { sqs, queue, client, service, reserveAll };
}

const errorOf = (result: { ok: boolean; error?: Error }) => (result.ok ? 'ok' : result.error!.message);

describe('sqs service', () => {
  it('enqueue refuses each job SQS would refuse, with its own clear error, and sends the rest', async () => {
    const { service, reserveAll } = await setup();
    const jobs = [
      makeOutgoing('fine'),
      { ...makeOutgoing('huge'), body: 'x'.repeat(service.limits.maxBodyBytes + 1) },
      { ...makeOutgoing('nul'), body: 'a\u0000b' },
      makeOutgoing('too-late', { delayMs: 901_000 }),
      makeOutgoing('grouped', { groupKey: 'g' }),
      makeOutgoing('ranked', { priority: 1 }),
      makeOutgoing('delayed', { delayMs: 1_500 }),
    ];
    const results = await service.enqueue(jobs);
    expect(results.map(errorOf)).toEqual([
      'ok',
      expect.stringMatching(/^\[sqs\] enqueue of job .* failed: body is \d+ bytes, more than limits.maxBodyBytes/),
      expect.stringMatching(/body holds characters SQS refuses/),
      expect.stringMatching(/delayMs must be a number from 0 to 900000/),
      expect.stringMatching(/groupKey is not supported on a standard queue/),
      expect.stringMatching(/priority is not supported: SQS has no message priority/),
      'ok',
    ]);
    expect((await reserveAll(2)).length).toBe(2);
  });

  it('FIFO: no per-message delay, and group / dedupe keys must be valid SQS ids', async () => {
    const { service } = await setup({ fifo: true });
    const results = await service.enqueue([
      makeOutgoing('delayed', { delayMs: 1_000 }),
      makeOutgoing('long-group', { groupKey: 'g'.repeat(129) }),
      makeOutgoing('spaced', { dedupeKey: 'order 42' }),
      makeOutgoing('fine', { groupKey: 'customer-7', dedupeKey: 'order-42' }),
    ]);
    expect(results.map(errorOf)).toEqual([
      expect.stringMatching(/FIFO queues have no per-message delay/),
      expect.stringMatching(/groupKey is 129 characters, SQS takes at most 128/),
      expect.stringMatching(/dedupeKey may hold only printable ASCII/),
      'ok',
    ]);
  });

  it('sends at most 10 entries and 1 MiB per SendMessageBatch request', async () => {
    const { service, client, reserveAll } = await setup();
    const requests = countRequests(client);
    const big = 'y'.repeat(200_000);
    const jobs = Array.from({ length: 25 }, (_, i) => ({ ...makeOutgoing(`big-${i}`), body: `${big}${i}` }));

    const results = await service.enqueue(jobs);

    expect(results.every((r) => r.ok)).toBe(true);
    // 25 bodies of ~200 KB: 5 fit in 1 MiB, so 5 requests (not 3 of 10 entries).
    expect(requests.commands.filter((c) => c === 'SendMessageBatchCommand')).toHaveLength(5);
    expect(new Set((await reserveAll(25)).map((j) => j.body))).toEqual(new Set(jobs.map((j) => j.body)));
  });

  it('more than limits.maxBatchSize jobs in one call is refused before anything is sent', async () => {
    const { service } = await setup();
    const jobs = Array.from({ length: service.limits.maxBatchSize + 1 }, (_, i) => makeOutgoing(String(i)));
    await expect(service.enqueue(jobs)).rejects.toMatchObject({ code: 'BatchTooLarge' });
  });

  it('a reserved job carries attempt, timestamps and its lease end', async () => {
    const { service, reserveAll } = await setup({ fifo: true });
    const before = Date.now();
    await service.enqueue([makeOutgoing('a', { groupKey: 'g1' })]);
    const [job] = await reserveAll(1, 5_000);
    expect(job).toMatchObject({ attempt: 1, groupKey: 'g1' });
    expect(job!.enqueuedAt).toBeGreaterThanOrEqual(before - 1_000);
    expect(job!.firstReceivedAt).toBeGreaterThanOrEqual(job!.enqueuedAt!);
    expect(job!.leaseExpiresAt! - job!.receivedAt).toBe(5_000);
  });

  it('touch stays within the 12 h visibility cap of the receive', async () => {
    const { service, reserveAll } = await setup();
    await service.enqueue([makeOutgoing('long')]);
    const [job] = await reserveAll(1);
    const twelveHours = 43_200_000;
    // Received (as far as the cap goes) 12 h minus 2 s ago: a 60 s touch is cut to 2 s.
    await service.touch({ ...job!, receivedAt: Date.now() - twelveHours + 2_000 } as SqsReservedJob, 60_000);
    const again = await service.reserve({ max: 1, leaseMs: 30_000, waitMs: 5_000 });
    expect(again.map((j) => j.transportId)).toEqual([job!.transportId]);
    await expect(service.touch({ ...again[0]!, receivedAt: Date.now() - twelveHours } as SqsReservedJob, 1_000)).rejects.toMatchObject({ code: 'VisibilityCapReached', retryable: false });
  });

  it('bury sends body and facts to the dead-letter queue as attributes, with the original attributes when asked for', async () => {
    const { queue, client, service } = await setup({ fifo: true, receiveMessageAttributeNames: ['All'] });
    await client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: '{"v":1}', MessageGroupId: 'grp', MessageDeduplicationId: 'd1', MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } } }));
    const [job] = await service.reserve({ max: 1, leaseMs: 30_000, waitMs: 1_000 });
    const detail = `password=hunter2 ${'z'.repeat(10_000)}`;

    await service.bury(job!, { reason: 'invalid-payload', detail, attempt: 1 });

    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.deadLetterQueueUrl, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['MessageGroupId'] }));
    const [dead] = out.Messages!;
    const attr = (name: string) => dead!.MessageAttributes?.[name]?.StringValue;
    expect(dead!.Body).toBe('{"v":1}');
    expect(dead!.Attributes?.MessageGroupId).toBe('grp');
    expect([attr(A.reason), attr(A.sourceQueue), attr(A.attempt), attr(A.messageId), attr('tenant')]).toEqual(['invalid-payload', queue.name, '1', job!.transportId, 'acme']);
    expect(Buffer.byteLength(attr(A.detail)!)).toBeLessThanOrEqual(2_048);
    expect(Number(attr(A.buriedAt))).toBeGreaterThan(Date.now() - 60_000);
    expect((await service.stats()).ready + (await service.stats()).reserved).toBe(0);
  });

  it('reserve asks SQS for message attributes only when receiveMessageAttributeNames names them', async () => {
    const asked: unknown[] = [];
    const spy = (c: SQSClient) => c.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'ReceiveMessageCommand') asked.push((args.input as { MessageAttributeNames?: string[] }).MessageAttributeNames);
      return next(args);
    });
    const plain = await setup();
    spy(plain.client);
    await plain.service.reserve({ max: 1, leaseMs: 1_000, waitMs: 0 });
    const carrying = await setup({ receiveMessageAttributeNames: ['tenant'] });
    spy(carrying.client);
    await carrying.service.reserve({ max: 1, leaseMs: 1_000, waitMs: 0 });
    expect(asked).toEqual([undefined, ['tenant']]);
    expect(() => createSqsService({ queueUrl: plain.queue.queueUrl, receiveMessageAttributeNames: [''] })).toThrow(/receiveMessageAttributeNames: must be an array of attribute names/);
  });

  it('bury with no dead-letter queue at all fails clearly and leaves the job in the queue', async () => {
    const { service, reserveAll } = await setup({ deadLetter: false });
    await service.enqueue([makeOutgoing('stuck')]);
    const [job] = await reserveAll(1, 1_000);
    await expect(service.bury(job!, { reason: 'permanent-error', detail: 'no', attempt: 1 })).rejects.toMatchObject({ code: 'NoDeadLetterQueue', retryable: false, message: expect.stringMatching(/set deadLetterQueueUrl, or give .* a redrive policy/) });
    expect((await reserveAll(1)).map((j) => j.transportId)).toEqual([job!.transportId]);
    expect((await service.stats()).buried).toBe(0);
  });

  it('a FIFO queue with a standard dead-letter queue is a configuration error', async () => {
    const sqs = await sharedEmulator();
    const fifo = await freshQueue('pair', { fifo: true });
    const standard = await freshQueue('pair');
    expect(() => createSqsService({ queueUrl: fifo.queueUrl, deadLetterQueueUrl: standard.queueUrl, clientConfig: sqs.clientConfig })).toThrow(ConfigError);
    expect(() => createSqsService({ queueUrl: 'not a url' })).toThrow(/sqs.queueUrl: not a URL/);
    expect(() => createSqsService({ queueUrl: fifo.queueUrl, waitTimeSeconds: 30 })).toThrow(/sqs.waitTimeSeconds: must be an integer from 0 to 20/);
  });

  it('a dead-letter queue shared by two queues: each lists and kicks only its own jobs', async () => {
    const { queue, client, service } = await setup();
    const other = await freshQueue('other');
    const otherService = createSqsService({ queueUrl: other.queueUrl, deadLetterQueueUrl: queue.deadLetterQueueUrl, client });
    await service.enqueue([makeOutgoing('mine')]);
    await otherService.enqueue([makeOutgoing('theirs')]);
    for (const s of [service, otherService]) {
      const [job] = await s.reserve({ max: 1, leaseMs: 30_000, waitMs: 1_000 });
      await s.bury(job!, { reason: 'permanent-error', detail: 'no', attempt: 1 });
    }

    expect((await service.listBuried()).map((b) => b.sourceQueue)).toEqual([queue.name]);
    expect(await service.kick()).toBe(1);
    expect((await otherService.listBuried()).map((b) => b.sourceQueue)).toEqual([other.name]);
  });

  it('kick with useMessageMoveTask falls back to receive/send/delete where the API is missing (fauxqs)', async () => {
    const { queue, client, reserveAll } = await setup();
    const service = createSqsService({ queueUrl: queue.queueUrl, client, useMessageMoveTask: true });
    await service.enqueue([makeOutgoing('a'), makeOutgoing('b')]);
    for (const job of await reserveAll(2)) await service.bury(job, { reason: 'permanent-error', detail: 'no', attempt: 1 });

    expect(await service.kick()).toBe(2);
    expect((await reserveAll(2)).map((j) => j.attempt)).toEqual([1, 1]);
  });

  it('a poll aborted long before its end gives back what it receives later, instead of hiding it for a lease', async () => {
    const { service } = await setup();
    const controller = new AbortController();
    const polling = service.reserve({ max: 1, leaseMs: 60_000, waitMs: 10_000, signal: controller.signal });
    controller.abort();
    expect(await polling).toEqual([]);
    // The request is still open at the emulator: it takes this job, and the service hands it back.
    await service.enqueue([makeOutgoing('caught')]);
    const [job] = await service.reserve({ max: 1, leaseMs: 30_000, waitMs: 5_000 });
    expect(job?.body).toContain('caught');
  });

  it('close() ends the polls in flight; later calls fail with Closed', async () => {
    const { service } = await setup();
    const polling = service.reserve({ max: 1, leaseMs: 1_000, waitMs: 10_000 });
    const startedAt = Date.now();
    await service.close();
    expect(await polling).toEqual([]);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    await expect(service.enqueue([makeOutgoing('late')])).rejects.toMatchObject({ code: 'Closed' });
  });
});
