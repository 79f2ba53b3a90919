/** The `idempotency` option of defineJob: checked once, every wrong part named. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { defineJob } from '../../src/job.ts';

const schema = z.object({ orderId: z.string() });
const define = (idempotency: unknown, extra: Record<string, unknown> = {}) =>
  defineJob({ name: 'charge', schema, handler: () => {}, ...extra, idempotency: idempotency as never });

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('defineJob idempotency option', () => {
  it('normalises the defaults: key from the payload, 24 h retention, claim = timeoutMs + 5 s', () => {
    const store = createMemoryIdempotencyStore();
    const job = define({ store }, { timeoutMs: 10_000 });
    expect(job.idempotency).toEqual({ store, key: 'payload', retentionMs: 86_400_000, claimMs: 15_000, ifAbandoned: 'run' });
    expect(Object.isFrozen(job.idempotency)).toBe(true);
  });

  it('keeps a key function, dedupeKey, retention and margin as given', () => {
    const store = createMemoryIdempotencyStore();
    const key = (p: { orderId: string }) => p.orderId;
    const job = defineJob({ name: 'c', schema, handler: () => {}, timeoutMs: 1_000, idempotency: { store, key, retentionSeconds: 60, claimMarginMs: 0, ifAbandoned: 'bury' } });
    expect(job.idempotency).toEqual({ store, key, retentionMs: 60_000, claimMs: 1_000, ifAbandoned: 'bury' });
    expect(define({ store, key: 'dedupeKey' }).idempotency?.key).toBe('dedupeKey');
  });

  it('leaves a job without the option without idempotency', () => {
    expect(defineJob({ name: 'plain', schema, handler: () => {} })).not.toHaveProperty('idempotency');
  });

  it.each([
    ['not an object', 'yes', /^job charge: idempotency: must be an object/],
    ['no store', {}, /idempotency\.store: must be an idempotency store with claim, complete and release/],
    ['a store without release', { store: { claim() {}, complete() {} } }, /idempotency\.store: must be/],
    ['an unknown key source', { store: createMemoryIdempotencyStore(), key: 'orderId' }, /idempotency\.key: must be 'payload', 'dedupeKey', 'id' or a function \(payload\) => string, got "orderId"/],
    ['a zero retention', { store: createMemoryIdempotencyStore(), retentionSeconds: 0 }, /idempotency\.retentionSeconds: must be a number > 0, got 0/],
    ['a negative margin', { store: createMemoryIdempotencyStore(), claimMarginMs: -1 }, /idempotency\.claimMarginMs: must be a number of ms >= 0, got -1/],
    ['a retention shorter than the claim', { store: createMemoryIdempotencyStore(), retentionSeconds: 1 }, /idempotency\.retentionSeconds: must cover at least the claim \(timeoutMs \+ claimMarginMs = 65000 ms\)/],
    ['a misspelt option', { store: createMemoryIdempotencyStore(), retentionSecond: 5 }, /idempotency\.retentionSecond: unknown option \(known: store, key, retentionSeconds, claimMarginMs, ifAbandoned\)/],
    ['an unknown ifAbandoned', { store: createMemoryIdempotencyStore(), ifAbandoned: 'retry' }, /idempotency\.ifAbandoned: must be 'run' or 'bury', got "retry"/],
    ["ifAbandoned: 'bury' on a store without forget", { store: { name: 'mine', claim() {}, complete() {}, release() {} }, ifAbandoned: 'bury' }, /idempotency\.ifAbandoned: 'bury' needs a store with forget\(key\).*store mine has no forget/],
  ])('names %s', (_what, option, message) => {
    expect(problemsOf(() => define(option))).toEqual([expect.stringMatching(message)]);
  });
});
