/** Retries by the queue's RetryConfig, on the manual clock: backoff sequence, limits, Retry-After. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, failure, PARENT, queueName, startRig, startTarget, type Rig, type Target } from './helpers.ts';

let rig: Rig;
let target: Target;
beforeAll(async () => {
  rig = await startRig({ clock: 'manual' });
  target = await startTarget();
});
afterAll(async () => {
  await rig.close();
  await target.close();
});
beforeEach(() => {
  rig.emulator.reset();
  target.received.length = 0;
  target.answers = [];
  target.fallback = { status: 200 };
});

async function queueWith(retryConfig: Record<string, unknown>): Promise<string> {
  const name = queueName('retry');
  await rig.client.createQueue({ parent: PARENT, queue: { name, retryConfig } }, call);
  return name;
}

/** Ms between consecutive attempts, from the dispatch record. */
function gaps(): number[] {
  const starts = rig.emulator.dispatched.map((r) => r.startedAt);
  return starts.slice(1).map((t, i) => t - starts[i]!);
}

describe('backoff', () => {
  it('doubles maxDoublings times, then grows linearly, capped at maxBackoff (the API reference example)', async () => {
    target.fallback = { status: 500 };
    const queue = await queueWith({ minBackoff: { seconds: 10 }, maxBackoff: { seconds: 300 }, maxDoublings: 3, maxAttempts: 9 });
    const [task] = await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(2 * 3_600_000);
    expect(gaps()).toEqual([10, 20, 40, 80, 160, 240, 300, 300].map((s) => s * 1000));
    // Nine attempts, then the task is deleted (both limits used up: attempts, and no retry duration).
    expect(target.received.map((r) => r.headers['x-cloudtasks-taskretrycount'])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
    // 5xx answers do not count as executions.
    expect(new Set(target.received.map((r) => r.headers['x-cloudtasks-taskexecutioncount']))).toEqual(new Set(['0']));
    expect((await failure(rig.client.getTask({ name: task.name }, call))).code).toBe(5);
  });

  it('with maxDoublings 0 grows linearly from the start', async () => {
    target.fallback = { status: 404 };
    const queue = await queueWith({ minBackoff: { seconds: 1 }, maxBackoff: { seconds: 3 }, maxDoublings: 0, maxAttempts: 5 });
    await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(60_000);
    expect(gaps()).toEqual([1000, 2000, 3000, 3000]);
  });
});

describe('the headers of retries', () => {
  it('counts executions without 5xx answers and sends the previous response', async () => {
    target.answers = [{ status: 503 }, { status: 404 }, { status: 200 }];
    const queue = await queueWith({ minBackoff: { seconds: 1 }, maxBackoff: { seconds: 5 } });
    await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(60_000);
    const headers = target.received.map((r) => ({
      retry: r.headers['x-cloudtasks-taskretrycount'],
      execution: r.headers['x-cloudtasks-taskexecutioncount'],
      previous: r.headers['x-cloudtasks-taskpreviousresponse'],
      reason: r.headers['x-cloudtasks-taskretryreason'],
    }));
    expect(headers).toEqual([
      { retry: '0', execution: '0', previous: undefined, reason: undefined },
      { retry: '1', execution: '0', previous: '503', reason: '' },
      { retry: '2', execution: '1', previous: '404', reason: '' },
    ]);
    expect(rig.emulator.dispatched.map((r) => r.status)).toEqual([503, 404, 200]);
  });
});

describe('limits', () => {
  it('keeps retrying after maxAttempts until maxRetryDuration is used up too', async () => {
    target.fallback = { status: 500 };
    const queue = await queueWith({ minBackoff: { seconds: 60 }, maxBackoff: { seconds: 60 }, maxAttempts: 3, maxRetryDuration: { seconds: 300 } });
    const [task] = await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(3_600_000);
    // Attempts at 0, 60, ..., 300 s: the 6th is 300 s after the first, which ends it.
    expect(target.received).toHaveLength(6);
    expect((await failure(rig.client.getTask({ name: task.name }, call))).code).toBe(5);
  });

  it('stops after maxAttempts once maxRetryDuration has passed', async () => {
    target.fallback = { status: 500 };
    const queue = await queueWith({ minBackoff: { seconds: 60 }, maxBackoff: { seconds: 60 }, maxAttempts: 8, maxRetryDuration: { seconds: 90 } });
    await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(3_600_000);
    expect(target.received).toHaveLength(8);
  });

  it('retries without end with maxAttempts -1 and no retry duration', async () => {
    target.fallback = { status: 500 };
    const queue = await queueWith({ minBackoff: { seconds: 60 }, maxBackoff: { seconds: 60 }, maxAttempts: -1 });
    const [task] = await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(200 * 60_000);
    expect(target.received.length).toBeGreaterThan(150);
    const [still] = await rig.client.getTask({ name: task.name }, call);
    expect(still.dispatchCount).toBe(target.received.length);
  });

  it('retries with maxAttempts -1 until maxRetryDuration', async () => {
    target.fallback = { status: 500 };
    const queue = await queueWith({ minBackoff: { seconds: 60 }, maxBackoff: { seconds: 60 }, maxAttempts: -1, maxRetryDuration: { seconds: 600 } });
    await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(3_600_000);
    expect(target.received).toHaveLength(11);
  });

  it('counts a 1xx/3xx-less non-2xx answer as a failure: only 2xx succeeds', async () => {
    target.answers = [{ status: 400 }, { status: 201 }];
    const queue = await queueWith({ minBackoff: { seconds: 1 }, maxBackoff: { seconds: 1 } });
    const [task] = await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(10_000);
    expect(target.received).toHaveLength(2);
    expect((await failure(rig.client.getTask({ name: task.name }, call))).code).toBe(5);
  });
});

describe('Retry-After', () => {
  it('waits as told on 429 and 503, not on other answers', async () => {
    target.answers = [
      { status: 429, headers: { 'Retry-After': '120' } },
      { status: 503, headers: { 'Retry-After': '30' } },
      { status: 500, headers: { 'Retry-After': '600' } },
      { status: 200 },
    ];
    const queue = await queueWith({ minBackoff: { seconds: 1 }, maxBackoff: { seconds: 1 } });
    await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(3_600_000);
    expect(gaps()).toEqual([120_000, 30_000, 1000]);
  });

  it('reads an HTTP date too', async () => {
    const queue = await queueWith({ minBackoff: { seconds: 1 }, maxBackoff: { seconds: 1 } });
    target.answers = [{ status: 503, headers: { 'Retry-After': new Date(rig.emulator.clock.now() + 45_000).toUTCString() } }, { status: 200 }];
    await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(3_600_000);
    // The HTTP date has whole seconds: 44-45 s after the first attempt.
    expect(gaps()[0]).toBeGreaterThanOrEqual(44_000);
    expect(gaps()[0]).toBeLessThanOrEqual(45_000);
  });
});
