/** v2beta2 pull queues and leases, driven by the real @google-cloud/tasks v2beta2 client. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, failure, msOf, PARENT, queueName, startRig, type Rig } from './helpers.ts';

let rig: Rig;
let queue: string;
beforeAll(async () => {
  rig = await startRig({ clock: 'manual' });
});
afterAll(() => rig.close());
beforeEach(async () => {
  rig.emulator.reset();
  queue = queueName('pull');
  await rig.beta.createQueue({ parent: PARENT, queue: { name: queue, pullTarget: {} } }, call);
});

const put = (payload: string, tag = '', name?: string) =>
  rig.beta.createTask({ parent: queue, task: { ...(name ? { name: `${queue}/tasks/${name}` } : {}), pullMessage: { payload: Buffer.from(payload), tag } } }, call);
const lease = (maxTasks: number, seconds = 60, filter?: string) =>
  rig.beta.leaseTasks({ parent: queue, maxTasks, leaseDuration: { seconds }, responseView: 'FULL', ...(filter ? { filter } : {}) }, call).then(([r]) => r.tasks ?? []);

describe('pull queues', () => {
  it('shows a pull queue as such, with the output-only limits of pull queues', async () => {
    const [q] = await rig.beta.getQueue({ name: queue }, call);
    expect(q.pullTarget).toEqual({});
    expect(q.httpTarget ?? null).toBeNull();
    expect(q.rateLimits?.maxConcurrentTasks).toBe(-1);
    expect(q.tombstoneTtl).toMatchObject({ seconds: '3600' });
  });

  it('creates pull tasks; BASIC omits the payload, FULL has it', async () => {
    const [task] = await put('hello', 'a');
    expect(task.pullMessage?.tag).toBe('a');
    expect(task.pullMessage?.payload?.length ?? 0).toBe(0);
    const [full] = await rig.beta.getTask({ name: task.name, responseView: 'FULL' }, call);
    expect(Buffer.from(full.pullMessage!.payload as Uint8Array).toString()).toBe('hello');
    expect(full.status?.attemptDispatchCount).toBe(0);
  });

  it('refuses HTTP tasks on a pull queue and pull tasks on a push queue', async () => {
    expect((await failure(rig.beta.createTask({ parent: queue, task: { httpRequest: { url: 'http://127.0.0.1:9/' } } }, call))).code).toBe(3);
    const push = queueName('push');
    await rig.client.createQueue({ parent: PARENT, queue: { name: push } }, call);
    expect((await failure(rig.beta.createTask({ parent: push, task: { pullMessage: { payload: Buffer.from('x') } } }, call))).code).toBe(3);
    expect((await failure(rig.beta.leaseTasks({ parent: push, maxTasks: 1, leaseDuration: { seconds: 10 } }, call))).code).toBe(9);
  });
});

describe('LeaseTasks', () => {
  it('leases due tasks, oldest first, up to maxTasks, and moves their schedule time to the lease end', async () => {
    for (const p of ['a', 'b', 'c']) {
      await put(p);
      await rig.emulator.clock.advance(10);
    }
    const now = rig.emulator.clock.now();
    const leased = await lease(2, 30);
    expect(leased.map((t) => Buffer.from(t.pullMessage!.payload as Uint8Array).toString())).toEqual(['a', 'b']);
    for (const t of leased) {
      expect(msOf(t.scheduleTime)).toBe(now + 30_000);
      expect(t.status?.attemptDispatchCount).toBe(1);
    }
    // Leased tasks are not handed out again while leased.
    expect((await lease(10)).map((t) => Buffer.from(t.pullMessage!.payload as Uint8Array).toString())).toEqual(['c']);
    expect(await lease(10)).toEqual([]);
    // Once the lease runs out, they come back, with their dispatch count.
    await rig.emulator.clock.advance(30_000);
    const again = await lease(10);
    expect(again.map((t) => t.status?.attemptDispatchCount).sort()).toEqual([2, 2]);
  });

  it('does not hand out a task before its schedule time', async () => {
    await rig.beta.createTask(
      { parent: queue, task: { pullMessage: { payload: Buffer.from('later') }, scheduleTime: { seconds: Math.floor(rig.emulator.clock.now() / 1000) + 60 } } },
      call,
    );
    expect(await lease(1)).toEqual([]);
    await rig.emulator.clock.advance(60_000);
    expect(await lease(1)).toHaveLength(1);
  });

  it('filters by tag, and by the oldest tag', async () => {
    await put('1', 'red');
    await rig.emulator.clock.advance(1);
    await put('2', 'blue');
    await rig.emulator.clock.advance(1);
    await put('3', 'red');
    expect((await lease(10, 60, 'tag=blue')).map((t) => t.pullMessage?.tag)).toEqual(['blue']);
    expect((await lease(10, 60, 'tag_function=oldest_tag()')).map((t) => Buffer.from(t.pullMessage!.payload as Uint8Array).toString())).toEqual(['1', '3']);
    expect((await failure(rig.beta.leaseTasks({ parent: queue, maxTasks: 1, leaseDuration: { seconds: 1 }, filter: 'color=red' }, call))).code).toBe(3);
  });

  it('refuses a missing lease duration, too many tasks, and a paused queue', async () => {
    expect((await failure(rig.beta.leaseTasks({ parent: queue, maxTasks: 1 }, call))).code).toBe(3);
    expect((await failure(rig.beta.leaseTasks({ parent: queue, maxTasks: 1001, leaseDuration: { seconds: 1 } }, call))).code).toBe(3);
    await rig.beta.pauseQueue({ name: queue }, call);
    expect((await failure(rig.beta.leaseTasks({ parent: queue, maxTasks: 1, leaseDuration: { seconds: 1 } }, call))).code).toBe(9);
  });
});

describe('AcknowledgeTask / RenewLease / CancelLease', () => {
  it('acknowledges with the leased schedule time; the task is gone and its name taken', async () => {
    await put('x', '', 'ack-me');
    const [task] = await lease(1);
    await rig.beta.acknowledgeTask({ name: task!.name, scheduleTime: task!.scheduleTime }, call);
    expect((await failure(rig.beta.getTask({ name: task!.name }, call))).code).toBe(5);
    expect((await failure(put('x', '', 'ack-me'))).code).toBe(6);
  });

  it('refuses a stale schedule time and an expired lease with FAILED_PRECONDITION', async () => {
    await put('x');
    const [task] = await lease(1, 10);
    const stale = { seconds: Number(task!.scheduleTime!.seconds) - 1, nanos: task!.scheduleTime!.nanos };
    expect((await failure(rig.beta.acknowledgeTask({ name: task!.name, scheduleTime: stale }, call))).code).toBe(9);
    expect((await failure(rig.beta.acknowledgeTask({ name: task!.name }, call))).code).toBe(3);
    await rig.emulator.clock.advance(10_000);
    expect((await failure(rig.beta.acknowledgeTask({ name: task!.name, scheduleTime: task!.scheduleTime }, call))).code).toBe(9);
    // A second worker leases it; the first worker's schedule time no longer fits.
    const [second] = await lease(1, 10);
    expect(second!.name).toBe(task!.name);
    expect((await failure(rig.beta.renewLease({ name: task!.name, scheduleTime: task!.scheduleTime, leaseDuration: { seconds: 5 } }, call))).code).toBe(9);
    await rig.beta.acknowledgeTask({ name: second!.name, scheduleTime: second!.scheduleTime }, call);
  });

  it('renews a lease from now, and the new schedule time is the one to use next', async () => {
    await put('x');
    const [task] = await lease(1, 10);
    await rig.emulator.clock.advance(5_000);
    const [renewed] = await rig.beta.renewLease({ name: task!.name, scheduleTime: task!.scheduleTime, leaseDuration: { seconds: 20 } }, call);
    expect(msOf(renewed.scheduleTime)).toBe(rig.emulator.clock.now() + 20_000);
    await rig.emulator.clock.advance(10_000);
    expect(await lease(1)).toEqual([]);
    expect((await failure(rig.beta.acknowledgeTask({ name: task!.name, scheduleTime: task!.scheduleTime }, call))).code).toBe(9);
    await rig.beta.acknowledgeTask({ name: renewed.name, scheduleTime: renewed.scheduleTime }, call);
  });

  it('cancels a lease: the task can be leased again at once', async () => {
    await put('x');
    const [task] = await lease(1, 600);
    const [cancelled] = await rig.beta.cancelLease({ name: task!.name, scheduleTime: task!.scheduleTime }, call);
    expect(msOf(cancelled.scheduleTime)).toBe(rig.emulator.clock.now());
    const [again] = await lease(1);
    expect(again!.name).toBe(task!.name);
    expect(again!.status?.attemptDispatchCount).toBe(2);
  });

  it('refuses RunTask on a pull task', async () => {
    const [task] = await put('x');
    expect((await failure(rig.beta.runTask({ name: task.name }, call))).code).toBe(9);
  });
});

describe('Queue.stats (v2beta2 read mask)', () => {
  it('counts tasks and gives the oldest schedule time only when the read mask asks', async () => {
    const base = rig.emulator.clock.now();
    await put('a');
    await rig.emulator.clock.advance(5000);
    await put('b');
    const [plain] = await rig.beta.getQueue({ name: queue }, call);
    expect(plain.stats ?? null).toBeNull();
    const [withStats] = await rig.beta.getQueue({ name: queue, readMask: { paths: ['stats'] } }, call);
    expect(Number(withStats.stats?.tasksCount)).toBe(2);
    expect(msOf(withStats.stats?.oldestEstimatedArrivalTime)).toBe(base);
    const [listed] = await rig.beta.listQueues({ parent: PARENT, readMask: { paths: ['stats'] } }, call);
    expect(Number(listed.find((q) => q.name === queue)?.stats?.tasksCount)).toBe(2);
  });
});

describe('one state for v2 and v2beta2', () => {
  it('shows queues and tasks created through one version in the other', async () => {
    const push = queueName('shared');
    await rig.client.createQueue({ parent: PARENT, queue: { name: push, retryConfig: { maxAttempts: -1 }, rateLimits: { maxDispatchesPerSecond: 5 } } }, call);
    const [seen] = await rig.beta.getQueue({ name: push }, call);
    expect(seen.retryConfig?.unlimitedAttempts).toBe(true);
    expect(seen.rateLimits?.maxTasksDispatchedPerSecond).toBe(5);
    await rig.beta.updateQueue({ queue: { name: push, rateLimits: { maxBurstSize: 9 } }, updateMask: { paths: ['rate_limits.max_burst_size'] } }, call);
    expect((await rig.client.getQueue({ name: push }, call))[0].rateLimits?.maxBurstSize).toBe(9);
    await rig.client.pauseQueue({ name: push }, call);
    const [task] = await rig.client.createTask({ parent: push, task: { httpRequest: { url: 'http://127.0.0.1:9/x', body: Buffer.from('b') } } }, call);
    const [viaBeta] = await rig.beta.getTask({ name: task.name, responseView: 'FULL' }, call);
    expect(viaBeta.httpRequest?.url).toBe('http://127.0.0.1:9/x');
    expect(Buffer.from(viaBeta.httpRequest!.body as Uint8Array).toString()).toBe('b');
    const [pulls] = await rig.client.listQueues({ parent: PARENT }, call);
    expect(pulls.map((q) => q.name)).toContain(queue);
  });
});
