/**
 * Heartbeat: a job running past half its lease is touched for another lease, so a job that
 * runs three times its lease is not redelivered; a failing touch is logged, never fatal.
 * The heartbeat runs on real time, so these tests use short real leases (a few hundred ms).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import type { ReservedJob } from '../../src/service.ts';
import { createWorker } from '../../src/worker.ts';
import { deferred, echoJob, echoOutgoing, spyService, until, watchUnhandledRejections } from './helpers.ts';

const LEASE_MS = 300;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let rejections: ReturnType<typeof watchUnhandledRejections>;
beforeEach(() => {
  rejections = watchUnhandledRejections();
});
afterEach(() => {
  expect(rejections.stop()).toEqual([]);
});

describe('worker heartbeat', () => {
  it('a job running 3x its lease is touched past each half lease and never redelivered', async () => {
    const service = spyService(createMemoryService());
    const touchedAt: number[] = [];
    // When the lease began, by the transport's own account (the handler may start later on a loaded machine).
    const leaseStartedAt: number[] = [];
    const finished = deferred();
    let runs = 0;
    const job = echoJob({
      timeoutMs: 10_000,
      handler: async () => {
        runs++;
        await pause(3 * LEASE_MS); // the work itself: three leases long
        finished.resolve();
      },
    });
    const spied = spyService(service, {
      reserve: async (inner, options: Parameters<typeof service.reserve>[0]) => {
        const jobs = await inner.reserve(options);
        for (const j of jobs) leaseStartedAt.push((j.leaseExpiresAt ?? Number.NaN) - LEASE_MS);
        return jobs;
      },
      touch: (inner, j: ReservedJob, ms: number) => (touchedAt.push(Date.now()), inner.touch(j, ms)),
    });
    const worker = createWorker({ service: spied, jobs: [job], leaseMs: LEASE_MS, handleSignals: false, waitMs: 10_000 });
    await service.enqueue(echoOutgoing(1));

    await worker.start();
    await finished.promise;
    await until(() => worker.inFlight === 0, 'the outcome applied');
    await worker.stop();

    expect(runs).toBe(1);
    expect(worker.counts).toMatchObject({ reserved: 1, completed: 1, transportErrors: 0 });
    expect(touchedAt.length).toBeGreaterThanOrEqual(3);
    expect(leaseStartedAt).toHaveLength(1);
    expect(touchedAt[0]! - leaseStartedAt[0]!).toBeGreaterThanOrEqual(LEASE_MS / 2);
    expect(spied.callsOf('touch').every((c) => c.args[1] === LEASE_MS)).toBe(true);
    expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0, delayed: 0 });
  });

  it('a job that ends before half its lease is never touched', async () => {
    const service = spyService(createMemoryService());
    const worker = createWorker({ service, jobs: [echoJob()], leaseMs: 10_000, handleSignals: false, waitMs: 10_000 });
    await service.enqueue(echoOutgoing(3));

    await worker.start();
    await until(() => worker.counts.completed === 3 && worker.inFlight === 0, 'three jobs done');
    await worker.stop();

    expect(service.callsOf('touch')).toEqual([]);
  });

  it('a failing touch is logged as worker.touch-failed, and the job still ends', async () => {
    const logger = createMemoryLogger('warn');
    const service = spyService(createMemoryService(), { touch: () => Promise.reject(new Error('throttled')) });
    const job = echoJob({ handler: () => pause(LEASE_MS * 0.8) });
    const worker = createWorker({ service, jobs: [job], logger, leaseMs: LEASE_MS, handleSignals: false, waitMs: 10_000 });
    await service.enqueue(echoOutgoing(1));

    await worker.start();
    await until(() => worker.counts.completed === 1 && worker.inFlight === 0, 'the job done');
    await worker.stop();

    expect(logger.records.filter((r) => r.event === 'worker.touch-failed')).toEqual([expect.objectContaining({ error: { name: 'Error', message: 'throttled' }, attempt: 1 })]);
  });

  it('a touch that throws synchronously (not a rejected promise) is logged the same way, not thrown out of the timer', async () => {
    const logger = createMemoryLogger('warn');
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const service = spyService(createMemoryService(), {
      touch: () => {
        throw new Error('sync touch failure');
      },
    });
    const job = echoJob({ handler: () => pause(LEASE_MS * 0.8) });
    const worker = createWorker({ service, jobs: [job], logger, leaseMs: LEASE_MS, handleSignals: false, waitMs: 10_000 });
    await service.enqueue(echoOutgoing(1));

    try {
      await worker.start();
      await until(() => worker.counts.completed === 1 && worker.inFlight === 0, 'the job done');
      await worker.stop();
    } finally {
      process.off('uncaughtException', onUncaught);
    }

    expect(uncaught).toEqual([]);
    expect(logger.records.filter((r) => r.event === 'worker.touch-failed')).toEqual([expect.objectContaining({ error: { name: 'Error', message: 'sync touch failure' } })]);
  });
});
