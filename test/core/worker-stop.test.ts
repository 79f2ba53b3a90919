/**
 * Graceful stop: no reserve after the stop, in-flight jobs finish within the grace period, the
 * rest are released, the StopReport counts right, and no job is lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReservedJob, ReserveOptions } from '../../src/service.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { createWorker } from '../../src/worker.ts';
import type { MemoryService } from '../../adapters/memory/index.ts';
import { deferred, echoJob, echoOutgoing, gate, manualService, spyService, until, watchUnhandledRejections, type SpyOverrides } from './helpers.ts';

let rejections: ReturnType<typeof watchUnhandledRejections>;
beforeEach(() => {
  rejections = watchUnhandledRejections();
});
afterEach(() => {
  expect(rejections.stop()).toEqual([]);
});

/** Jobs whose handler waits on a gate of its own (job n waits on gates[n]); records signals. */
function gatedWorker(count: number, options: { concurrency?: number; shutdownGraceMs?: number } = {}, overrides: SpyOverrides<MemoryService> = {}) {
  const { service: memory } = manualService();
  const logger = createMemoryLogger('info');
  const service = spyService(memory, overrides);
  const gates = Array.from({ length: count }, () => gate());
  const signals: AbortSignal[] = [];
  const job = echoJob({
    timeoutMs: 600_000,
    handler: async (payload, ctx) => {
      signals[payload.n] = ctx.signal;
      await gates[payload.n]!.wait();
      return payload.n;
    },
  });
  const worker = createWorker({ service, jobs: [job], logger, concurrency: options.concurrency ?? count, shutdownGraceMs: options.shutdownGraceMs ?? 60_000, handleSignals: false, waitMs: 60_000 });
  const started = () => gates.filter((g) => g.waiting > 0).length;
  const logged = (event: string) => logger.records.some((r) => r.event === event);
  return { memory, service, worker, gates, signals, started, logged };
}

