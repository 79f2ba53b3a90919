/**
 * Pull queues (v2beta2): LeaseTasks hands out due tasks by moving their schedule time to the
 * end of the lease; RenewLease, AcknowledgeTask and CancelLease need the schedule time the
 * worker got, which proves it still holds the lease.
 */
import type { EmulatorClock } from './clock.ts';
import { failedPrecondition, invalid } from './errors.ts';
import type { QueueRecord, TaskRecord } from './model.ts';
import type { TaskStore } from './task-store.ts';

const MAX_LEASE_MS = 7 * 24 * 3_600_000;
const MAX_TASKS = 1000;

export interface LeaseRequest {
  readonly maxTasks: number | undefined;
  readonly leaseDurationMs: number | undefined;
  readonly filter: string | undefined;
}

export function leaseDuration(ms: number | undefined, field: string): number {
  if (ms === undefined || ms <= 0) throw invalid(`${field}.lease_duration is required and must be positive.`);
  // The real service truncates lease durations to whole seconds.
  const whole = Math.floor(ms / 1000) * 1000;
  if (whole < 1000) throw invalid(`${field}.lease_duration must be at least 1 second.`);
  if (whole > MAX_LEASE_MS) throw invalid(`${field}.lease_duration must be at most 1 week.`);
  return whole;
}

export function leaseTasks(clock: EmulatorClock, tasks: TaskStore, queue: QueueRecord, request: LeaseRequest): TaskRecord[] {
  if (queue.kind !== 'pull') throw failedPrecondition('LeaseTasks can be called only on a pull queue.');
  if (queue.state !== 'RUNNING') throw failedPrecondition(`The queue is ${queue.state.toLowerCase()}: LeaseTasks is refused.`);
  const max = request.maxTasks ?? 1;
  if (max < 0 || max > MAX_TASKS) throw invalid(`LeaseTasksRequest.max_tasks must be between 1 and ${MAX_TASKS}, got ${max}.`);
  const lease = leaseDuration(request.leaseDurationMs, 'LeaseTasksRequest');
  const now = clock.now();
  const due = tasks
    .ofQueue(queue.name)
    .filter((t) => t.pull && t.scheduleTimeMs <= now)
    .sort((a, b) => a.scheduleTimeMs - b.scheduleTimeMs || (a.name < b.name ? -1 : 1));
  const tag = tagFilter(request.filter, due);
  const chosen = (tag === undefined ? due : due.filter((t) => t.pull!.tag === tag)).slice(0, max || 1);
  for (const task of chosen) {
    task.scheduleTimeMs = now + lease;
    task.dispatchCount += 1;
    task.version += 1;
  }
  return chosen;
}

/** `tag=<tag>` or `tag_function=oldest_tag()`; undefined = no filter. */
function tagFilter(filter: string | undefined, due: readonly TaskRecord[]): string | undefined {
  const f = (filter ?? '').trim();
  if (f === '') return undefined;
  if (f === 'tag_function=oldest_tag()') return due[0]?.pull?.tag ?? '';
  const m = /^tag\s*=\s*(.*)$/.exec(f);
  if (!m) throw invalid(`LeaseTasksRequest.filter must be "tag=<tag>" or "tag_function=oldest_tag()", got "${f}".`);
  let tag = m[1]!.trim();
  if (tag.length >= 2 && tag.startsWith('"') && tag.endsWith('"')) tag = tag.slice(1, -1);
  if (tag.length >= 500) throw invalid('LeaseTasksRequest.filter tag must be less than 500 characters.');
  return tag;
}

/** The checks every lease operation makes: a pull task, the caller's schedule time, a lease not yet over. */
export function checkLease(clock: EmulatorClock, task: TaskRecord, scheduleTimeMs: number | undefined, method: string): void {
  if (!task.pull) throw failedPrecondition(`${method} can be called only on a task of a pull queue.`);
  if (scheduleTimeMs === undefined) throw invalid(`${method}Request.schedule_time is required.`);
  if (scheduleTimeMs !== task.scheduleTimeMs) {
    throw failedPrecondition(
      `The task's schedule time (${new Date(task.scheduleTimeMs).toISOString()}) does not match the schedule_time of the request (${new Date(scheduleTimeMs).toISOString()}): the lease is not held by the caller.`,
    );
  }
  if (task.dispatchCount === 0 || task.scheduleTimeMs <= clock.now()) {
    throw failedPrecondition('The task is not leased: its lease has expired or it was never leased.');
  }
}
