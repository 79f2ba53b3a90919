/**
 * v2beta2 messages <-> the emulator's records. A queue with a pull_target is a pull queue;
 * any other is a push queue (HTTP tasks). v2beta2 names its rate fields differently
 * (max_tasks_dispatched_per_second, max_concurrent_tasks) and has unlimited_attempts.
 */
import { invalid } from './errors.ts';
import type { QueueRecord, TaskRecord, TaskView } from './model.ts';
import type { QueueInput, QueueUpdateFields } from './queue-store.ts';
import type { QueueStats } from './service.ts';
import type { TaskInput } from './task-input.ts';
import { httpTargetInput } from './convert-v2.ts';
import { durationMs, maskPaths, setNumber, timestampMs, toDuration, toTimestamp, unknownMaskPath, type ProtoDuration, type ProtoTimestamp } from './proto-values.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- proto-loader objects are plain JSON-like values */
type Msg = Record<string, any>;

const TASK_TTL_MS = 31 * 24 * 3_600_000;
const TOMBSTONE_TTL_MS = 3_600_000;

export function queueInputV2beta2(queue: Msg | undefined): QueueInput {
  const rate = queue?.rateLimits as Msg | undefined;
  const retry = queue?.retryConfig as Msg | undefined;
  const pull = queue?.targetType === 'pullTarget' || queue?.pullTarget != null;
  let maxAttempts = setNumber(retry?.maxAttempts);
  if (maxAttempts !== undefined && maxAttempts <= 0) throw invalid('RetryConfig.maxAttempts must be greater than 0.');
  if (retry?.unlimitedAttempts === true) maxAttempts = -1;
  return {
    name: queue?.name || undefined,
    kind: pull ? 'pull' : 'push',
    // Output only on pull queues: the emulator keeps its defaults there.
    rateLimits: pull
      ? {}
      : {
          maxDispatchesPerSecond: setNumber(rate?.maxTasksDispatchedPerSecond),
          maxBurstSize: setNumber(rate?.maxBurstSize),
          maxConcurrentDispatches: setNumber(rate?.maxConcurrentTasks),
        },
    retry: pull
      ? { maxAttempts }
      : {
          maxAttempts,
          maxRetryDurationMs: durationMs(retry?.maxRetryDuration as ProtoDuration | undefined),
          minBackoffMs: durationMs(retry?.minBackoff as ProtoDuration | undefined),
          maxBackoffMs: durationMs(retry?.maxBackoff as ProtoDuration | undefined),
          maxDoublings: setNumber(retry?.maxDoublings),
        },
  };
}

const RATE_FIELDS: Record<string, string> = {
  max_tasks_dispatched_per_second: 'maxDispatchesPerSecond',
  max_burst_size: 'maxBurstSize',
  max_concurrent_tasks: 'maxConcurrentDispatches',
};
const RETRY_FIELDS: Record<string, string> = {
  max_attempts: 'maxAttempts',
  unlimited_attempts: 'maxAttempts',
  max_retry_duration: 'maxRetryDurationMs',
  min_backoff: 'minBackoffMs',
  max_backoff: 'maxBackoffMs',
  max_doublings: 'maxDoublings',
};
const IGNORED = new Set(['name', 'state', 'purge_time', 'stats', 'task_ttl', 'tombstone_ttl', 'pull_target', 'app_engine_http_target', 'http_target']);

export function updateFieldsV2beta2(mask: Msg | undefined): QueueUpdateFields {
  const paths = maskPaths(mask);
  if (paths.length === 0) return { rateLimits: 'all', retry: 'all', stackdriverSamplingRatio: false };
  const rate = new Set<string>();
  const retry = new Set<string>();
  for (const path of paths) {
    if (IGNORED.has(path) || /^(app_engine_http_target|http_target)\./.test(path)) continue;
    if (path === 'rate_limits') Object.values(RATE_FIELDS).forEach((f) => rate.add(f));
    else if (path === 'retry_config') Object.values(RETRY_FIELDS).forEach((f) => retry.add(f));
    else if (path.startsWith('rate_limits.') && RATE_FIELDS[path.slice(12)]) rate.add(RATE_FIELDS[path.slice(12)]!);
    else if (path.startsWith('retry_config.') && RETRY_FIELDS[path.slice(13)]) retry.add(RETRY_FIELDS[path.slice(13)]!);
    else unknownMaskPath(path);
  }
  return { rateLimits: rate, retry, stackdriverSamplingRatio: false };
}