describe('worker stop', () => {
  it('lets in-flight jobs finish within the grace period, then resolves: nothing released', async () => {
    const t = gatedWorker(2);
    await t.memory.enqueue(echoOutgoing(2));
    await t.worker.start();
    await until(() => t.started() === 2, 'both jobs running');

    const stopping = t.worker.stop();
    t.gates.forEach((g) => g.open());
    const report = await stopping;

    expect(report).toMatchObject({ inFlightAtStop: 2, finished: 2, released: 0 });
    expect(t.service.callsOf('complete')).toHaveLength(2);
    expect(t.service.callsOf('release')).toHaveLength(0);
    expect(await t.memory.stats()).toMatchObject({ ready: 0, reserved: 0, delayed: 0 });
    expect(t.signals.every((s) => !s.aborted)).toBe(true);
  });

  it('reserves nothing once stop() is called, and ends the long poll at once', async () => {
    const t = gatedWorker(1);
    await t.worker.start();
    await until(() => t.service.callsOf('reserve').length === 1, 'the first long poll');

    const report = await t.worker.stop();
    await t.memory.enqueue(echoOutgoing(1));
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));

    expect(report).toMatchObject({ inFlightAtStop: 0, finished: 0, released: 0 });
    expect(t.service.callsOf('reserve')).toHaveLength(1);
    expect(await t.memory.stats()).toMatchObject({ ready: 1 });
  });

  it('at the end of the grace period aborts the handlers and releases the unfinished jobs: none lost', async () => {
    const t = gatedWorker(3, { shutdownGraceMs: 30 });
    await t.memory.enqueue(echoOutgoing(3));
    await t.worker.start();
    await until(() => t.started() === 3, 'three jobs running');

    const stopping = t.worker.stop();
    t.gates[0]!.open();
    const report = await stopping;

    expect(report).toMatchObject({ inFlightAtStop: 3, finished: 1, released: 2 });
    expect(t.signals[1]!.aborted && t.signals[2]!.aborted).toBe(true);
    expect(t.service.callsOf('release').map((c) => c.args[1])).toEqual([0, 0]);
    expect(await t.memory.stats()).toMatchObject({ ready: 2, reserved: 0 });
  });

  it('a late outcome of a released job is not applied', async () => {
    const t = gatedWorker(1, { shutdownGraceMs: 10 });
    await t.memory.enqueue(echoOutgoing(1));
    await t.worker.start();
    await until(() => t.started() === 1, 'the job running');

    await t.worker.stop();
    t.gates[0]!.open();
    await until(() => t.worker.inFlight === 0, 'the late run to end');

    expect(t.service.callsOf('complete')).toEqual([]);
    expect(await t.memory.stats()).toMatchObject({ ready: 1 });
  });

  it('a job whose outcome is being applied when the grace period ends is not released under it', async () => {
    const completing = deferred();
    const t = gatedWorker(1, { shutdownGraceMs: 10 }, { complete: async (inner, job: ReservedJob) => (await completing.promise, inner.complete(job)) });
    await t.memory.enqueue(echoOutgoing(1));
    await t.worker.start();
    await until(() => t.started() === 1, 'the job running');
    t.gates[0]!.open();
    await until(() => t.service.callsOf('complete').length === 1, 'the complete call');

    const stopping = t.worker.stop();
    await until(() => t.logged('worker.grace-ended'), 'the end of the grace period');
    completing.resolve();
    const report = await stopping;

    expect(t.service.callsOf('release')).toEqual([]);
    expect(report).toMatchObject({ inFlightAtStop: 1, finished: 1, released: 0 });
    expect(await t.memory.stats()).toMatchObject({ ready: 0, reserved: 0 });
  });

  it('gives back jobs that a reserve in flight returns after the stop began', async () => {
    const answer = deferred<void>();
    let pending: ReservedJob[] = [];
    const t = gatedWorker(2, {}, {
      reserve: async (inner, opts: ReserveOptions) => {
        pending = await inner.reserve({ ...opts, waitMs: 0 });
        await answer.promise; // a slow transport that ignores the abort signal
        return pending;
      },
    });
    await t.memory.enqueue(echoOutgoing(2));
    await t.worker.start();
    await until(() => t.service.callsOf('reserve').length === 1 && pending.length === 2, 'the reserve call');

    const stopping = t.worker.stop();
    answer.resolve();
    const report = await stopping;

    expect(t.started()).toBe(0);
    expect(t.service.callsOf('release')).toHaveLength(2);
    expect(report).toMatchObject({ inFlightAtStop: 0 });
    expect(await t.memory.stats()).toMatchObject({ ready: 2, reserved: 0 });
  });

  it('the grace period runs from stop(), even while a reserve call ignores the abort', async () => {
    const answer = deferred<void>();
    let calls = 0;
    const t = gatedWorker(2, { concurrency: 2, shutdownGraceMs: 20 }, {
      reserve: async (inner, opts: ReserveOptions) => {
        if (++calls === 1) return inner.reserve({ ...opts, max: 1, waitMs: 0 });
        await answer.promise; // the second poll hangs past the grace period
        return [];
      },
    });
    await t.memory.enqueue(echoOutgoing(1));
    await t.worker.start();
    await until(() => t.started() === 1 && calls === 2, 'one job running, a second poll pending');

    const stopping = t.worker.stop();
    await until(() => t.service.callsOf('release').length === 1, 'the running job released at the end of the grace period');
    answer.resolve();
    const report = await stopping;

    expect(report).toMatchObject({ inFlightAtStop: 1, finished: 0, released: 1 });
  });

  it('stop() is idempotent, resolves `stopped`, and a stopped worker cannot start again', async () => {
    const t = gatedWorker(1);
    await t.worker.start();

    const [a, b] = await Promise.all([t.worker.stop(), t.worker.stop()]);

    expect(a).toBe(b);
    expect(await t.worker.stopped).toBe(a);
    await expect(t.worker.start()).rejects.toThrow(/worker\.start failed: the worker is stopped/);
  });

  it('stop() before start() resolves with an empty report', async () => {
    const t = gatedWorker(1);

    expect(await t.worker.stop()).toMatchObject({ inFlightAtStop: 0, finished: 0, released: 0 });
    expect(t.service.callsOf('reserve')).toEqual([]);
  });
});
