/** Rate limits (token bucket, concurrency) and the dispatch deadline. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, PARENT, queueName, startRig, startTarget, type Rig, type Target } from './helpers.ts';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.close());
beforeEach(() => {
  target.received.length = 0;
  target.answers = [];
  target.fallback = { status: 200 };
  target.maxInFlight = 0;
});

async function withRig(options: Parameters<typeof startRig>[0], body: (rig: Rig) => Promise<void>): Promise<void> {
  const rig = await startRig(options);
  try {
    await body(rig);
  } finally {
    await rig.close();
  }
}

const startsFrom = (rig: Rig, t0: number) => rig.emulator.dispatched.map((r) => r.startedAt - t0);

describe('maxDispatchesPerSecond and maxBurstSize', () => {
  it('spaces dispatches by the rate once the bucket is empty', async () => {
    await withRig({ clock: 'manual' }, async (rig) => {
      const queue = queueName('rate');
      const [q] = await rig.client.createQueue({ parent: PARENT, queue: { name: queue, rateLimits: { maxDispatchesPerSecond: 2 } } }, call);
      expect(q.rateLimits?.maxBurstSize).toBe(1);
      await rig.client.pauseQueue({ name: queue }, call);
      for (let i = 0; i < 5; i++) await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
      const t0 = rig.emulator.clock.now();
      await rig.client.resumeQueue({ name: queue }, call);
      await rig.emulator.clock.advance(0);
      expect(rig.emulator.dispatched).toHaveLength(1);
      await rig.emulator.clock.advance(499);
      expect(rig.emulator.dispatched).toHaveLength(1);
      await rig.emulator.clock.advance(1);
      expect(rig.emulator.dispatched).toHaveLength(2);
      await rig.emulator.clock.advance(5000);
      expect(startsFrom(rig, t0)).toEqual([0, 500, 1000, 1500, 2000]);
    });
  });

  it('lets a burst of maxBurstSize go at once (burst set through v2beta2)', async () => {
    await withRig({ clock: 'manual' }, async (rig) => {
      const queue = queueName('burst');
      await rig.beta.createQueue({ parent: PARENT, queue: { name: queue, rateLimits: { maxTasksDispatchedPerSecond: 2, maxBurstSize: 3 } } }, call);
      await rig.client.pauseQueue({ name: queue }, call);
      for (let i = 0; i < 6; i++) await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
      const t0 = rig.emulator.clock.now();
      await rig.client.resumeQueue({ name: queue }, call);
      await rig.emulator.clock.advance(10_000);
      expect(startsFrom(rig, t0)).toEqual([0, 0, 0, 500, 1000, 1500]);
    });
  });

  it('applies a rate changed by UpdateQueue', async () => {
    await withRig({ clock: 'manual' }, async (rig) => {
      const queue = queueName('update');
      await rig.client.createQueue({ parent: PARENT, queue: { name: queue, rateLimits: { maxDispatchesPerSecond: 1 } } }, call);
      await rig.client.pauseQueue({ name: queue }, call);
      for (let i = 0; i < 3; i++) await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
      await rig.client.updateQueue({ queue: { name: queue, rateLimits: { maxDispatchesPerSecond: 10 } }, updateMask: { paths: ['rate_limits.max_dispatches_per_second'] } }, call);
      const t0 = rig.emulator.clock.now();
      await rig.client.resumeQueue({ name: queue }, call);
      await rig.emulator.clock.advance(10_000);
      // Rate 10/s derives a burst of 2.
      expect(startsFrom(rig, t0)).toEqual([0, 0, 100]);
    });
  });
});

describe('maxConcurrentDispatches', () => {
  it('never has more attempts in flight than the limit', async () => {
    await withRig({}, async (rig) => {
      target.fallback = { status: 200, delayMs: 120 };
      const queue = queueName('conc');
      await rig.client.createQueue({ parent: PARENT, queue: { name: queue, rateLimits: { maxConcurrentDispatches: 2 } } }, call);
      for (let i = 0; i < 6; i++) await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
      await target.waitFor(6);
      await rig.emulator.idle();
      expect(target.maxInFlight).toBe(2);
      expect(rig.emulator.dispatched.every((r) => r.status === 200)).toBe(true);
    });
  });
});

describe('dispatch deadline', () => {
  it('cuts an attempt at the task deadline; it counts as a failure with no answer', async () => {
    await withRig({ clock: 'manual', settleTimeoutMs: 200 }, async (rig) => {
      target.answers = [{ status: 200, delayMs: 'hang' }];
      const queue = queueName('deadline');
      await rig.client.createQueue({ parent: PARENT, queue: { name: queue, retryConfig: { minBackoff: { seconds: 1 }, maxBackoff: { seconds: 1 } } } }, call);
      const [task] = await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url }, dispatchDeadline: { seconds: 15 } } }, call);
      await target.waitFor(1);
      await rig.emulator.clock.advance(14_999);
      expect(rig.emulator.dispatched[0]!.done).toBe(false);
      await rig.emulator.clock.advance(1);
      const [first] = rig.emulator.dispatched;
      expect(first).toMatchObject({ done: true, status: undefined, error: 'dispatch deadline exceeded (15s)' });
      const [after] = await rig.client.getTask({ name: task.name }, call);
      expect(after.lastAttempt?.responseStatus?.code).toBe(4);
      expect(after.responseCount).toBe(0);
      await rig.emulator.clock.advance(1000);
      await target.waitFor(2);
      await rig.emulator.idle();
      const retry = target.received[1]!;
      expect(retry.headers['x-cloudtasks-taskretrycount']).toBe('1');
      expect(retry.headers['x-cloudtasks-taskexecutioncount']).toBe('0');
      // The previous attempt got no answer: no previous response to tell.
      expect(retry.headers['x-cloudtasks-taskpreviousresponse']).toBeUndefined();
      expect(rig.emulator.dispatched[1]!.status).toBe(200);
    });
  });

  it('defaults to 10 minutes', async () => {
    await withRig({ clock: 'manual', settleTimeoutMs: 200 }, async (rig) => {
      target.answers = [{ status: 200, delayMs: 'hang' }];
      const queue = queueName('deadline-default');
      await rig.client.createQueue({ parent: PARENT, queue: { name: queue } }, call);
      await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
      await target.waitFor(1);
      await rig.emulator.clock.advance(600_000 - 1);
      expect(rig.emulator.dispatched[0]!.done).toBe(false);
      await rig.emulator.clock.advance(1);
      expect(rig.emulator.dispatched[0]!.error).toBe('dispatch deadline exceeded (600s)');
    });
  });
});
