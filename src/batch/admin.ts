/**
 * Reading and steering a batch from any process: progress, cancel.
 */
import { BatchError } from './errors.ts';
import type { BatchProgress, BatchStore } from './store.ts';

/** Progress of a batch (exact counts), or undefined when the store has no such batch. */
export function batchProgress(store: BatchStore, batchId: string): Promise<BatchProgress | undefined> {
  return store.progress(batchId);
}

export type BatchState = 'running' | 'cancelling' | 'done' | 'finished';

/**
 * Where a batch stands: `finished` (its finished job ran), `done` (every job has a final outcome;
 * the finished job, if any, is still to run), `cancelling` (cancelled, jobs still pending), or
 * `running`.
 */
export function batchState(p: BatchProgress): BatchState {
  if (p.batch.finishedAt !== undefined) return 'finished';
  if (p.done >= p.total) return 'done';
  return p.batch.cancelledAt !== undefined ? 'cancelling' : 'running';
}

/**
 * Cancels a batch: jobs that have not run are completed without running, counted
 * `cancelled` (workers see the cancel within their headerCacheMs). Jobs running now finish.
 * Resolves false when the batch was already cancelled; rejects for an unknown batch.
 */
export async function cancelBatch(store: BatchStore, batchId: string): Promise<boolean> {
  if (await store.cancel(batchId)) return true;
  if ((await store.get(batchId)) === undefined) throw new BatchError(store.name, 'cancel', `no batch ${batchId}`, { retryable: false });
  return false;
}
