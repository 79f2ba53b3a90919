/**
 * The headers of a dispatched attempt: the task's own, then the ones Cloud Tasks sets, which
 * win over any the task carries under the same name (case-insensitively).
 */
import type { TaskRecord } from './model.ts';
import { shortQueueId, shortTaskId } from './names.ts';

export function dispatchHeaders(task: TaskRecord, authorization: string | undefined): Record<string, string> {
  const service: Record<string, string> = {
    'X-CloudTasks-QueueName': shortQueueId(task.queue),
    'X-CloudTasks-TaskName': shortTaskId(task.name),
    // Attempts before this one, 5xx answers and timeouts included.
    'X-CloudTasks-TaskRetryCount': String(task.dispatchCount - 1),
    // Earlier attempts that got an answer other than 5xx.
    'X-CloudTasks-TaskExecutionCount': String(task.executionCount),
    'X-CloudTasks-TaskETA': (task.scheduleTimeMs / 1000).toFixed(6),
  };
  // Sent on retries whose previous attempt got an HTTP answer; the real service sends an
  // empty reason for HTTP targets.
  if (task.previousResponse !== undefined && task.dispatchCount > 1) {
    service['X-CloudTasks-TaskPreviousResponse'] = String(task.previousResponse);
    service['X-CloudTasks-TaskRetryReason'] = '';
  }
  if (authorization) service.Authorization = authorization;

  const taken = new Set(Object.keys(service).map((k) => k.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(task.http?.headers ?? {})) {
    if (!taken.has(key.toLowerCase())) out[key] = value;
  }
  return Object.assign(out, service);
}
