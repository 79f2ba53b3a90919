/**
 * The pull worker's concurrency: never more than N jobs at once, and reserve() asks only for
 * the free slots, with one poller or several.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import type { ReserveOptions } from '../../src/service.ts';
import { createWorker } from '../../src/worker.ts';
import { deferred, echoJob, echoOutgoing, gate, manualService, spyService, until, watchUnhandledRejections } from './helpers.ts';

let rejections: ReturnType<typeof watchUnhandledRejections>;
beforeEach(() => {
  rejections = watchUnhandledRejections();
});
afterEach(() => {
  expect(rejections.stop()).toEqual([]);
});

function setup(options: { concurrency: number; pollers?: number; batchSize?: number; jobs: number }) {
  const { service: memory } = manualService();
  let running = 0;
  let peak = 0;
  const asked: Array<{ max: number; inFlight: number }> = [];
  const service = spyService(memory, {
    reserve: (inner, opts: ReserveOptions) => {
      asked.push({ max: opts.max, inFlight: running });
      return inner.reserve(opts);
    },
  });
  const open = gate();
  const done = deferred();
  let completed = 0;
  const job = echoJob({
    handler: async () => {
      running++;
      peak = Math.max(peak, running);
      await open.wait();
      running--;
      if (++completed === options.jobs) done.resolve();
    },
  });
  const worker = createWorker({ service, jobs: [job], concurrency: options.concurrency, pollers: options.pollers, batchSize: options.batchSize, handleSignals: false, waitMs: 60_000 });
  return { service, memory, worker, open, done, asked, stats: () => ({ running, peak }) };
}

describe('worker concurrency', () => {
  it.each([
    [1, 1],
    [3, 1],
    [3, 4],
    [5, 2],
  ])('concurrency %i with %i poller(s): never more jobs at once, and every job done', async (concurrency, pollers) => {
    const t = setup({ concurrency, pollers, jobs: 12 });
    await t.memory.enqueue(echoOutgoing(12));

    await t.worker.start();
    await until(() => t.stats().running === concurrency, 'the worker to fill its slots');
    t.open.open();
    await t.done.promise;
    await until(() => t.worker.inFlight === 0, 'every outcome applied');
    const report = await t.worker.stop();

    expect(t.stats().peak).toBe(concurrency);
    expect(t.worker.counts).toMatchObject({ reserved: 12, completed: 12 });
    expect(report).toMatchObject({ inFlightAtStop: 0, released: 0 });
    expect(await t.memory.stats()).toMatchObject({ ready: 0, reserved: 0, delayed: 0 });
  });

  it('reserve asks only for free slots: max + running never exceeds concurrency', async () => {
    const t = setup({ concurrency: 4, pollers: 3, jobs: 10 });
    await t.memory.enqueue(echoOutgoing(10));

    await t.worker.start();
    await until(() => t.stats().running === 4, 'four jobs running');
    t.open.open();
    await t.done.promise;
    await t.worker.stop();

    expect(t.asked.length).toBeGreaterThan(1);
    for (const call of t.asked) expect(call.max + call.inFlight).toBeLessThanOrEqual(4);
  });

  it('while all slots are busy, no reserve call is made', async () => {
    const t = setup({ concurrency: 2, jobs: 4 });
    await t.memory.enqueue(echoOutgoing(4));

    await t.worker.start();
    await until(() => t.stats().running === 2, 'both slots busy');
    const callsWhenFull = t.service.callsOf('reserve').length;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));

    expect(t.service.callsOf('reserve')).toHaveLength(callsWhenFull);
    t.open.open();
    await t.done.promise;
    await t.worker.stop();
  });

  it('batchSize caps one reserve call', async () => {
    const t = setup({ concurrency: 10, batchSize: 3, jobs: 9 });
    await t.memory.enqueue(echoOutgoing(9));

    await t.worker.start();
    await until(() => t.stats().running === 9, 'nine jobs running');
    t.open.open();
    await t.done.promise;
    await t.worker.stop();

    expect(Math.max(...t.asked.map((a) => a.max))).toBe(3);
  });

  it('refuses wrong options at construction, naming every one', () => {
    const { service } = manualService();
    let error: unknown;

    try {
      createWorker({ service, jobs: [echoJob()], concurrency: 0, pollers: 1.5, batchSize: -1, leaseMs: 0, waitMs: Number.NaN, shutdownGraceMs: -5, errorBackoff: { minMs: Infinity, maxMs: -1 } });
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      'worker.concurrency: must be an integer >= 1, got 0',
      'worker.pollers: must be an integer >= 1, got 1.5',
      'worker.batchSize: must be an integer >= 1, got -1',
      'worker.waitMs: must be a finite number of ms >= 0, got NaN',
      'worker.shutdownGraceMs: must be a finite number of ms >= 0, got -5',
      'worker.errorBackoff.minMs: must be a finite number of ms >= 0, got Infinity',
      'worker.errorBackoff.maxMs: must be a finite number of ms >= 0, got -1',
      'worker.leaseMs: must be a finite number of ms > 0, got 0',
    ]);
  });

  it('refuses an infinite lease (the heartbeat touches at half the lease)', () => {
    expect(() => createWorker({ service: manualService().service, jobs: [echoJob()], leaseMs: Infinity })).toThrow(/worker\.leaseMs: must be a finite number of ms > 0, got Infinity/);
  });

  it('refuses a service without pull abilities, naming the adapter', () => {
    const { service } = manualService();
    const pushOnly = { adapter: 'push-only', queue: 'q', limits: service.limits, features: service.features, enqueue: service.enqueue };

    expect(() => createWorker({ service: pushOnly, jobs: [echoJob()] })).toThrow(/^\[push-only\] reserve is not supported/);
  });
});
