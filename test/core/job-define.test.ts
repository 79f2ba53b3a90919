/** defineJob: policy defaults, and one ConfigError naming every wrong option. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_BACKOFF } from '../../src/backoff.ts';
import { ConfigError } from '../../src/errors.ts';
import { defineJob, jobRegistry, type JobOptions } from '../../src/job.ts';
import { echoJob } from './helpers.ts';

const schema = z.object({ n: z.number() });

function configErrorOf(options: unknown): ConfigError {
  try {
    defineJob(options as JobOptions<typeof schema>);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('defineJob accepted the options');
}

describe('defineJob', () => {
  it('fills the policy defaults', () => {
    const job = defineJob({ name: 'send-email', schema, handler: () => {} });

    expect(job).toMatchObject({ name: 'send-email', maxAttempts: 5, timeoutMs: 60_000, ttrSeconds: 90, logPayload: false, secretFields: [] });
    expect(job.backoff).toEqual(DEFAULT_BACKOFF);
    expect(Object.isFrozen(job)).toBe(true);
  });

  it('derives ttrSeconds from timeoutMs (rounded up, plus 30 s)', () => {
    expect(echoJob({ timeoutMs: 1_500 }).ttrSeconds).toBe(32);
  });

  it('keeps the policy it is given', () => {
    const job = echoJob({ maxAttempts: 2, timeoutMs: 10, ttrSeconds: 5, backoff: { type: 'fixed', delayMs: 7 }, logPayload: true, secretFields: ['pin'] });

    expect(job).toMatchObject({ maxAttempts: 2, timeoutMs: 10, ttrSeconds: 5, backoff: { type: 'fixed', delayMs: 7 }, logPayload: true, secretFields: ['pin'] });
  });

  it('names every wrong option in one error', () => {
    const error = configErrorOf({
      name: 'bad name!',
      schema: { parse: () => {} },
      handler: 'nope',
      maxAttempts: 0,
      timeoutMs: -1,
      ttrSeconds: Number.NaN,
      backoff: { type: 'exponential', baseMs: -5, factor: 0.5 },
    });

    expect(error.issues.map((i) => i.split(':')[1]!.trim())).toEqual(['name', 'schema', 'handler', 'maxAttempts', 'timeoutMs', 'ttrSeconds', 'backoff.baseMs', 'backoff.factor']);
    expect(error.message).toMatch(/^\[config\] invalid configuration: job bad name!: name: must be 1-128 characters/);
  });

  it.each([
    ['maxAttempts', { maxAttempts: 1.5 }],
    ['maxAttempts', { maxAttempts: Infinity }],
    ['timeoutMs', { timeoutMs: Infinity }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['ttrSeconds', { ttrSeconds: 0.5 }],
    ['backoff.type', { backoff: { type: 'linear' } }],
    ['backoff.delaysMs', { backoff: { type: 'list', delaysMs: [] } }],
    ['backoff.delaysMs[1]', { backoff: { type: 'list', delaysMs: [1, -1] } }],
    ['backoff.delayMs', { backoff: { type: 'fixed', delayMs: Number.NaN } }],
    ['backoff.jitter', { backoff: { type: 'exponential', jitter: 'random' } }],
    ['backoff', { backoff: 5 }],
    ['backoff', { backoff: 'exponential' }],
    ['logPayload', { logPayload: 'yes' }],
    ['secretFields', { secretFields: 'password' }],
    ['secretFields', { secretFields: ['ok', 3] }],
  ])('rejects a wrong %s', (option, policy) => {
    const error = configErrorOf({ name: 'j', schema, handler: () => {}, ...policy });

    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(new RegExp(`^job j: ${option.replace(/[[\]]/g, '\\$&')}: `));
  });

  it('rejects an unknown option and suggests the near one', () => {
    const error = configErrorOf({ name: 'j', schema, handler: () => {}, maxAttempt: 3, timeout: 5 });

    expect(error.issues).toEqual([
      'job j: maxAttempt: unknown option (did you mean maxAttempts?)',
      'job j: timeout: unknown option (did you mean timeoutMs?)',
    ]);
  });

  it('rejects a missing options object with a ConfigError, not a TypeError', () => {
    expect(configErrorOf(undefined).issues[0]).toMatch(/options: must be an object/);
  });

  it.each(['a', 'send-email', 'billing.invoice:v2', 'A_1', 'x'.repeat(128)])('accepts the name %s', (name) => {
    expect(echoJob({ name }).name).toBe(name);
  });

  it.each(['', '-x', 'a b', 'x'.repeat(129), 'é'])('rejects the name %j', (name) => {
    expect(configErrorOf({ name, schema, handler: () => {} }).issues[0]).toMatch(/name: must be 1-128 characters/);
  });
});

describe('jobRegistry', () => {
  it('maps names to definitions from a list or a record', () => {
    const a = echoJob({ name: 'a' });
    const b = echoJob({ name: 'b' });

    expect([...jobRegistry([a, b]).keys()]).toEqual(['a', 'b']);
    expect(jobRegistry({ a, b }).get('b')).toBe(b);
  });

  it('refuses two definitions with one name', () => {
    expect(() => jobRegistry([echoJob(), echoJob()])).toThrow(/two definitions named "echo"/);
  });
});
