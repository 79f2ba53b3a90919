/**
 * enqueue: one CreateTask per job (Cloud Tasks has no batch create), a few at a time, one
 * result per job, in order. A dedupe key becomes the task id (a hash of the key): a second
 * job with the same key meets ALREADY_EXISTS, which is reported as accepted and deduplicated.
 */
import { UnsupportedError, ValidationError } from '../../src/errors.ts';
import type { EnqueueResult, OutgoingJob } from '../../src/service.ts';
import { createTask, type ServiceContext } from './context.ts';
import { dedupeTaskId, MAX_BODY_BYTES, MAX_SCHEDULE_MS, MAX_TASK_BYTES, taskBytes } from './tasks.ts';
import { grpcCode, toTransportError } from './transport-errors.ts';

const CONCURRENCY = 16;
const encoder = new TextEncoder();

export async function enqueueJobs(ctx: ServiceContext, jobs: readonly OutgoingJob[]): Promise<EnqueueResult[]> {
  const results = new Array<EnqueueResult>(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) results[i] = await enqueueOne(ctx, jobs[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));
  return results;
}

async function enqueueOne(ctx: ServiceContext, job: OutgoingJob): Promise<EnqueueResult> {
  const refused = check(ctx, job);
  if (refused !== undefined) return { id: job.id, ok: false, error: refused };
  const body = encoder.encode(job.body);
  const taskId = job.dedupeKey === undefined ? undefined : dedupeTaskId(job.dedupeKey);
  const size = taskBytes(ctx.settings, { body, delayMs: job.delayMs, now: 0 });
  if (size > MAX_TASK_BYTES) return { id: job.id, ok: false, error: invalid(ctx, job, `the task would be ${size} bytes; Cloud Tasks takes at most ${MAX_TASK_BYTES}`) };
  try {
    const transportId = await createTask(ctx, { body, delayMs: job.delayMs, taskId, tag: job.name });
    return { id: job.id, ok: true, transportId };
  } catch (error) {
    // The name of a task that exists, or ran less than about an hour ago: a duplicate.
    if (taskId !== undefined && grpcCode(error) === 'ALREADY_EXISTS') return { id: job.id, ok: true, transportId: taskId, deduplicated: true };
    return { id: job.id, ok: false, error: toTransportError(error, 'enqueue', ctx.settings.queueId) };
  }
}

function check(ctx: ServiceContext, job: OutgoingJob): Error | undefined {
  if (job.groupKey !== undefined) return new UnsupportedError('cloud-tasks', 'groupKey', 'Cloud Tasks has no ordered groups');
  if (job.priority !== undefined) return new UnsupportedError('cloud-tasks', 'priority', 'Cloud Tasks has no task priority');
  if (typeof job.body !== 'string') return invalid(ctx, job, 'body must be a string');
  const maxDelayMs = limitsOf(ctx.settings.mode).maxDelayMs;
  if (!(job.delayMs >= 0) || job.delayMs > maxDelayMs) return invalid(ctx, job, `delayMs must be from 0 to ${maxDelayMs} (longer delays hop), got ${String(job.delayMs)}`);
  if (Buffer.byteLength(job.body) > MAX_BODY_BYTES) return invalid(ctx, job, `body is larger than the ${MAX_BODY_BYTES} bytes a task leaves for it`);
  if (job.dedupeKey !== undefined && (typeof job.dedupeKey !== 'string' || job.dedupeKey === '')) return invalid(ctx, job, 'dedupeKey must be a non-empty string');
  return undefined;
}

function invalid(ctx: ServiceContext, job: OutgoingJob, why: string): ValidationError {
  return new ValidationError(`[cloud-tasks] enqueue of job ${job.name} rejected: ${why}`, why, { adapter: 'cloud-tasks', queue: ctx.settings.queueId, jobId: job.id });
}

export function limitsOf(mode: 'push' | 'pull') {
  return {
    maxBodyBytes: MAX_BODY_BYTES,
    // Pull: a delayed release is a lease renewal, so one week; push: a task's scheduleTime.
    maxDelayMs: mode === 'pull' ? 7 * 24 * 3_600_000 : MAX_SCHEDULE_MS,
    maxLeaseMs: mode === 'pull' ? 7 * 24 * 3_600_000 : 0,
    maxBatchSize: 100,
  };
}
