/**
 * Batches: many jobs enqueued as one, counted exactly, with a finished job once all are done.
 * The pieces a user or a store author needs; the pipeline uses step.ts, the queue produce.ts.
 */
export { createMemoryBatchStore } from './memory-store.ts';
export type { MemoryBatchStore, MemoryBatchStoreOptions } from './memory-store.ts';
export { BATCH_ID, BATCH_OUTCOMES, batchProblem, doneOf, MAX_BATCH_DATA_BYTES, MAX_BATCH_JOB_ID_LENGTH, newBatchProblem } from './store.ts';
export type { BatchCounts, BatchOutcome, BatchProgress, BatchRecord, BatchStore, FinishClaim, NewBatch, RecordResult } from './store.ts';
export type { BatchJobOptions, BatchSettings } from './options.ts';
export { DEFAULT_BATCH_RETENTION_SECONDS } from './produce.ts';
export type { BatchOptions, BatchReceipt } from './produce.ts';
export { batchSummarySchema } from './summary-schema.ts';
export type { BatchContext, BatchSummary } from './summary.ts';
export { finishBatch, finishedJobId } from './finish.ts';
export type { FinishBatchOptions, FinishResult } from './finish.ts';
export { batchProgress, batchState, cancelBatch, type BatchState } from './admin.ts';
export { BatchError } from './errors.ts';