export function queueOutputV2beta2(queue: QueueRecord, stats?: QueueStats): Msg {
  const pull = queue.kind === 'pull';
  const retry: Msg = {
    maxRetryDuration: toDuration(queue.retry.maxRetryDurationMs),
    minBackoff: toDuration(queue.retry.minBackoffMs),
    maxBackoff: toDuration(queue.retry.maxBackoffMs),
    maxDoublings: queue.retry.maxDoublings,
  };
  if (queue.retry.maxAttempts === -1) retry.unlimitedAttempts = true;
  else retry.maxAttempts = queue.retry.maxAttempts;
  const out: Msg = {
    name: queue.name,
    rateLimits: {
      maxTasksDispatchedPerSecond: queue.rateLimits.maxDispatchesPerSecond,
      maxBurstSize: queue.rateLimits.maxBurstSize,
      // "always -1 for pull queues, which indicates no limit"
      maxConcurrentTasks: pull ? -1 : queue.rateLimits.maxConcurrentDispatches,
    },
    retryConfig: retry,
    state: queue.state,
    taskTtl: toDuration(TASK_TTL_MS),
    tombstoneTtl: toDuration(TOMBSTONE_TTL_MS),
  };
  if (pull) out.pullTarget = {};
  else out.httpTarget = {};
  if (queue.purgeTimeMs !== undefined) out.purgeTime = toTimestamp(queue.purgeTimeMs);
  if (stats) {
    out.stats = {
      tasksCount: stats.tasksCount,
      executedLastMinuteCount: stats.executedLastMinuteCount,
      concurrentDispatchesCount: stats.concurrentDispatchesCount,
      effectiveExecutionRate: stats.effectiveExecutionRate,
    };
    if (stats.oldestEstimatedArrivalTimeMs !== undefined) out.stats.oldestEstimatedArrivalTime = toTimestamp(stats.oldestEstimatedArrivalTimeMs);
  }
  return out;
}

/** Whether a read mask asks for Queue.stats (returned only when asked, as on the real service). */
export function wantsStats(mask: Msg | undefined): boolean {
  return maskPaths(mask).some((p) => p === 'stats' || p.startsWith('stats.'));
}

export function taskInputV2beta2(task: Msg | undefined): TaskInput {
  const pull = task?.pullMessage as Msg | undefined;
  return {
    name: task?.name || undefined,
    http: httpTargetInput(task?.httpRequest as Msg | undefined),
    pull: pull ? { payload: pull.payload ? Buffer.from(pull.payload) : undefined, tag: pull.tag ?? '' } : undefined,
    appEngine: task?.appEngineHttpRequest != null,
    scheduleTimeMs: timestampMs(task?.scheduleTime as ProtoTimestamp | undefined),
  };
}

export function taskOutputV2beta2(task: TaskRecord, view: TaskView): Msg {
  const status: Msg = { attemptDispatchCount: task.dispatchCount, attemptResponseCount: task.responseCount };
  if (task.http) {
    if (task.firstAttempt) status.firstAttemptStatus = { dispatchTime: toTimestamp(task.firstAttempt.dispatchTimeMs) };
    if (task.lastAttempt) {
      const a = task.lastAttempt;
      const last: Msg = { scheduleTime: toTimestamp(a.scheduleTimeMs), dispatchTime: toTimestamp(a.dispatchTimeMs) };
      if (a.responseTimeMs !== undefined) last.responseTime = toTimestamp(a.responseTimeMs);
      if (a.responseStatus) last.responseStatus = { code: a.responseStatus.code, message: a.responseStatus.message };
      status.lastAttemptStatus = last;
    }
  }
  const out: Msg = {
    name: task.name,
    scheduleTime: toTimestamp(task.scheduleTimeMs),
    createTime: toTimestamp(Math.floor(task.createTimeMs / 1000) * 1000),
    status,
    view,
  };
  if (task.pull) {
    const message: Msg = { tag: task.pull.tag };
    if (view === 'FULL') message.payload = task.pull.payload;
    out.pullMessage = message;
  }
  if (task.http) {
    const http: Msg = { url: task.http.url, httpMethod: task.http.method, headers: { ...task.http.headers } };
    if (view === 'FULL' && task.http.body.length > 0) http.body = task.http.body;
    if (task.http.oidcToken) {
      http.oidcToken = { serviceAccountEmail: task.http.oidcToken.serviceAccountEmail, audience: task.http.oidcToken.audience ?? '' };
    }
    out.httpRequest = http;
  }
  return out;
}
