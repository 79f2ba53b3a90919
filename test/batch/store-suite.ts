/**
 * The shared batch store suite: every promise of the BatchStore interface, run against any
 * store (memory-store.test.ts, dynamodb-store.test.ts). Time is a test clock the store is
 * built on.
 */
import { describe, expect, it } from 'vitest';
import type { BatchStore, NewBatch } from '../../src/batch/store.ts';
import { BatchError } from '../../src/batch/errors.ts';
import { withFreshStore, type StoreFactory, type TestClock } from '../support/store-suite.ts';

export { testClock, type TestClock } from '../support/store-suite.ts';
export type BatchStoreSetup = StoreFactory<BatchStore>;

let batches = 0;
const freshId = () => `b-${process.pid}-${++batches}`;
const newBatch = (clock: TestClock, overrides: Partial<NewBatch> = {}): NewBatch => ({
  id: freshId(),
  job: 'migrate',
  total: 5,
  createdAt: clock.now(),
  retentionMs: 3_600_000,
  ...overrides,
});

export function runBatchStoreSuite(name: string, setup: BatchStoreSetup): void {
  const withStore = withFreshStore(setup);

  describe(`${name}: batch store contract`, () => {
    it('creates a batch once and reads its header back', withStore(async ({ store, clock }) => {
      const batch = newBatch(clock, { metadata: '{"table":"users"}', prefetch: '{"map":{"a":1}}', finishedJob: 'migrate-done' });
      expect(await store.create(batch)).toBe('created');
      expect(await store.create({ ...batch, total: 99 })).toBe('exists');
      expect(await store.get(batch.id)).toEqual({ ...batch, cancelledAt: undefined, finishedAt: undefined });
      expect(await store.get('no-such-batch')).toBeUndefined();
    }));

    it('counts each outcome separately and exactly; done is their sum', withStore(async ({ store, clock }) => {
      const batch = newBatch(clock, { total: 6 });
      await store.create(batch);
      const results = [];
      for (const [job, outcome] of [['j1', 'completed'], ['j2', 'completed'], ['j3', 'failed'], ['j4', 'buried'], ['j5', 'cancelled']] as const) results.push(await store.record(batch.id, job, outcome));
      expect(results.map((r) => r.status)).toEqual(['recorded', 'recorded', 'recorded', 'recorded', 'recorded']);
      expect(results.every((r) => r.status === 'recorded' && !r.done)).toBe(true);
      expect(await store.progress(batch.id)).toMatchObject({ total: 6, completed: 2, failed: 1, buried: 1, cancelled: 1, done: 5 });
      expect(await store.record(batch.id, 'j6', 'completed')).toEqual({ status: 'recorded', outcome: 'completed', done: true });
      expect(await store.outcomeOf(batch.id, 'j3')).toBe('failed');
      expect(await store.outcomeOf(batch.id, 'nope')).toBeUndefined();
    }));

    it('counts a job id once: a second record is a duplicate, whatever its outcome', withStore(async ({ store, clock }) => {
      const batch = newBatch(clock);
      await store.create(batch);
      await store.record(batch.id, 'j1', 'completed');
      expect(await store.record(batch.id, 'j1', 'completed')).toMatchObject({ status: 'duplicate', outcome: 'completed' });
      expect(await store.record(batch.id, 'j1', 'buried')).toMatchObject({ status: 'duplicate', outcome: 'completed' });
      expect(await store.progress(batch.id)).toMatchObject({ completed: 1, buried: 0, done: 1 });
    }));

    it('of 20 concurrent records of one job id, counts one', withStore(async ({ store, clock }) => {
      const batch = newBatch(clock, { total: 3 });
      await store.create(batch);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.record(batch.id, 'same', 'completed')));
      expect(results.filter((r) => r.status === 'recorded')).toHaveLength(1);
      expect(await store.progress(batch.id)).toMatchObject({ completed: 1, done: 1 });
    }));

    it('counts 200 concurrent records of distinct jobs exactly; at least one sees done (claimFinished picks the one sender)', withStore(async ({ store, clock }) => {
      const batch = newBatch(clock, { total: 200 });
      await store.create(batch);
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.record(batch.id, `j${i}`, i % 10 === 0 ? 'buried' : 'completed')));
      expect(await store.progress(batch.id)).toMatchObject({ completed: 180, buried: 20, done: 200 });
      expect(results.some((r) => r.status === 'recorded' && r.done)).toBe(true);
    }));

    it('moves a failed or buried job to completed once (a kick); never the other way', withStore(async ({ store, clock }) => {
      const batch = newBatch(clock, { total: 2 });
      await store.create(batch);
      await store.record(batch.id, 'j1', 'buried');
      await store.record(batch.id, 'j2', 'completed');
      expect(await store.record(batch.id, 'j1', 'completed')).toEqual({ status: 'moved', outcome: 'completed', from: 'buried', done: true });
      expect(await store.record(batch.id, 'j1', 'completed')).toMatchObject({ status: 'duplicate' });
      expect(await store.record(batch.id, 'j2', 'failed')).toMatchObject({ status: 'duplicate', outcome: 'completed' });
      expect(await store.progress(batch.id)).toMatchObject({ completed: 2, buried: 0, failed: 0, done: 2 });
    }));

    it('answers unknown-batch for a batch it does not hold', withStore(async ({ store }) => {
      expect(await store.record('never-made', 'j1', 'completed')).toEqual({ status: 'unknown-batch' });
      expect(await store.progress('never-made')).toBeUndefined();
      expect(await store.claimFinished('never-made', 1_000)).toEqual({ status: 'unknown-batch' });
      expect(await store.cancel('never-made')).toBe(false);
    }));

    it('cancels once', withStore(async ({ store, clock }) => {
      const batch = newBatch(clock);
      await store.create(batch);
      clock.advance(10);
      expect(await store.cancel(batch.id)).toBe(true);
      expect(await store.cancel(batch.id)).toBe(false);
      expect((await store.get(batch.id))?.cancelledAt).toBe(clock.now());
    }));

    it('claims finished only when done, for one caller, then never again', withStore(async ({ store, clock }) => {
      const batch = newBatch(clock, { total: 2 });
      await store.create(batch);
      await store.record(batch.id, 'j1', 'completed');
      expect(await store.claimFinished(batch.id, 5_000)).toEqual({ status: 'not-done' });
      await store.record(batch.id, 'j2', 'failed');
      const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimFinished(batch.id, 5_000)));
      const won = claims.filter((c) => c.status === 'acquired');
      expect(won).toHaveLength(1);
      expect(claims.filter((c) => c.status === 'held')).toHaveLength(9);
      const claim = won[0]!;
      if (claim.status !== 'acquired') throw new Error('unreachable');
      expect(claim.progress).toMatchObject({ completed: 1, failed: 1, done: 2, total: 2 });
      expect(await store.completeFinished(batch.id, 'not-the-token')).toBe(false);
      expect(await store.completeFinished(batch.id, claim.token)).toBe(true);
      expect(await store.claimFinished(batch.id, 5_000)).toEqual({ status: 'finished' });
      expect((await store.get(batch.id))?.finishedAt).toBe(clock.now());
    }));

    it('lets another caller claim finished when the lease ran out or was released', withStore(async ({ store, clock }) => {
      const batch = newBatch(clock, { total: 1 });
      await store.create(batch);
      await store.record(batch.id, 'j1', 'completed');
      const first = await store.claimFinished(batch.id, 1_000);
      expect(first.status).toBe('acquired');
      clock.advance(1_000);
      const second = await store.claimFinished(batch.id, 1_000);
      expect(second.status).toBe('acquired');
      if (first.status !== 'acquired' || second.status !== 'acquired') throw new Error('unreachable');
      expect(await store.completeFinished(batch.id, first.token)).toBe(false);
      expect(await store.releaseFinished(batch.id, second.token)).toBe(true);
      expect((await store.claimFinished(batch.id, 1_000)).status).toBe('acquired');
    }));

    it('forgets a batch past its retention', withStore(async ({ store, clock }) => {
      const batch = newBatch(clock, { retentionMs: 60_000 });
      await store.create(batch);
      clock.advance(60_000);
      expect(await store.get(batch.id)).toBeUndefined();
      expect(await store.record(batch.id, 'j1', 'completed')).toEqual({ status: 'unknown-batch' });
    }));

    it('refuses bad arguments with a BatchError that names them', withStore(async ({ store, clock }) => {
      await expect(store.create(newBatch(clock, { id: 'bad id!' }))).rejects.toThrow(BatchError);
      await expect(store.create(newBatch(clock, { total: 0 }))).rejects.toThrow(/total: must be an integer >= 1/);
      await expect(store.record('ok-id', '', 'completed')).rejects.toThrow(/job id/);
      await expect(store.record('ok-id', 'j', 'maybe' as never)).rejects.toThrow(/outcome: must be one of/);
    }));
  });
}
