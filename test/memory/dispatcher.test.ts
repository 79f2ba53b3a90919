/**
 * The memory dispatcher (push mode): at most `concurrency` deliveries at once, the dispatcher
 * settles what the callback left (resolve: complete, reject: release after retryDelayMs),
 * onIdle, and stop. Time runs on a manual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryDispatcher } from '../../adapters/memory/index.ts';
import { applyOutcome } from '../../src/apply-outcome.ts';
import type { ReservedJob } from '../../src/service.ts';
import { deferred, manualService, makeOutgoing } from './helpers.ts';
import { createPipeline } from '../../src/pipeline.ts';
import { body, echoJob, gate, until, watchUnhandledRejections } from '../core/helpers.ts';

let rejections: ReturnType<typeof watchUnhandledRejections>;
beforeEach(() => {
  rejections = watchUnhandledRejections();
});
afterEach(() => {
  expect(rejections.stop()).toEqual([]);
});

const enqueue = (service: ReturnType<typeof manualService>['service'], count: number) => service.enqueue(Array.from({ length: count }, (_, i) => makeOutgoing(`t${i}`)));

describe('memory dispatcher', () => {
  it('runs at most `concurrency` deliveries at once and delivers every job', async () => {
    const { service } = manualService();
    let running = 0;
    let peak = 0;
    const open = gate();
    const dispatcher = createMemoryDispatcher({
      service,
      concurrency: 3,
      deliver: async () => {
        running++;
        peak = Math.max(peak, running);
        await open.wait();
        running--;
      },
    });
    await enqueue(service, 10);

    dispatcher.start();
    await until(() => running === 3, 'three deliveries running');
    open.open();
    await dispatcher.onIdle();
    await dispatcher.stop();

    expect(peak).toBe(3);
    expect(dispatcher.counts).toEqual({ delivered: 10, succeeded: 10, failed: 0 });
    expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0, delayed: 0 });
  });

  it('completes a delivery that resolves and releases one that rejects, after retryDelayMs, as attempt + 1', async () => {
    const { service, clock } = manualService();
    const attempts: number[] = [];
    const errors: unknown[] = [];
    const dispatcher = createMemoryDispatcher({
      service,
      retryDelayMs: 5_000,
      onError: (error) => errors.push(error),
      deliver: async (job) => {
        attempts.push(job.attempt);
        if (job.attempt === 1) throw new Error('first try fails');
      },
    });
    await enqueue(service, 1);

    dispatcher.start();
    await until(() => dispatcher.counts.failed === 1 && dispatcher.inFlight === 0, 'the failed delivery settled');
    expect(await service.stats()).toMatchObject({ delayed: 1, ready: 0 });
    await clock.advance(5_000);
    await dispatcher.onIdle();
    await dispatcher.stop();

    expect(attempts).toEqual([1, 2]);
    expect(errors).toEqual([expect.objectContaining({ message: 'first try fails' })]);
    expect(await service.stats()).toMatchObject({ ready: 0, delayed: 0, reserved: 0, buried: 0 });
  });

  it('leaves alone a job the callback settled itself (the pipeline + applyOutcome path)', async () => {
    const { service } = manualService();
    const errors: unknown[] = [];
    const pipeline = createPipeline({ jobs: [echoJob()], adapter: 'memory', queue: 'default', maxBodyBytes: 1_048_576 });
    const dispatcher = createMemoryDispatcher({
      service,
      concurrency: 2,
      onError: (error) => errors.push(error),
      deliver: async (job: ReservedJob) => applyOutcome(service, job, await pipeline.run({ body: job.body, attempt: job.attempt, transportId: job.transportId })),
    });
    await service.enqueue([{ id: 'ok', name: 'echo', body: body('echo', { n: 1 }), delayMs: 0 }, { id: 'bad', name: 'echo', body: body('echo', { n: 'x' }), delayMs: 0 }]);

    dispatcher.start();
    await dispatcher.onIdle();
    await dispatcher.stop();

    expect(errors).toEqual([]);
    expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0, buried: 1 });
    expect((await service.listBuried())[0]).toMatchObject({ reason: 'invalid-payload' });
  });

  it('a delivery that outlives its lease is delivered again', async () => {
    const { service, clock } = manualService();
    const attempts: number[] = [];
    const first = deferred();
    const dispatcher = createMemoryDispatcher({
      service,
      concurrency: 2,
      leaseMs: 1_000,
      deliver: async (job) => {
        attempts.push(job.attempt);
        if (job.attempt === 1) await first.promise;
      },
    });
    await enqueue(service, 1);

    dispatcher.start();
    await until(() => attempts.length === 1, 'the first delivery');
    await clock.advance(1_000);
    await until(() => attempts.length === 2, 'the redelivery');
    first.resolve();
    await dispatcher.onIdle();
    await dispatcher.stop();

    expect(attempts).toEqual([1, 2]);
    expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0 });
  });

  it('onIdle resolves when the queue is empty from the start, and again after more work', async () => {
    const { service } = manualService();
    const dispatcher = createMemoryDispatcher({ service, deliver: async () => {} });

    dispatcher.start();
    await dispatcher.onIdle();
    await until(() => true, 'a turn');
    await dispatcher.onIdle();
    await enqueue(service, 2);
    await dispatcher.onIdle();
    await dispatcher.stop();

    expect(dispatcher.counts.succeeded).toBe(2);
  });

  it('onIdle does not wait for delayed jobs', async () => {
    const { service } = manualService();
    const dispatcher = createMemoryDispatcher({ service, deliver: async () => {} });
    await service.enqueue([makeOutgoing('later', { delayMs: 60_000 })]);

    dispatcher.start();
    await dispatcher.onIdle();
    await dispatcher.stop();

    expect(await service.stats()).toMatchObject({ delayed: 1 });
  });

  it('stop() waits for in-flight deliveries, and nothing is delivered after it', async () => {
    const { service } = manualService();
    const open = gate();
    const dispatcher = createMemoryDispatcher({ service, concurrency: 2, deliver: () => open.wait() });
    await enqueue(service, 4);

    dispatcher.start();
    await until(() => dispatcher.inFlight === 2, 'two deliveries');
    let stopped = false;
    const stopping = dispatcher.stop().then(() => (stopped = true));
    await until(() => !dispatcher.running, 'the stop to begin');
    expect(stopped).toBe(false);
    open.open();
    await stopping;

    expect(dispatcher.counts.delivered).toBe(2);
    expect(await service.stats()).toMatchObject({ ready: 2, reserved: 0 });
  });

  it('a throwing onError does not become an unhandled rejection', async () => {
    const { service } = manualService();
    const dispatcher = createMemoryDispatcher({
      service,
      onError: () => {
        throw new Error('onError broke');
      },
      deliver: async () => {
        throw new Error('delivery failed');
      },
    });
    await enqueue(service, 1);

    dispatcher.start();
    await until(() => dispatcher.counts.failed === 1 && dispatcher.inFlight === 0, 'the failed delivery settled');
    await dispatcher.stop();

    expect(await service.stats()).toMatchObject({ delayed: 1, reserved: 0 });
  });

  it('refuses a wrong concurrency and a missing deliver', () => {
    const { service } = manualService();

    expect(() => createMemoryDispatcher({ service, concurrency: 0, deliver: async () => {} })).toThrow(/concurrency must be an integer >= 1, got 0/);
    expect(() => createMemoryDispatcher({ service, deliver: undefined as never })).toThrow(/deliver must be a function/);
  });
});
