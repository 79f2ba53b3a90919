/** The REST surface, driven by the real client in `fallback: 'rest'` mode; same state as gRPC. */
import { v2, v2beta2 } from '@google-cloud/tasks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, failure, msOf, PARENT, queueName, startRig, startTarget, type Rig, type Target } from './helpers.ts';

let rig: Rig;
let rest: v2.CloudTasksClient;
let restBeta: v2beta2.CloudTasksClient;
let target: Target;
beforeAll(async () => {
  rig = await startRig({ clock: 'manual' });
  rest = new v2.CloudTasksClient(rig.emulator.restClientOptions());
  restBeta = new v2beta2.CloudTasksClient(rig.emulator.restClientOptions());
  target = await startTarget();
});
afterAll(async () => {
  await Promise.all([rest.close(), restBeta.close()]);
  await rig.close();
  await target.close();
});
beforeEach(() => {
  rig.emulator.reset();
  target.received.length = 0;
});

describe('REST v2', () => {
  it('creates, reads, lists, updates and deletes queues', async () => {
    const name = queueName('rest');
    const [created] = await rest.createQueue({ parent: PARENT, queue: { name, retryConfig: { maxAttempts: 4, minBackoff: { seconds: 2 } } } }, call);
    expect(created).toMatchObject({ name, state: 'RUNNING', retryConfig: { maxAttempts: 4 } });
    expect(msOf(created.retryConfig!.minBackoff)).toBe(2000);
    // Visible through gRPC too: one state.
    expect((await rig.client.getQueue({ name }, call))[0].retryConfig?.maxAttempts).toBe(4);
    const [updated] = await rest.updateQueue(
      { queue: { name, rateLimits: { maxDispatchesPerSecond: 3 } }, updateMask: { paths: ['rate_limits.max_dispatches_per_second'] } },
      call,
    );
    expect(updated.rateLimits?.maxDispatchesPerSecond).toBe(3);
    expect(updated.retryConfig?.maxAttempts).toBe(4);
    await rest.createQueue({ parent: PARENT, queue: { name: `${name}-b` } }, call);
    const [, , page] = await rest.listQueues({ parent: PARENT, pageSize: 1 }, { ...(call as object), autoPaginate: false } as never);
    expect(page!.queues).toHaveLength(1);
    expect(page!.nextPageToken).not.toBe('');
    expect((await rest.pauseQueue({ name }, call))[0].state).toBe('PAUSED');
    await rest.deleteQueue({ name }, call);
    expect(await failure(rest.getQueue({ name }, call))).toMatchObject({ code: 5 });
  });

  it('answers errors with the gRPC codes and the real messages', async () => {
    const name = queueName('rest-err');
    await rest.createQueue({ parent: PARENT, queue: { name } }, call);
    const dup = await failure(rest.createQueue({ parent: PARENT, queue: { name } }, call));
    expect(dup.code).toBe(6);
    expect(dup.details).toContain('Queue already exists');
    const bad = await failure(rest.createQueue({ parent: PARENT, queue: { name, retryConfig: { maxAttempts: -5 } } }, call));
    expect(bad.code).toBe(3);
    expect(bad.details).toContain('RetryConfig.maxAttempts must be greater or equal to -1.');
    const missing = await failure(rest.getTask({ name: `${name}/tasks/none` }, call));
    expect(missing.code).toBe(5);
  });

  it('creates tasks with a body (FULL view) and dispatches them', async () => {
    const name = queueName('rest-task');
    await rest.createQueue({ parent: PARENT, queue: { name } }, call);
    await rest.pauseQueue({ name }, call);
    const [task] = await rest.createTask(
      { parent: name, task: { name: `${name}/tasks/r1`, httpRequest: { url: target.url, body: Buffer.from('via rest'), httpMethod: 'PATCH' } }, responseView: 'FULL' },
      call,
    );
    expect(task.name).toBe(`${name}/tasks/r1`);
    expect(Buffer.from(task.httpRequest!.body as Uint8Array).toString()).toBe('via rest');
    const [basic] = await rest.getTask({ name: task.name }, call);
    expect(basic.view).toBe('BASIC');
    expect(basic.httpRequest?.body?.length ?? 0).toBe(0);
    const [tasks] = await rest.listTasks({ parent: name, responseView: 'FULL' }, call);
    expect(tasks).toHaveLength(1);
    await rest.runTask({ name: task.name }, call);
    await target.waitFor(1);
    expect(target.received[0]).toMatchObject({ method: 'PATCH', body: 'via rest' });
    await rig.emulator.idle();
    expect((await failure(rest.createTask({ parent: name, task: { name: task.name, httpRequest: { url: target.url } } }, call))).code).toBe(6);
  });
});

describe('REST v2beta2', () => {
  it('leases, renews and acknowledges pull tasks', async () => {
    const name = queueName('rest-pull');
    await restBeta.createQueue({ parent: PARENT, queue: { name, pullTarget: {} } }, call);
    await restBeta.createTask({ parent: name, task: { pullMessage: { payload: Buffer.from('p1'), tag: 't' } } }, call);
    const [leased] = await restBeta.leaseTasks({ parent: name, maxTasks: 10, leaseDuration: { seconds: 30 }, responseView: 'FULL' }, call);
    const [task] = leased.tasks!;
    expect(Buffer.from(task!.pullMessage!.payload as Uint8Array).toString()).toBe('p1');
    expect(task!.status?.attemptDispatchCount).toBe(1);
    const [renewed] = await restBeta.renewLease({ name: task!.name, scheduleTime: task!.scheduleTime, leaseDuration: { seconds: 60 } }, call);
    expect(msOf(renewed.scheduleTime)).toBe(rig.emulator.clock.now() + 60_000);
    expect((await failure(restBeta.acknowledgeTask({ name: task!.name, scheduleTime: task!.scheduleTime }, call))).code).toBe(9);
    await restBeta.acknowledgeTask({ name: renewed.name, scheduleTime: renewed.scheduleTime }, call);
    expect((await restBeta.listTasks({ parent: name }, call))[0]).toEqual([]);
  });
});
