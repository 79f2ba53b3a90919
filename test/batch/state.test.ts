/** batchState: where a batch stands, from its progress alone (the CLI and HTTP API show it). */
import { describe, expect, it } from 'vitest';
import { batchState } from '../../src/batch/admin.ts';
import type { BatchProgress } from '../../src/batch/store.ts';

const progress = (counts: { total: number; done: number }, batch: { cancelledAt?: number; finishedAt?: number } = {}): BatchProgress =>
  ({ ...counts, completed: counts.done, failed: 0, buried: 0, cancelled: 0, batch: { id: 'b', job: 'j', createdAt: 1, ...batch } }) as unknown as BatchProgress;

describe('batchState', () => {
  it.each([
    ['running', progress({ total: 10, done: 3 })],
    ['cancelling', progress({ total: 10, done: 3 }, { cancelledAt: 2 })],
    ['done', progress({ total: 10, done: 10 })],
    ['done', progress({ total: 10, done: 10 }, { cancelledAt: 2 })],
    ['finished', progress({ total: 10, done: 10 }, { finishedAt: 3 })],
    ['done', progress({ total: 0, done: 0 })],
  ] as const)('%s', (state, p) => {
    expect(batchState(p)).toBe(state);
  });
});
