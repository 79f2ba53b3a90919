/**
 * The zod schema of a batch summary, for the `finished` job users define. Kept apart from
 * summary.ts, which the pipeline imports: a Lambda or push entry must not load zod for it.
 */
import { z } from 'zod';
import type { BatchSummary } from './summary.ts';

/** The payload of a batch's finished job: `defineJob({ name, schema: batchSummarySchema, handler })`. */
export const batchSummarySchema = z.object({
  batchId: z.string(),
  job: z.string(),
  total: z.int().min(0),
  completed: z.int().min(0),
  failed: z.int().min(0),
  buried: z.int().min(0),
  cancelled: z.int().min(0),
  /** True when the batch was cancelled (some jobs were then not run). */
  wasCancelled: z.boolean(),
  metadata: z.unknown().optional(),
  createdAt: z.string(),
}) satisfies z.ZodType<BatchSummary>;
