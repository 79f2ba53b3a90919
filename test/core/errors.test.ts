/** The error classes and describeError: `[adapter] what failed: why`, typed context, never a throw. */
import { describe, expect, it } from 'vitest';
import { ConfigError, describeError, JobferryError, PermanentError, RetryLaterError, TimeoutError, TransportError, UnsupportedError, ValidationError } from '../../src/errors.ts';
import { body, delivery, echoJob, testPipeline } from './helpers.ts';

describe('error classes', () => {
  it('carry their name, context and retryability', () => {
    const cause = new Error('socket hang up');
    const errors = [
      new ConfigError(['a: bad', 'b: worse']),
      new ValidationError('[memory] enqueue rejected', 'n: bad', { adapter: 'memory' }),
      new PermanentError('no'),
      new RetryLaterError('later', 500),
      new TimeoutError('slow', { jobId: 'j' }),
      new UnsupportedError('cloud-tasks', 'groupKey', 'no ordered groups'),
      new TransportError('[sqs] reserve failed: throttled', { code: 'Throttling', retryable: true, cause, queue: 'q' }),
    ];

    expect(errors.map((e) => [e.name, e instanceof JobferryError, e.retryable])).toEqual([
      ['ConfigError', true, false],
      ['ValidationError', true, false],
      ['PermanentError', true, false],
      ['RetryLaterError', true, true],
      ['TimeoutError', true, true],
      ['UnsupportedError', true, false],
      ['TransportError', true, true],
    ]);
    expect(errors[0]!.message).toBe('[config] invalid configuration: a: bad; b: worse');
    expect(errors[5]).toMatchObject({ message: '[cloud-tasks] groupKey is not supported: no ordered groups', adapter: 'cloud-tasks', ability: 'groupKey' });
    expect(errors[6]).toMatchObject({ code: 'Throttling', queue: 'q', cause });
  });
});

describe('describeError', () => {
  it('gives {name, message} of errors and of anything else thrown', () => {
    expect(describeError(new TypeError('x'))).toEqual({ name: 'TypeError', message: 'x' });
    expect(describeError('text')).toEqual({ name: 'NonError', message: 'text' });
    expect(describeError(42)).toEqual({ name: 'NonError', message: '42' });
    expect(describeError(Object.create(null))).toEqual({ name: 'NonError', message: 'unprintable thrown value' });
  });

  it('never throws, even for an error whose name or message getter throws', () => {
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'name', { get: () => { throw new Error('name trap'); } });
    Object.defineProperty(hostile, 'message', { get: () => { throw new Error('message trap'); } });

    expect(describeError(hostile)).toEqual({ name: 'Error', message: 'unprintable error' });
  });

  it('a handler throwing such an error still gets its proper outcome (retry with the job backoff)', async () => {
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'name', { get: () => { throw new Error('name trap'); } });
    const { pipeline } = testPipeline([echoJob({ backoff: { type: 'fixed', delayMs: 77 }, handler: () => { throw hostile; } })]);

    expect(await pipeline.run(delivery(body('echo', { n: 1 })))).toMatchObject({ type: 'retry', delayMs: 77 });
  });
});
