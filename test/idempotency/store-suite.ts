/**
 * The shared idempotency store suite: every promise of the IdempotencyStore interface, run
 * against any store. A store's test file is a few lines (memory-store.test.ts,
 * dynamodb-store.test.ts). Time is a test clock the store is built on, so expiry is exact.
 */
import { describe, expect, it } from 'vitest';
import type { IdempotencyStore } from '../../src/idempotency/store.ts';
import { IdempotencyError } from '../../src/idempotency/errors.ts';
import { withFreshStore, type StoreFactory } from '../support/store-suite.ts';

export { testClock, type TestClock } from '../support/store-suite.ts';
export type StoreSetup = StoreFactory<IdempotencyStore> & {
  /** false: the store has no forget and ignores keepAbandoned (no ifAbandoned: 'bury'); those tests are skipped. Default true. */
  atMostOnce?: boolean;
};

const FP = 'a'.repeat(64);
const OTHER_FP = 'b'.repeat(64);
const CLAIM_MS = 30_000;
const RETENTION_MS = 3_600_000;
let keys = 0;
const freshKey = () => `job#p:${(++keys).toString(16).padStart(64, '0')}`;

export function runIdempotencyStoreSuite(name: string, setup: StoreSetup): void {
  const withStore = withFreshStore(setup);
  // A store without forget (atMostOnce: false) skips these, and the title says why.
  const itAtMostOnce = (title: string, fn: () => Promise<void>) =>
    setup.atMostOnce === false ? it.skip(`${title} [skipped: atMostOnce: false, the store has no forget]`, fn) : it(title, fn);

  describe(`${name}: idempotency store contract`, () => {
    it('acquires a free key with a token, until now + claimMs', withStore(async ({ store, clock }) => {
      const claim = await store.claim(freshKey(), { fingerprint: FP, claimMs: CLAIM_MS });
      expect(claim).toEqual({ status: 'acquired', token: expect.any(String), expiresAt: clock.now() + CLAIM_MS });
    }));

    it('answers in-progress (with the claim end) to a second claim of a held key', withStore(async ({ store, clock }) => {
      const key = freshKey();
      const first = await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS });
      clock.advance(1_000);
      const second = await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS });
      expect(second).toEqual({ status: 'in-progress', expiresAt: first.status === 'acquired' ? first.expiresAt : -1 });
    }));

    it('of 20 concurrent claims of one key, acquires exactly one', withStore(async ({ store }) => {
      const key = freshKey();
      const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })));
      expect(claims.filter((c) => c.status === 'acquired')).toHaveLength(1);
      expect(claims.filter((c) => c.status === 'in-progress')).toHaveLength(19);
    }));

    it('answers conflict to the same key with another fingerprint, held or completed', withStore(async ({ store }) => {
      const key = freshKey();
      const claim = await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS });
      expect(await store.claim(key, { fingerprint: OTHER_FP, claimMs: CLAIM_MS })).toEqual({ status: 'conflict', fingerprint: FP });
      await store.complete(key, tokenOf(claim), { fingerprint: FP, result: '1', retentionMs: RETENTION_MS });
      expect(await store.claim(key, { fingerprint: OTHER_FP, claimMs: CLAIM_MS })).toEqual({ status: 'conflict', fingerprint: FP });
    }));

    it('keeps the result of a completed key for the retention period, then frees the key', withStore(async ({ store, clock }) => {
      const key = freshKey();
      const claim = await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS });
      clock.advance(500);
      const result = JSON.stringify({ charged: 1999, note: 'naïve ☃ 𝄞 "quoted"\n' });
      expect(await store.complete(key, tokenOf(claim), { fingerprint: FP, result, retentionMs: RETENTION_MS })).toBe(true);
      const completedAt = clock.now();
      clock.advance(RETENTION_MS - 1);
      expect(await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })).toEqual({ status: 'completed', result, completedAt });
      clock.advance(1);
      expect((await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })).status).toBe('acquired');
    }));

    it('completes with no result, and keeps a 64 KiB result byte for byte', withStore(async ({ store }) => {
      const none = freshKey();
      await store.complete(none, tokenOf(await store.claim(none, { fingerprint: FP, claimMs: CLAIM_MS })), { fingerprint: FP, result: undefined, retentionMs: RETENTION_MS });
      expect(await store.claim(none, { fingerprint: FP, claimMs: CLAIM_MS })).toMatchObject({ status: 'completed', result: undefined });
      const big = freshKey();
      const result = JSON.stringify('é'.repeat(32 * 1024 - 2));
      await store.complete(big, tokenOf(await store.claim(big, { fingerprint: FP, claimMs: CLAIM_MS })), { fingerprint: FP, result, retentionMs: RETENTION_MS });
      expect(await store.claim(big, { fingerprint: FP, claimMs: CLAIM_MS })).toMatchObject({ status: 'completed', result });
    }));

    it('refuses complete and release from a token that does not hold the key', withStore(async ({ store }) => {
      const key = freshKey();
      const claim = await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS });
      expect(await store.complete(key, 'not-the-token', { fingerprint: FP, result: '1', retentionMs: RETENTION_MS })).toBe(false);
      expect(await store.release(key, 'not-the-token')).toBe(false);
      expect((await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })).status).toBe('in-progress');
      expect(await store.release(key, tokenOf(claim))).toBe(true);
    }));

    it('frees a released key at once, with a new token for the next claim', withStore(async ({ store }) => {
      const key = freshKey();
      const first = await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS });
      expect(await store.release(key, tokenOf(first))).toBe(true);
      const second = await store.claim(key, { fingerprint: OTHER_FP, claimMs: CLAIM_MS });
      expect(second.status).toBe('acquired');
      expect(tokenOf(second)).not.toBe(tokenOf(first));
      expect(await store.release(key, tokenOf(first))).toBe(false);
    }));

    it('does not release a completed key', withStore(async ({ store }) => {
      const key = freshKey();
      const claim = await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS });
      await store.complete(key, tokenOf(claim), { fingerprint: FP, result: '"done"', retentionMs: RETENTION_MS });
      expect(await store.release(key, tokenOf(claim))).toBe(false);
      expect((await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })).status).toBe('completed');
    }));

    it('lets an expired claim be taken; the old holder can then neither complete nor release', withStore(async ({ store, clock }) => {
      const key = freshKey();
      const crashed = await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS });
      clock.advance(CLAIM_MS - 1);
      expect((await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })).status).toBe('in-progress');
      clock.advance(1);
      const next = await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS });
      expect(next.status).toBe('acquired');
      expect(await store.complete(key, tokenOf(crashed), { fingerprint: FP, result: '1', retentionMs: RETENTION_MS })).toBe(false);
      expect(await store.release(key, tokenOf(crashed))).toBe(false);
      expect((await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })).status).toBe('in-progress');
      expect(await store.complete(key, tokenOf(next), { fingerprint: FP, result: '2', retentionMs: RETENTION_MS })).toBe(true);
      expect(await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })).toMatchObject({ status: 'completed', result: '2' });
    }));

    it('records a completion whose claim expired when nobody claimed the key since', withStore(async ({ store, clock }) => {
      const key = freshKey();
      const slow = await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS });
      clock.advance(CLAIM_MS + 1);
      expect(await store.complete(key, tokenOf(slow), { fingerprint: FP, result: '"late"', retentionMs: RETENTION_MS })).toBe(true);
      expect(await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })).toMatchObject({ status: 'completed', result: '"late"' });
    }));

    itAtMostOnce('with keepAbandoned: reports an expired unfinished claim as abandoned, however late, until it is forgotten', withStore(async ({ store, clock }) => {
      const key = freshKey();
      const keep = { fingerprint: FP, claimMs: CLAIM_MS, keepAbandoned: true };
      const crashed = await store.claim(key, keep);
      const expiredAt = clock.now() + CLAIM_MS;
      clock.advance(CLAIM_MS - 1);
      expect((await store.claim(key, keep)).status).toBe('in-progress');
      clock.advance(1);
      expect(await store.claim(key, keep)).toEqual({ status: 'abandoned', expiredAt });
      expect(await store.claim(key, { ...keep, fingerprint: OTHER_FP })).toEqual({ status: 'conflict', fingerprint: FP });
      clock.advance(30 * 86_400_000); // a dead letter kicked a month later: still in doubt
      expect(await store.claim(key, keep)).toEqual({ status: 'abandoned', expiredAt });
      // A claim made without keepAbandoned takes it over (at least once), as before.
      expect(await store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })).toMatchObject({ status: 'acquired' });
      expect(await store.complete(key, tokenOf(crashed), { fingerprint: FP, result: '1', retentionMs: RETENTION_MS })).toBe(false);
    }));

    itAtMostOnce('with keepAbandoned: never reports a completed or released key as abandoned, nor a claim made without keepAbandoned', withStore(async ({ store, clock }) => {
      const keep = { fingerprint: FP, claimMs: CLAIM_MS, keepAbandoned: true };
      const done = freshKey();
      await store.complete(done, tokenOf(await store.claim(done, keep)), { fingerprint: FP, result: '1', retentionMs: 1_000 });
      const failed = freshKey();
      expect(await store.release(failed, tokenOf(await store.claim(failed, keep)))).toBe(true);
      const plain = freshKey();
      await store.claim(plain, { fingerprint: FP, claimMs: CLAIM_MS });
      clock.advance(CLAIM_MS + 1);
      expect((await store.claim(done, keep)).status).toBe('acquired');
      expect((await store.claim(failed, keep)).status).toBe('acquired');
      expect((await store.claim(plain, keep)).status).toBe('acquired');
    }));

    itAtMostOnce('with keepAbandoned: a slow run whose claim expired may still complete or release it, if nobody took the key', withStore(async ({ store, clock }) => {
      const keep = { fingerprint: FP, claimMs: CLAIM_MS, keepAbandoned: true };
      const late = freshKey();
      const slow = await store.claim(late, keep);
      clock.advance(CLAIM_MS + 1);
      expect((await store.claim(late, keep)).status).toBe('abandoned');
      expect(await store.complete(late, tokenOf(slow), { fingerprint: FP, result: '"late"', retentionMs: RETENTION_MS })).toBe(true);
      expect(await store.claim(late, keep)).toMatchObject({ status: 'completed', result: '"late"' });

      const gaveUp = freshKey();
      const failing = await store.claim(gaveUp, keep);
      clock.advance(CLAIM_MS + 1);
      expect(await store.release(gaveUp, tokenOf(failing))).toBe(true);
      expect((await store.claim(gaveUp, keep)).status).toBe('acquired');
    }));

    itAtMostOnce('of 20 concurrent claims of an abandoned key, acquires none', withStore(async ({ store, clock }) => {
      const key = freshKey();
      const keep = { fingerprint: FP, claimMs: CLAIM_MS, keepAbandoned: true };
      await store.claim(key, keep);
      clock.advance(CLAIM_MS);
      const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim(key, keep)));
      expect(claims.map((c) => c.status)).toEqual(Array(20).fill('abandoned'));
    }));

    itAtMostOnce('forgets an abandoned claim, and nothing else (a live claim, a completed job, no record)', withStore(async ({ store, clock }) => {
      if (store.forget === undefined) throw new Error(`store ${store.name} has no forget`);
      const keep = { fingerprint: FP, claimMs: CLAIM_MS, keepAbandoned: true };
      const abandoned = freshKey();
      const done = freshKey();
      await store.claim(abandoned, keep);
      await store.complete(done, tokenOf(await store.claim(done, keep)), { fingerprint: FP, result: '1', retentionMs: RETENTION_MS });
      clock.advance(CLAIM_MS);
      const live = freshKey();
      await store.claim(live, keep);

      expect(await store.forget(live)).toBe(false);
      expect((await store.claim(live, keep)).status).toBe('in-progress');
      expect(await store.forget(done)).toBe(false);
      expect((await store.claim(done, keep)).status).toBe('completed');
      expect(await store.forget(freshKey())).toBe(false);
      expect(await store.forget(abandoned)).toBe(true);
      expect((await store.claim(abandoned, keep)).status).toBe('acquired');
      expect(await store.forget(abandoned)).toBe(false); // claimed again: live, not abandoned
    }));

    it('keeps keys apart that differ only in case or by one character', withStore(async ({ store }) => {
      const base = freshKey();
      const variants = [base, base.toUpperCase(), `${base}x`, `${base.slice(0, -1)}_`];
      const claims = await Promise.all(variants.map((key) => store.claim(key, { fingerprint: FP, claimMs: CLAIM_MS })));
      expect(claims.map((c) => c.status)).toEqual(['acquired', 'acquired', 'acquired', 'acquired']);
    }));

    it('rejects bad arguments with an IdempotencyError that names them', withStore(async ({ store }) => {
      const cases: Array<[() => Promise<unknown>, RegExp]> = [
        [() => store.claim('', { fingerprint: FP, claimMs: CLAIM_MS }), /key: must be a string of 1-1024 characters/],
        [() => store.claim('k'.repeat(1025), { fingerprint: FP, claimMs: CLAIM_MS }), /key: must be a string/],
        [() => store.claim(freshKey(), { fingerprint: '', claimMs: CLAIM_MS }), /fingerprint: must be a non-empty string/],
        [() => store.claim(freshKey(), { fingerprint: FP, claimMs: 0 }), /claimMs: must be a number of ms > 0, got 0/],
        [() => store.complete(freshKey(), 't', { fingerprint: FP, result: '1', retentionMs: Number.NaN }), /retentionMs: must be a number of ms > 0, got NaN/],
      ];
      if (setup.atMostOnce !== false) {
        cases.push([() => store.claim(freshKey(), { fingerprint: FP, claimMs: CLAIM_MS, keepAbandoned: 'yes' as never }), /keepAbandoned: must be a boolean, got string/]);
        cases.push([() => store.forget!(''), /key: must be a string of 1-1024 characters/]);
      }
      for (const [call, message] of cases) {
        const error = await call().then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(IdempotencyError);
        expect((error as IdempotencyError).message).toMatch(message);
        expect((error as IdempotencyError).retryable).toBe(false);
      }
    }));
  });
}

function tokenOf(claim: Awaited<ReturnType<IdempotencyStore['claim']>>): string {
  if (claim.status !== 'acquired') throw new Error(`expected an acquired claim, got ${claim.status}`);
  return claim.token;
}
