/**
 * The pull worker (src/worker.ts) on SQS: several pollers, batched deletes, retries with
 * backoff through visibility, poison to the dead-letter queue, hops for jobs not due yet.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSqsService } from '../../adapters/sqs/index.ts';
import { jobBody } from '../../adapters/sqs/fixtures.ts';
import { createEnvelope, encodeEnvelope } from '../../src/envelope.ts';
import { createQueue, createWorker, defineJob } from '../../src/index.ts';
import { countRequests } from './lambda-helpers.ts';
import { deferred, freshQueue, sharedEmulator } from './helpers.ts';

async function setup() {
  const sqs = await sharedEmulator();
  const queue = await freshQueue('worker', { deadLetter: { maxReceiveCount: 50 } });
  const client = new SQSClient(sqs.clientConfig);
  const service = createSqsService({ queueUrl: queue.queueUrl, client });
  return { queue, client, service };
}

describe('pull worker on sqs', () => {
  it('runs every job once with several pollers, deleting in batches', async () => {
    const { client, service } = await setup();
    const seen = new Map<number, number>();
    const total = 60;
    const all = deferred();
    const count = defineJob({
      name: 'count',
      schema: z.object({ n: z.number() }),
      handler: ({ n }) => {
        seen.set(n, (seen.get(n) ?? 0) + 1);
        if (seen.size === total) all.resolve();
      },
    });
    await createQueue({ service, jobs: [count] }).enqueueMany(Array.from({ length: total }, (_, n) => ({ job: count, payload: { n } })));
    const requests = countRequests(client);
    const worker = createWorker({ service, jobs: [count], concurrency: 20, pollers: 3, waitMs: 1_000, handleSignals: false });

    await worker.start();
    await all.promise;
    await worker.stop();

    expect([...seen.values()].every((c) => c === 1)).toBe(true);
    expect(worker.counts.completed).toBe(total);
    const deletes = requests.commands.filter((c) => c === 'DeleteMessageBatchCommand').length;
    expect(deletes).toBeLessThanOrEqual(total / 3); // 60 deletes in batches, not one request each
    expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0 });
  });

  it('a failing job comes back after its backoff; poison is buried with its reason', async () => {
    const { service } = await setup();
    const attempts: number[] = [];
    const done = deferred();
    const flaky = defineJob({
      name: 'flaky',
      schema: z.object({}),
      backoff: { type: 'fixed', delayMs: 1_000 },
      handler: (_p, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt === 1) throw new Error('first try fails');
        done.resolve();
      },
    });
    await createQueue({ service, jobs: [flaky] }).enqueue(flaky, {});
    await service.enqueue([{ id: 'poison', name: 'flaky', body: jobBody('flaky', 'not an object'), delayMs: 0 }]);
    const worker = createWorker({ service, jobs: [flaky], concurrency: 4, waitMs: 1_000, handleSignals: false });

    await worker.start();
    await done.promise;
    await worker.stop();

    expect(attempts).toEqual([1, 2]);
    expect((await service.listBuried()).map((b) => b.reason)).toEqual(['invalid-payload']);
  });

  it('a job not due yet hops: re-sent with its remaining delay, run once when due', async () => {
    const { service } = await setup();
    const ranAt = deferred<number>();
    const later = defineJob({ name: 'later', schema: z.object({}), handler: () => ranAt.resolve(Date.now()) });
    const due = Date.now() + 2_000;
    await service.enqueue([{ id: 'hop', name: 'later', body: encodeEnvelope(createEnvelope('later', {}, { notBefore: due })), delayMs: 0 }]);
    const worker = createWorker({ service, jobs: [later], waitMs: 1_000, handleSignals: false });

    await worker.start();
    const at = await ranAt.promise;
    await worker.stop();

    expect(at).toBeGreaterThanOrEqual(due - 50);
    expect(worker.counts).toMatchObject({ deferred: 1, completed: 1 });
    expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0, delayed: 0 });
  });
});
