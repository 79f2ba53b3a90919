/**
 * What a batch's `finished` job receives, and what a batch job sees as `ctx.batch`.
 */
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../json-guard.ts';
import type { BatchProgress } from './store.ts';

/** ctx.batch: set for the jobs of a batch. */
export interface BatchContext {
  readonly id: string;
  readonly total: number;
  /** The pre-fetch step's result (parsed JSON), or undefined. */
  readonly prefetch: unknown;
  /** The batch's metadata (parsed JSON), or undefined. */
  readonly metadata: unknown;
  /** Epoch ms the batch was cancelled (this job is then not run), or undefined. */
  readonly cancelledAt: number | undefined;
}

/** The payload of a batch's finished job (`batchSummarySchema` in summary-schema.ts validates it). */
export interface BatchSummary {
  readonly batchId: string;
  readonly job: string;
  readonly total: number;
  readonly completed: number;
  readonly failed: number;
  readonly buried: number;
  readonly cancelled: number;
  /** True when the batch was cancelled (some jobs were then not run). */
  readonly wasCancelled: boolean;
  readonly metadata?: unknown;
  readonly createdAt: string;
}

export function summaryOf(progress: BatchProgress): BatchSummary {
  const { batch } = progress;
  return {
    batchId: batch.id,
    job: batch.job,
    total: progress.total,
    completed: progress.completed,
    failed: progress.failed,
    buried: progress.buried,
    cancelled: progress.cancelled,
    wasCancelled: batch.cancelledAt !== undefined,
    metadata: parseJson(batch.metadata),
    createdAt: new Date(batch.createdAt).toISOString(),
  };
}

/** Stored JSON text back to a value; text a store returns that is not JSON reads as undefined. */
export function parseJson(text: string | undefined): unknown {
  if (typeof text !== 'string' || jsonDepthExceeds(text, MAX_JSON_DEPTH)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
