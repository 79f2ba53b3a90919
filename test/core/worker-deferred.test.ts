/**
 * Hops through the worker: a job delayed past the transport's maxDelayMs comes back early,
 * is re-enqueued for the rest of its delay (then its delivery completed), and runs once, on
 * time, as attempt 1. Time runs on the memory adapter's manual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, createMemoryService } from '../../adapters/memory/index.ts';
import type { OutgoingJob } from '../../src/service.ts';
import { createPipeline } from '../../src/pipeline.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';
import { echoJob, spyService, until, watchUnhandledRejections } from './helpers.ts';

let rejections: ReturnType<typeof watchUnhandledRejections>;
beforeEach(() => {
  rejections = watchUnhandledRejections();
});
afterEach(() => {
  expect(rejections.stop()).toEqual([]);
});

describe('deferred jobs (hops)', () => {
  it('re-enqueues with the rest of the delay, completes the early copy, and runs once on time', async () => {
    const clock = createManualClock();
    const service = spyService(createMemoryService({ clock, maxDelayMs: 1_000 }));
    const ran: Array<{ at: number; attempt: number }> = [];
    const job = echoJob({ handler: (_p, ctx) => void ran.push({ at: clock.now(), attempt: ctx.attempt }) });
    const pipeline = createPipeline({ jobs: [job], adapter: 'memory', queue: 'default', maxBodyBytes: 1_048_576, now: clock.now });
    const worker = createWorker({ service, jobs: [job], pipeline, handleSignals: false, waitMs: 600_000 });
    const queue = createQueue({ service, now: clock.now });
    const start = clock.now();
    await worker.start();

    await queue.enqueue(job, { n: 1 }, { delayMs: 3_500 });
    for (const step of [1_000, 1_000, 1_000]) {
      const deferredBefore = worker.counts.deferred;
      await clock.advance(step);
      await until(() => worker.counts.deferred === deferredBefore + 1 && worker.inFlight === 0, 'the hop re-enqueued');
    }
    expect(ran).toEqual([]);
    await clock.advance(499);
    expect(ran).toEqual([]);
    await clock.advance(1);
    await until(() => ran.length === 1 && worker.inFlight === 0, 'the job run');
    await worker.stop();

    expect(ran).toEqual([{ at: start + 3_500, attempt: 1 }]);
    const sent = service.callsOf('enqueue').map((c) => (c.args[0] as OutgoingJob[])[0]!);
    expect(sent.map((j) => j.delayMs)).toEqual([1_000, 1_000, 1_000, 500]);
    expect(new Set(sent.map((j) => j.body)).size).toBe(1);
    expect(service.callsOf('complete')).toHaveLength(4);
    expect(worker.counts).toMatchObject({ deferred: 3, completed: 1, retried: 0, buried: 0 });
    expect(await service.stats()).toMatchObject({ ready: 0, delayed: 0, reserved: 0 });
  });

  it('if the re-enqueue fails, the early copy is not completed: it comes back after its lease', async () => {
    const clock = createManualClock();
    let refuse = true;
    const service = spyService(createMemoryService({ clock, maxDelayMs: 1_000 }), {
      enqueue: (inner, jobs: OutgoingJob[]) => (refuse && jobs[0]!.delayMs < 1_000 ? Promise.reject(new Error('throttled')) : inner.enqueue(jobs)),
    });
    const job = echoJob();
    const pipeline = createPipeline({ jobs: [job], adapter: 'memory', queue: 'default', maxBodyBytes: 1_048_576, now: clock.now });
    const worker = createWorker({ service, jobs: [job], pipeline, leaseMs: 2_000, handleSignals: false, waitMs: 600_000 });
    await createQueue({ service, now: clock.now }).enqueue(job, { n: 1 }, { delayMs: 1_500 });
    await worker.start();

    await clock.advance(1_000);
    await until(() => worker.counts.transportErrors === 1 && worker.inFlight === 0, 'the failed hop');
    expect(service.callsOf('complete')).toEqual([]);
    refuse = false;
    await clock.advance(2_000);
    await until(() => worker.counts.completed === 1 && worker.inFlight === 0, 'the job run after its lease ended');
    await worker.stop();

    expect(await service.stats()).toMatchObject({ ready: 0, delayed: 0, reserved: 0 });
  });
});
