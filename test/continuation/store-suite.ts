/**
 * The shared chain store suite: every promise of the ChainStore interface, run against any
 * store (memory-store.test.ts, dynamodb-store.test.ts), on a test clock.
 */
import { describe, expect, it } from 'vitest';
import type { ChainClaimOptions, ChainStore } from '../../src/continuation/store.ts';
import { isStalled } from '../../src/continuation/store.ts';
import { withFreshStore, type StoreFactory } from '../support/store-suite.ts';

export type ChainStoreSetup = StoreFactory<ChainStore>;

let chains = 0;
const freshId = () => `chain-${process.pid}-${++chains}`;
const OPTS: ChainClaimOptions = { job: 'reindex', body: '{"v":1}', leaseMs: 10_000, stallAfterMs: 60_000, retentionMs: 3_600_000 };

const acquired = (claim: Awaited<ReturnType<ChainStore['claim']>>) => {
  if (claim.status !== 'acquired') throw new Error(`expected acquired, got ${claim.status}`);
  return claim;
};

export function runChainStoreSuite(name: string, setup: ChainStoreSetup): void {
  const withStore = withFreshStore(setup);

  describe(`${name}: chain store contract`, () => {
    it('creates a chain on its first claim, with its body and no checkpoint', withStore(async ({ store, clock }) => {
      const id = freshId();
      const claim = acquired(await store.claim(id, OPTS));
      expect(claim.record).toMatchObject({ id, job: 'reindex', state: 'running', link: 0, checkpoint: undefined, body: '{"v":1}', createdAt: clock.now(), lockedUntil: clock.now() + 10_000, restarts: 0 });
      expect(await store.get(id)).toMatchObject({ id, state: 'running' });
    }));

    it('answers locked while a lease lives; of 20 concurrent claims one is acquired', withStore(async ({ store, clock }) => {
      const id = freshId();
      const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim(id, OPTS)));
      expect(claims.filter((c) => c.status === 'acquired')).toHaveLength(1);
      expect(claims.filter((c) => c.status === 'locked')).toHaveLength(19);
      clock.advance(10_000);
      expect((await store.claim(id, OPTS)).status).toBe('acquired'); // the holder crashed: its lease ran out
    }));

    it('saves checkpoints in order; the next claim sees the latest', withStore(async ({ store, clock }) => {
      const id = freshId();
      const first = acquired(await store.claim(id, OPTS));
      expect(await store.save(id, first.token, { checkpoint: '100', progress: { done: 100, total: 1000 }, release: false, leaseMs: 10_000 })).toBe(true);
      expect(await store.save(id, first.token, { checkpoint: '200', progress: { done: 200, total: 1000 }, release: true })).toBe(true);
      expect(await store.save(id, first.token, { checkpoint: '300', progress: undefined, release: true })).toBe(false); // the lease ended
      clock.advance(5);
      const second = acquired(await store.claim(id, OPTS));
      expect(second.record).toMatchObject({ link: 2, checkpoint: '200', progress: { done: 200, total: 1000 }, body: '{"v":1}' });
    }));

    it('refuses a save or finish by a holder whose lease was taken over', withStore(async ({ store, clock }) => {
      const id = freshId();
      const zombie = acquired(await store.claim(id, OPTS));
      clock.advance(10_000);
      const taker = acquired(await store.claim(id, OPTS));
      expect(await store.save(id, zombie.token, { checkpoint: '1', progress: undefined, release: true })).toBe(false);
      expect(await store.finish(id, zombie.token, { state: 'done' })).toBe(false);
      expect(await store.release(id, zombie.token)).toBe(false);
      expect(await store.save(id, taker.token, { checkpoint: '2', progress: undefined, release: true })).toBe(true);
    }));

    it('finishes: done chains answer done and leave the live list; failed ones stay and can be claimed', withStore(async ({ store }) => {
      const a = freshId();
      const b = freshId();
      const ca = acquired(await store.claim(a, OPTS));
      const cb = acquired(await store.claim(b, OPTS));
      expect(await store.finish(a, ca.token, { state: 'done', result: '{"ok":true}' })).toBe(true);
      expect(await store.finish(b, cb.token, { state: 'failed', reason: 'permanent-error' })).toBe(true);
      const done = await store.claim(a, OPTS);
      expect(done).toMatchObject({ status: 'done', record: { state: 'done', result: '{"ok":true}' } });
      const live = (await store.listLive()).map((c) => c.id);
      expect(live).toContain(b);
      expect(live).not.toContain(a);
      expect(await store.get(b)).toMatchObject({ state: 'failed', reason: 'permanent-error' });
      expect((await store.claim(b, OPTS)).status).toBe('acquired'); // a kicked copy runs it again
    }));

    it('release ends the lease and keeps the checkpoint', withStore(async ({ store }) => {
      const id = freshId();
      const c = acquired(await store.claim(id, OPTS));
      await store.save(id, c.token, { checkpoint: '"k"', progress: undefined, release: false, leaseMs: 10_000 });
      expect(await store.release(id, c.token)).toBe(true);
      expect(acquired(await store.claim(id, OPTS)).record.checkpoint).toBe('"k"');
    }));

    it('stalls without a live lease or an update; one of many markRestarted calls wins', withStore(async ({ store, clock }) => {
      const id = freshId();
      const c = acquired(await store.claim(id, { ...OPTS, stallAfterMs: 1_000 }));
      await store.save(id, c.token, { checkpoint: '5', progress: undefined, release: true });
      let record = (await store.get(id))!;
      expect(isStalled(record, clock.now())).toBe(false);
      clock.advance(1_000);
      record = (await store.get(id))!;
      expect(isStalled(record, clock.now())).toBe(true);
      const wins = await Promise.all(Array.from({ length: 10 }, () => store.markRestarted(id, record.updatedAt)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      const after = (await store.get(id))!;
      expect(after).toMatchObject({ restarts: 1, updatedAt: clock.now() });
      expect(isStalled(after, clock.now())).toBe(false);
    }));

    it('does not restart a chain whose link holds a live lease', withStore(async ({ store, clock }) => {
      const id = freshId();
      const c = acquired(await store.claim(id, OPTS));
      clock.advance(5_000);
      expect(await store.markRestarted(id, c.record.updatedAt)).toBe(false);
    }));

    it('refuses a bad chain id with an error naming it', withStore(async ({ store }) => {
      await expect(store.claim('', OPTS)).rejects.toThrow(/chain id/);
    }));
  });
}
