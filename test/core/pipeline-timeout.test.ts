/**
 * timeoutMs: the handler's signal aborts, the run ends with a TimeoutError (retry, or bury on
 * the last attempt), and a result that arrives later is discarded: one outcome, one log line.
 * Time runs on a manual clock; the pipeline's watchdog reads it.
 */
import { describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../adapters/memory/index.ts';
import { TimeoutError } from '../../src/errors.ts';
import type { JobContext } from '../../src/job.ts';
import { body, deferred, delivery, echoJob, linesOf, testPipeline, watchUnhandledRejections } from './helpers.ts';

function hangingJob(options: { timeoutMs?: number; maxAttempts?: number } = {}) {
  const late = deferred<unknown>();
  const started = deferred<AbortSignal>();
  const job = echoJob({
    timeoutMs: options.timeoutMs ?? 50,
    maxAttempts: options.maxAttempts ?? 5,
    backoff: { type: 'fixed', delayMs: 5 },
    handler: (_payload, ctx) => {
      started.resolve(ctx.signal);
      return late.promise;
    },
  });
  return { job, late, started };
}

describe('timeoutMs', () => {
  it('aborts the signal and retries with a TimeoutError once the time is up', async () => {
    const clock = createManualClock();
    const { job, started } = hangingJob();
    const { pipeline } = testPipeline([job], { now: clock.now });

    const run = pipeline.run(delivery(body('echo', { n: 1 })));
    const signal = await started.promise;
    await clock.advance(49);
    expect(signal.aborted).toBe(false);
    await clock.advance(1);
    const outcome = await run;

    expect(outcome).toMatchObject({ type: 'retry', delayMs: 5, error: { name: 'TimeoutError', message: '[memory] job echo timed out after 50 ms' } });
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(TimeoutError);
  });

  it('buries on the last attempt with attempts-exhausted', async () => {
    const clock = createManualClock();
    const { job, started } = hangingJob({ maxAttempts: 2 });
    const { pipeline } = testPipeline([job], { now: clock.now });

    const run = pipeline.run(delivery(body('echo', { n: 1 }), { attempt: 2 }));
    await started.promise;
    await clock.advance(50);

    expect(await run).toMatchObject({ type: 'buried', reason: 'attempts-exhausted', error: { name: 'TimeoutError' } });
  });

  it('discards a result that arrives after the timeout: one outcome, one log line, no unhandled rejection', async () => {
    const rejections = watchUnhandledRejections();
    const clock = createManualClock();
    const first = hangingJob();
    const second = hangingJob();
    const { pipeline, logger } = testPipeline([first.job, echoJob({ ...second.job, name: 'echo2', handler: second.job.handler })], { now: clock.now });

    const runs = [pipeline.run(delivery(body('echo', { n: 1 }))), pipeline.run(delivery(body('echo2', { n: 1 })))];
    await Promise.all([first.started.promise, second.started.promise]);
    await clock.advance(50);
    const outcomes = await Promise.all(runs);
    first.late.resolve('too late');
    second.late.reject(new Error('too late as well'));
    await clock.advance(1_000);

    expect(outcomes.map((o) => o.type)).toEqual(['retry', 'retry']);
    expect(linesOf(logger, 'job.completed')).toEqual([]);
    expect(linesOf(logger, 'job.retry')).toHaveLength(2);
    expect(rejections.stop()).toEqual([]);
  });

  it('a delivery deadline earlier than the timeout ends the run first', async () => {
    const clock = createManualClock();
    const { job, started } = hangingJob({ timeoutMs: 10_000 });
    const { pipeline } = testPipeline([job], { now: clock.now });

    const run = pipeline.run(delivery(body('echo', { n: 1 }), { deadline: clock.now() + 100 }));
    const signal = await started.promise;
    await clock.advance(100);

    expect(await run).toMatchObject({ type: 'retry', error: { name: 'TimeoutError', message: '[memory] job echo the delivery deadline passed' } });
    expect(signal.aborted).toBe(true);
  });

  it('the context carries the deadline', async () => {
    const clock = createManualClock();
    let deadline = 0;
    const { pipeline } = testPipeline([echoJob({ timeoutMs: 1_234, handler: (_p, ctx) => void (deadline = ctx.deadline) })], { now: clock.now });

    await pipeline.run(delivery(body('echo', { n: 1 })));

    expect(deadline).toBe(clock.now() + 1_234);
  });

  it('a handler that finishes in time is not aborted later', async () => {
    const clock = createManualClock();
    let signal: AbortSignal | undefined;
    const { pipeline } = testPipeline([echoJob({ timeoutMs: 50, handler: async (_p, ctx) => void (signal = ctx.signal) })], { now: clock.now });

    expect(await pipeline.run(delivery(body('echo', { n: 1 })))).toMatchObject({ type: 'completed' });
    await clock.advance(1_000);

    expect(signal!.aborted).toBe(false);
  });
});

describe("the delivery's signal", () => {
  it('aborts the handler signal when the delivery signal aborts during the run', async () => {
    const controller = new AbortController();
    const { job, started, late } = hangingJob({ timeoutMs: 60_000 });
    const { pipeline } = testPipeline([job]);

    const run = pipeline.run(delivery(body('echo', { n: 1 }), { signal: controller.signal }));
    const signal = await started.promise;
    controller.abort(new Error('worker shutdown'));

    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('worker shutdown');
    late.reject(signal.reason);
    expect(await run).toMatchObject({ type: 'retry', error: { message: 'worker shutdown' } });
  });

  it('a signal aborted before the run starts reaches the handler aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    let aborted: boolean | undefined;
    const { pipeline } = testPipeline([echoJob({ handler: async (_p, ctx) => void (aborted = ctx.signal.aborted) })]);

    await pipeline.run(delivery(body('echo', { n: 1 }), { signal: controller.signal }));

    expect(aborted).toBe(true);
  });

  it('sync handlers that read the signal leave no listener behind on the delivery signal', async () => {
    const controller = new AbortController();
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => (added.push(args[1]), add(...args))) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (removed.push(args[1]), remove(...args))) as typeof remove;
    const { pipeline } = testPipeline([
      echoJob({ name: 'sync', handler: (_p, ctx) => ctx.signal.aborted }),
      echoJob({ name: 'throws', handler: (_p, ctx) => { void ctx.signal; throw new Error('x'); } }),
      echoJob({ name: 'async', handler: async (_p, ctx) => ctx.signal.aborted }),
    ]);

    for (const name of ['sync', 'throws', 'async']) await pipeline.run(delivery(body(name, { n: 1 }), { signal: controller.signal }));

    expect(added).toHaveLength(3);
    expect(removed).toEqual(added);
  });

  it('a read of ctx.signal after the run settled adds no listener to the delivery signal', async () => {
    const controller = new AbortController();
    let context: JobContext | undefined;
    const { pipeline } = testPipeline([echoJob({ handler: async (_p, ctx) => void (context = ctx) })]);
    await pipeline.run(delivery(body('echo', { n: 1 }), { signal: controller.signal }));
    const add = vi.spyOn(controller.signal, 'addEventListener');

    const late = context!.signal;

    expect(late.aborted).toBe(false);
    expect(add).not.toHaveBeenCalled();
  });
});
