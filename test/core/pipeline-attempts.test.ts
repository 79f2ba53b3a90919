/**
 * Attempts and error classes: the attempt check runs before the handler, the last failing
 * attempt buries, permanent errors bury at once, other errors retry with the job's backoff.
 */
import { describe, expect, it, vi } from 'vitest';
import { PermanentError, RetryLaterError, ValidationError } from '../../src/errors.ts';
import { body, delivery, echoJob, testPipeline } from './helpers.ts';

const fail = (error: unknown) => () => {
  throw error;
};

describe('attempts', () => {
  it('buries a delivery past maxAttempts before the handler runs', async () => {
    const handler = vi.fn();
    const { pipeline } = testPipeline([echoJob({ maxAttempts: 3, handler })]);

    const outcome = await pipeline.run(delivery(body('echo', { n: 1 }), { attempt: 4 }));

    expect(outcome).toMatchObject({ type: 'buried', reason: 'attempts-exhausted', detail: 'delivery 4 exceeds maxAttempts 3', error: undefined });
    expect(handler).not.toHaveBeenCalled();
  });

  it('validates first: a bad payload past maxAttempts is buried as invalid-payload (DESIGN.md order)', async () => {
    const { pipeline } = testPipeline([echoJob({ maxAttempts: 3 })]);

    expect(await pipeline.run(delivery(body('echo', { n: 'x' }), { attempt: 9 }))).toMatchObject({ type: 'buried', reason: 'invalid-payload' });
  });

  it('runs the last allowed attempt', async () => {
    const handler = vi.fn();
    const { pipeline } = testPipeline([echoJob({ maxAttempts: 3, handler })]);

    expect(await pipeline.run(delivery(body('echo', { n: 1 }), { attempt: 3 }))).toMatchObject({ type: 'completed' });
    expect(handler).toHaveBeenCalledOnce();
  });

  it('buries with attempts-exhausted when the last attempt fails', async () => {
    const { pipeline } = testPipeline([echoJob({ maxAttempts: 3, handler: fail(new TypeError('db down')) })]);

    const outcome = await pipeline.run(delivery(body('echo', { n: 1 }), { attempt: 3 }));

    expect(outcome).toMatchObject({ type: 'buried', reason: 'attempts-exhausted', detail: 'failed 3 of 3 attempts; last error: TypeError: db down', error: { name: 'TypeError', message: 'db down' } });
  });

  it('retries an earlier failing attempt with the backoff delay of that attempt', async () => {
    const { pipeline } = testPipeline([echoJob({ maxAttempts: 5, backoff: { type: 'list', delaysMs: [10, 20, 30] }, handler: fail(new Error('flaky')) })]);

    const delays = [];
    for (const attempt of [1, 2, 3, 4]) {
      const outcome = await pipeline.run(delivery(body('echo', { n: 1 }), { attempt }));
      delays.push(outcome.type === 'retry' ? outcome.delayMs : outcome.type);
    }

    expect(delays).toEqual([10, 20, 30, 30]);
  });

  it('uses the injected random for jitter', async () => {
    const { pipeline } = testPipeline([echoJob({ handler: fail(new Error('x')), backoff: { type: 'exponential', baseMs: 1000, jitter: 'full' } })], { random: () => 0.25 });

    expect(await pipeline.run(delivery(body('echo', { n: 1 }), { attempt: 2 }))).toMatchObject({ type: 'retry', delayMs: 500 });
  });
});

describe('error classes', () => {
  it.each([
    ['PermanentError', new PermanentError('card declined')],
    ['ValidationError', new ValidationError('bad', 'x: bad')],
    ['an error named UnrecoverableError (bullmq)', Object.assign(new Error('nope'), { name: 'UnrecoverableError' })],
    ['a plain object named PermanentError (another copy of jobferry)', { name: 'PermanentError', message: 'other copy' }],
  ])('%s buries at once, on the first attempt', async (_, error) => {
    const { pipeline } = testPipeline([echoJob({ handler: fail(error) })]);

    expect(await pipeline.run(delivery(body('echo', { n: 1 })))).toMatchObject({ type: 'buried', reason: 'permanent-error' });
  });

  it('a rejected promise counts like a throw', async () => {
    const { pipeline } = testPipeline([echoJob({ handler: async () => Promise.reject(new PermanentError('async no')) })]);

    expect(await pipeline.run(delivery(body('echo', { n: 1 })))).toMatchObject({ type: 'buried', reason: 'permanent-error', detail: 'async no' });
  });

  it('RetryLaterError sets the delay instead of the backoff', async () => {
    const { pipeline } = testPipeline([echoJob({ handler: fail(new RetryLaterError('rate limited', 7_500)), backoff: { type: 'fixed', delayMs: 1 } })]);

    expect(await pipeline.run(delivery(body('echo', { n: 1 })))).toMatchObject({ type: 'retry', delayMs: 7_500, error: { name: 'RetryLaterError' } });
  });

  it('an error named RetryLaterError from another copy of jobferry sets the delay too', async () => {
    const { pipeline } = testPipeline([echoJob({ handler: fail(Object.assign(new Error('later'), { name: 'RetryLaterError', delayMs: 300 })) })]);

    expect(await pipeline.run(delivery(body('echo', { n: 1 })))).toMatchObject({ type: 'retry', delayMs: 300 });
  });

  it.each([Number.NaN, Infinity, -5])('RetryLaterError with a delay of %s falls back to the backoff', async (delayMs) => {
    const { pipeline } = testPipeline([echoJob({ handler: fail(new RetryLaterError('weird', delayMs)), backoff: { type: 'fixed', delayMs: 42 } })]);

    expect(await pipeline.run(delivery(body('echo', { n: 1 })))).toMatchObject({ type: 'retry', delayMs: delayMs === -5 ? 0 : 42 });
  });

  it('RetryLaterError on the last attempt still buries', async () => {
    const { pipeline } = testPipeline([echoJob({ maxAttempts: 2, handler: fail(new RetryLaterError('later', 1_000)) })]);

    expect(await pipeline.run(delivery(body('echo', { n: 1 }), { attempt: 2 }))).toMatchObject({ type: 'buried', reason: 'attempts-exhausted' });
  });

  it.each([
    ['a string', 'boom', { name: 'NonError', message: 'boom' }],
    ['undefined', undefined, { name: 'NonError', message: 'undefined' }],
    ['an object with a throwing toString', { toString: () => { throw new Error('no'); } }, { name: 'NonError', message: 'unprintable thrown value' }],
  ])('a thrown %s is retried with its description', async (_, thrown, error) => {
    const { pipeline } = testPipeline([echoJob({ handler: fail(thrown) })]);

    expect(await pipeline.run(delivery(body('echo', { n: 1 })))).toMatchObject({ type: 'retry', error });
  });

  it('completes with the handler result, sync or async', async () => {
    const { pipeline } = testPipeline([echoJob({ name: 'sync', handler: (p) => p.n + 1 }), echoJob({ name: 'async', handler: async (p) => p.n + 2 })]);

    expect(await pipeline.run(delivery(body('sync', { n: 1 })))).toMatchObject({ type: 'completed', result: 2 });
    expect(await pipeline.run(delivery(body('async', { n: 1 })))).toMatchObject({ type: 'completed', result: 3 });
  });
});
