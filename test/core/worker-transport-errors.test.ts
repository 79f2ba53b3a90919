/**
 * Transport errors: a failing reserve backs off (doubling, capped, full jitter) and recovers;
 * a failing ack is retried a little, then left to the lease; no unhandled rejection anywhere.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import type { ReservedJob, ReserveOptions } from '../../src/service.ts';
import { createWorker } from '../../src/worker.ts';
import { echoJob, echoOutgoing, manualService, spyService, until, watchUnhandledRejections } from './helpers.ts';

let rejections: ReturnType<typeof watchUnhandledRejections>;
beforeEach(() => {
  rejections = watchUnhandledRejections();
});
afterEach(() => {
  expect(rejections.stop()).toEqual([]);
});

const throttled = () => new TransportError('[memory] reserve failed: throttled', { code: 'Throttling', retryable: true });

function failingReserve(failures: number, how: 'reject' | 'throw' = 'reject') {
  const { service: memory, clock } = manualService();
  let failed = 0;
  const service = spyService(memory, {
    reserve: (inner, opts: ReserveOptions) => {
      if (failed < failures) {
        failed++;
        if (how === 'throw') throw throttled();
        return Promise.reject(throttled());
      }
      return inner.reserve(opts);
    },
  });
  return { memory, service, clock };
}

describe('worker transport errors', () => {
  it('backs off after reserve failures with full jitter, doubling from minMs, capped at maxMs, then recovers', async () => {
    const { memory, service } = failingReserve(6);
    const logger = createMemoryLogger('warn');
    const worker = createWorker({ service, jobs: [echoJob()], logger, errorBackoff: { minMs: 1, maxMs: 4 }, random: () => 0.999, handleSignals: false, waitMs: 60_000 });
    await memory.enqueue(echoOutgoing(2));

    await worker.start();
    await until(() => worker.counts.completed === 2 && worker.inFlight === 0, 'both jobs done after the failures');
    await worker.stop();

    const backoffs = logger.records.filter((r) => r.event === 'worker.backoff');
    expect(backoffs.map((r) => [r.failures, r.delayMs])).toEqual([[1, 1], [2, 2], [3, 4], [4, 4], [5, 4], [6, 4]]);
    expect(backoffs[0]).toMatchObject({ error: { name: 'TransportError', message: '[memory] reserve failed: throttled' }, adapter: 'memory' });
    expect(worker.counts.transportErrors).toBe(6);
  });

  it('the jitter is drawn from [0, cap]: random() scales every delay', async () => {
    const { memory, service } = failingReserve(3);
    const logger = createMemoryLogger('warn');
    const worker = createWorker({ service, jobs: [echoJob()], logger, errorBackoff: { minMs: 10, maxMs: 1_000 }, random: () => 0.25, handleSignals: false, waitMs: 60_000 });
    await memory.enqueue(echoOutgoing(1));

    await worker.start();
    await until(() => worker.counts.completed === 1 && worker.inFlight === 0, 'the job done');
    await worker.stop();

    expect(logger.records.filter((r) => r.event === 'worker.backoff').map((r) => r.delayMs)).toEqual([3, 5, 10]);
  });

  it('a reserve that throws synchronously is handled the same way', async () => {
    const { memory, service } = failingReserve(2, 'throw');
    const worker = createWorker({ service, jobs: [echoJob()], errorBackoff: { minMs: 1, maxMs: 2 }, handleSignals: false, waitMs: 60_000 });
    await memory.enqueue(echoOutgoing(1));

    await worker.start();
    await until(() => worker.counts.completed === 1 && worker.inFlight === 0, 'the job done');
    await worker.stop();

    expect(worker.counts.transportErrors).toBe(2);
  });

  it('stop() ends a backoff wait at once', async () => {
    const { service } = failingReserve(1);
    const worker = createWorker({ service, jobs: [echoJob()], errorBackoff: { minMs: 60_000, maxMs: 60_000 }, random: () => 1, handleSignals: false });

    await worker.start();
    await until(() => worker.counts.transportErrors === 1, 'the first failure');
    const report = await worker.stop();

    expect(report.durationMs).toBeLessThan(5_000);
    expect(service.callsOf('reserve')).toHaveLength(1);
  });

  it('a failing complete is retried, then succeeds: the job is done once', async () => {
    const { service: memory } = manualService();
    let failures = 0;
    const logger = createMemoryLogger('warn');
    const service = spyService(memory, {
      complete: (inner, job: ReservedJob) => (++failures <= 2 ? Promise.reject(new TransportError('blip', { retryable: true })) : inner.complete(job)),
    });
    const worker = createWorker({ service, jobs: [echoJob()], logger, handleSignals: false, waitMs: 60_000 });
    await memory.enqueue(echoOutgoing(1));

    await worker.start();
    await until(() => service.callsOf('complete').length === 3 && worker.inFlight === 0, 'the third complete');
    await worker.stop();

    expect(logger.records.filter((r) => r.event === 'worker.retry-op')).toHaveLength(2);
    expect(await memory.stats()).toMatchObject({ ready: 0, reserved: 0 });
    expect(worker.counts.transportErrors).toBe(0);
  });

  it('a complete that keeps failing is logged and left to the lease: the job comes back, not lost', async () => {
    const { service: memory, clock } = manualService();
    const logger = createMemoryLogger('warn');
    let broken = true;
    const service = spyService(memory, {
      complete: (inner, job: ReservedJob) => (broken ? Promise.reject(new TransportError('denied', { retryable: false })) : inner.complete(job)),
    });
    const worker = createWorker({ service, jobs: [echoJob()], logger, leaseMs: 5_000, handleSignals: false, waitMs: 60_000 });
    await memory.enqueue(echoOutgoing(1));

    await worker.start();
    await until(() => worker.counts.transportErrors === 1 && worker.inFlight === 0, 'the failed complete');
    broken = false;
    await clock.advance(5_000);
    await until(() => worker.counts.completed === 2 && worker.inFlight === 0, 'the redelivery done');
    await worker.stop();

    expect(service.callsOf('complete')).toHaveLength(2);
    expect(logger.records.find((r) => r.event === 'worker.error')).toMatchObject({ error: { message: 'denied' }, detail: 'the job will be delivered again when its lease ends' });
    expect(await memory.stats()).toMatchObject({ ready: 0, reserved: 0 });
  });
});
