/** Queue operations of the v2 API, driven by the real @google-cloud/tasks client. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, failure, PARENT, queueName, startRig, type Rig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ dispatch: false });
});
afterAll(() => rig.close());
beforeEach(() => rig.emulator.reset());

describe('CreateQueue / GetQueue', () => {
  it('creates a queue with the defaults the real service picks', async () => {
    const name = queueName();
    const [queue] = await rig.client.createQueue({ parent: PARENT, queue: { name } }, call);
    expect(queue.name).toBe(name);
    expect(queue.state).toBe('RUNNING');
    expect(queue.rateLimits).toMatchObject({ maxDispatchesPerSecond: 500, maxBurstSize: 100, maxConcurrentDispatches: 1000 });
    expect(queue.retryConfig).toMatchObject({ maxAttempts: 100, maxDoublings: 16 });
    expect(queue.retryConfig?.minBackoff).toMatchObject({ seconds: '0', nanos: 100_000_000 });
    expect(queue.retryConfig?.maxBackoff).toMatchObject({ seconds: '3600' });
    const [got] = await rig.client.getQueue({ name }, call);
    expect(got).toEqual(queue);
  });

  it('keeps the given rate limits and retry config, and derives the burst size', async () => {
    const name = queueName();
    const [queue] = await rig.client.createQueue(
      {
        parent: PARENT,
        queue: {
          name,
          rateLimits: { maxDispatchesPerSecond: 10, maxConcurrentDispatches: 3, maxBurstSize: 77 },
          retryConfig: { maxAttempts: 5, minBackoff: { seconds: 2 }, maxBackoff: { seconds: 60 }, maxDoublings: 3, maxRetryDuration: { seconds: 600 } },
        },
      },
      call,
    );
    // max_burst_size is output only in v2: the 77 is ignored.
    expect(queue.rateLimits).toMatchObject({ maxDispatchesPerSecond: 10, maxConcurrentDispatches: 3, maxBurstSize: 2 });
    expect(queue.retryConfig).toMatchObject({ maxAttempts: 5, maxDoublings: 3 });
    expect(queue.retryConfig?.maxRetryDuration).toMatchObject({ seconds: '600' });
  });

  it('refuses a second queue of the same name with ALREADY_EXISTS', async () => {
    const name = queueName();
    await rig.client.createQueue({ parent: PARENT, queue: { name } }, call);
    expect(await failure(rig.client.createQueue({ parent: PARENT, queue: { name } }, call))).toEqual({ code: 6, details: 'Queue already exists' });
  });

  it('validates names with the real rules and messages', async () => {
    const bad = `${PARENT}/queues/not_valid!`;
    expect(await failure(rig.client.createQueue({ parent: PARENT, queue: { name: bad } }, call))).toEqual({
      code: 3,
      details: 'Queue name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>".',
    });
    const tooLong = `${PARENT}/queues/${'a'.repeat(101)}`;
    expect((await failure(rig.client.createQueue({ parent: PARENT, queue: { name: tooLong } }, call))).code).toBe(3);
    const [ok] = await rig.client.createQueue({ parent: PARENT, queue: { name: `${PARENT}/queues/${'a'.repeat(100)}` } }, call);
    expect(ok.name).toMatch(/a{100}$/);
    expect(await failure(rig.client.createQueue({ parent: 'not-a-valid-parent', queue: { name: queueName() } }, call))).toEqual({
      code: 7,
      details: 'Permission denied on resource project not-a-valid-parent.',
    });
  });

  it('answers NOT_FOUND for a queue that does not exist', async () => {
    const missing = await failure(rig.client.getQueue({ name: queueName('missing') }, call));
    expect(missing).toEqual({
      code: 5,
      details: 'Queue does not exist. If you just created the queue, wait at least a minute for the queue to initialize.',
    });
  });

  it('checks the retry config and rate limits like the real service', async () => {
    const cases: Array<[object, string]> = [
      [{ retryConfig: { maxAttempts: -2 } }, 'RetryConfig.maxAttempts must be greater or equal to -1.'],
      [{ retryConfig: { maxDoublings: -1 } }, 'RetryConfig.maxDoublings cannot be negative.'],
      [{ retryConfig: { minBackoff: { seconds: 10 }, maxBackoff: { seconds: 5 } } }, 'RetryConfig.minBackoff must be less than or equal to RetryConfig.maxBackoff.'],
      [{ rateLimits: { maxDispatchesPerSecond: 501 } }, 'RateLimits.maxDispatchesPerSecond must be less than or equal to 500.'],
      [{ rateLimits: { maxDispatchesPerSecond: -1 } }, 'RateLimits.maxDispatchesPerSecond cannot be negative.'],
      [{ rateLimits: { maxConcurrentDispatches: 5001 } }, 'RateLimits.maxConcurrentDispatches must be less than or equal to 5000.'],
      [{ rateLimits: { maxConcurrentDispatches: -1 } }, 'RateLimits.maxConcurrentDispatches cannot be negative.'],
    ];
    for (const [config, message] of cases) {
      const result = await failure(rig.client.createQueue({ parent: PARENT, queue: { name: queueName(), ...config } }, call));
      expect(result, message).toEqual({ code: 3, details: message });
    }
    const [unlimited] = await rig.client.createQueue({ parent: PARENT, queue: { name: queueName(), retryConfig: { maxAttempts: -1 } } }, call);
    expect(unlimited.retryConfig?.maxAttempts).toBe(-1);
  });
});

describe('ListQueues', () => {
  it('lists in lexicographic order, page by page', async () => {
    const names = ['c', 'a', 'e', 'b', 'd'].map((s) => `${PARENT}/queues/list-${s}`);
    for (const name of names) await rig.client.createQueue({ parent: PARENT, queue: { name } }, call);
    await rig.client.createQueue({ parent: 'projects/other/locations/l', queue: { name: 'projects/other/locations/l/queues/x' } }, call);
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const [, , response] = await rig.client.listQueues({ parent: PARENT, pageSize: 2, pageToken }, { ...(call as object), autoPaginate: false } as never);
      seen.push(...response!.queues!.map((q) => q.name!));
      pageToken = response!.nextPageToken || undefined;
      pages += 1;
    } while (pageToken && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].sort());
    const [all] = await rig.client.listQueues({ parent: PARENT }, call);
    expect(all.map((q) => q.name)).toEqual([...names].sort());
    expect((await failure(rig.client.listQueues({ parent: PARENT, pageToken: 'garbage' }, { ...(call as object), autoPaginate: false } as never))).code).toBe(3);
  });
});

describe('UpdateQueue', () => {
  it('changes only the fields of the update mask', async () => {
    const name = queueName();
    await rig.client.createQueue({ parent: PARENT, queue: { name, retryConfig: { maxAttempts: 7 } } }, call);
    const [updated] = await rig.client.updateQueue(
      { queue: { name, rateLimits: { maxDispatchesPerSecond: 20 }, retryConfig: { maxAttempts: 1 } }, updateMask: { paths: ['rate_limits.max_dispatches_per_second'] } },
      call,
    );
    expect(updated.rateLimits?.maxDispatchesPerSecond).toBe(20);
    expect(updated.rateLimits?.maxBurstSize).toBe(4);
    expect(updated.retryConfig?.maxAttempts).toBe(7);
    const [again] = await rig.client.updateQueue({ queue: { name, retryConfig: { maxAttempts: 3 } }, updateMask: { paths: ['retry_config.max_attempts'] } }, call);
    expect(again.retryConfig?.maxAttempts).toBe(3);
    expect(again.rateLimits?.maxDispatchesPerSecond).toBe(20);
  });

  it('refuses an invalid update and changes nothing', async () => {
    const name = queueName();
    await rig.client.createQueue({ parent: PARENT, queue: { name } }, call);
    const bad = await failure(
      rig.client.updateQueue({ queue: { name, retryConfig: { minBackoff: { seconds: 7200 } } }, updateMask: { paths: ['retry_config.min_backoff'] } }, call),
    );
    expect(bad).toEqual({ code: 3, details: 'RetryConfig.minBackoff must be less than or equal to RetryConfig.maxBackoff.' });
    expect((await failure(rig.client.updateQueue({ queue: { name }, updateMask: { paths: ['no_such_field'] } }, call))).code).toBe(3);
    const [queue] = await rig.client.getQueue({ name }, call);
    expect(queue.retryConfig?.minBackoff).toMatchObject({ nanos: 100_000_000 });
  });

  it('creates the queue when it does not exist', async () => {
    const name = queueName();
    const [created] = await rig.client.updateQueue({ queue: { name, retryConfig: { maxAttempts: 2 } } }, call);
    expect(created.retryConfig?.maxAttempts).toBe(2);
    expect((await rig.client.getQueue({ name }, call))[0].name).toBe(name);
  });
});

describe('Pause / Resume / Purge / Delete', () => {
  it('pauses and resumes', async () => {
    const name = queueName();
    await rig.client.createQueue({ parent: PARENT, queue: { name } }, call);
    expect((await rig.client.pauseQueue({ name }, call))[0].state).toBe('PAUSED');
    expect((await rig.client.getQueue({ name }, call))[0].state).toBe('PAUSED');
    expect((await rig.client.resumeQueue({ name }, call))[0].state).toBe('RUNNING');
    expect((await failure(rig.client.pauseQueue({ name: queueName('missing') }, call))).code).toBe(5);
  });

  it('purges every task and records the purge time', async () => {
    const name = queueName();
    await rig.client.createQueue({ parent: PARENT, queue: { name } }, call);
    for (let i = 0; i < 3; i++) {
      await rig.client.createTask({ parent: name, task: { httpRequest: { url: 'http://127.0.0.1:9/x' } } }, call);
    }
    const [purged] = await rig.client.purgeQueue({ name }, call);
    expect(purged.purgeTime?.seconds).toBeDefined();
    const [tasks] = await rig.client.listTasks({ parent: name }, call);
    expect(tasks).toEqual([]);
  });

  it('deletes a queue with its tasks; the name cannot be used again for 7 days', async () => {
    const name = queueName();
    await rig.client.createQueue({ parent: PARENT, queue: { name } }, call);
    await rig.client.createTask({ parent: name, task: { httpRequest: { url: 'http://127.0.0.1:9/x' } } }, call);
    await rig.client.deleteQueue({ name }, call);
    expect((await failure(rig.client.getQueue({ name }, call))).code).toBe(5);
    expect(await failure(rig.client.deleteQueue({ name }, call))).toEqual({ code: 5, details: 'Requested entity was not found.' });
    expect(await failure(rig.client.createQueue({ parent: PARENT, queue: { name } }, call))).toEqual({
      code: 9,
      details: 'The queue cannot be created because a queue with this name existed too recently.',
    });
  });
});
