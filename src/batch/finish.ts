/**
 * Sending a batch's finished job, once: claim (a lease in the store), send, mark sent. Called
 * by the pipeline for whoever records a batch's last outcome, and by `finishBatch()` (the CLI,
 * the HTTP API, a health check) for a batch whose sender failed.
 */
import { describeError } from '../errors.ts';
import { defineJob, type AnyJob } from '../job.ts';
import { createQueue } from '../queue.ts';
import type { JobService } from '../service.ts';
import { BatchError } from './errors.ts';
import type { BatchStore } from './store.ts';
import type { StandardSchemaV1 } from '../schema.ts';
import { summaryOf, type BatchSummary } from './summary.ts';

export interface FinishBatchOptions {
  store: BatchStore;
  /** Where the finished job is sent (the batch's queue). */
  service: JobService | undefined;
  /** Job definitions known here: the finished job's payload is validated by its schema when it is one of them. */
  jobs?: ReadonlyMap<string, AnyJob> | undefined;
  /** Lease of the claim. Default 30000. */
  leaseMs?: number;
}

export type FinishResult =
  /** The finished job was sent now (`jobId`), or the batch has no finished job and is now marked finished. */
  | { readonly status: 'sent'; readonly jobId: string | undefined }
  | { readonly status: 'not-done' | 'held' | 'finished' | 'unknown-batch' };

/** Accepts the summaries summaryOf() makes; zod-free, so the pipeline's import graph stays small. */
const summaryShape: StandardSchemaV1<BatchSummary, BatchSummary> = {
  '~standard': {
    version: 1,
    vendor: 'jobferry',
    validate: (value) =>
      typeof value === 'object' && value !== null && typeof (value as BatchSummary).batchId === 'string' && typeof (value as BatchSummary).total === 'number'
        ? { value: value as BatchSummary }
        : { issues: [{ message: 'expected a batch summary { batchId, job, total, completed, ... }' }] },
  },
};

/** The envelope id of a batch's finished job: stable, so a transport's dedupe can drop a second send. */
export function finishedJobId(batchId: string): string {
  return `${batchId}.finished`;
}

/** Sends the finished job of a done batch if nobody has. Rejects (BatchError) when the send fails; the claim is then released. */
export async function finishBatch(batchId: string, options: FinishBatchOptions): Promise<FinishResult> {
  const { store } = options;
  const claim = await store.claimFinished(batchId, options.leaseMs ?? 30_000);
  if (claim.status !== 'acquired') return { status: claim.status };
  const name = claim.progress.batch.finishedJob;
  try {
    let jobId: string | undefined;
    if (name !== undefined) {
      const service = options.service;
      if (service === undefined) throw new BatchError(store.name, 'finish', `no service to send the finished job ${name} with: give the pipeline a followUp service (the pull worker uses its own)`, { retryable: false });
      // The finished job may run on another worker: a stand-in definition then sends the summary
      // (its consumer validates it with the job's own schema).
      const job = options.jobs?.get(name) ?? defineJob({ name, schema: summaryShape, handler: () => undefined });
      jobId = finishedJobId(batchId);
      await createQueue({ service, jobs: [job] }).enqueue(job, summaryOf(claim.progress) as never, {
        id: jobId,
        dedupeKey: jobId,
        ...(service.features.groups ? { groupKey: batchId } : {}),
      });
    }
    if (!(await store.completeFinished(batchId, claim.token))) {
      // Sent, but the lease ran out before it was marked: another sender may send a second copy
      // (same id and dedupe key, so deduplicating transports drop it).
      throw new BatchError(store.name, 'finish', `the claim to finish batch ${batchId} expired before the send was marked; raise finishedLeaseMs`, { retryable: false });
    }
    return { status: 'sent', jobId };
  } catch (error) {
    await store.releaseFinished(batchId, claim.token).catch(() => false);
    if (error instanceof BatchError) throw error;
    const { name: n, message } = describeError(error);
    throw new BatchError(store.name, 'finish', `sending the finished job of batch ${batchId} failed: ${n}: ${message}`, { cause: error });
  }
}
