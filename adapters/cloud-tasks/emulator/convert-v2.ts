/** v2 messages <-> the emulator's records. */
import type { HttpMethod, QueueRecord, TaskRecord, TaskView } from './model.ts';
import type { QueueInput, QueueUpdateFields } from './queue-store.ts';
import type { TaskInput } from './task-input.ts';
import { durationMs, maskPaths, setNumber, timestampMs, toDuration, toTimestamp, unknownMaskPath, type ProtoDuration, type ProtoTimestamp } from './proto-values.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- proto-loader objects are plain JSON-like values */
type Msg = Record<string, any>;

export function queueInputV2(queue: Msg | undefined): QueueInput {
  const rate = queue?.rateLimits as Msg | undefined;
  const retry = queue?.retryConfig as Msg | undefined;
  return {
    name: queue?.name || undefined,
    kind: 'push',
    rateLimits: {
      maxDispatchesPerSecond: setNumber(rate?.maxDispatchesPerSecond),
      maxConcurrentDispatches: setNumber(rate?.maxConcurrentDispatches),
      // Output only in v2: whatever the caller sends is ignored.
      maxBurstSize: undefined,
    },
    retry: {
      maxAttempts: setNumber(retry?.maxAttempts),
      maxRetryDurationMs: durationMs(retry?.maxRetryDuration as ProtoDuration | undefined),
      minBackoffMs: durationMs(retry?.minBackoff as ProtoDuration | undefined),
      maxBackoffMs: durationMs(retry?.maxBackoff as ProtoDuration | undefined),
      maxDoublings: setNumber(retry?.maxDoublings),
    },
    stackdriverSamplingRatio: queue?.stackdriverLoggingConfig ? Number(queue.stackdriverLoggingConfig.samplingRatio ?? 0) : undefined,
  };
}

const RATE_FIELDS: Record<string, string> = {
  max_dispatches_per_second: 'maxDispatchesPerSecond',
  max_concurrent_dispatches: 'maxConcurrentDispatches',
};
const RETRY_FIELDS: Record<string, string> = {
  max_attempts: 'maxAttempts',
  max_retry_duration: 'maxRetryDurationMs',
  min_backoff: 'minBackoffMs',
  max_backoff: 'maxBackoffMs',
  max_doublings: 'maxDoublings',
};
// Output-only or fixed fields: named in a mask, they change nothing.
const IGNORED_V2 = new Set(['name', 'state', 'purge_time', 'rate_limits.max_burst_size', 'app_engine_routing_override']);

export function updateFieldsV2(mask: Msg | undefined): QueueUpdateFields {
  const paths = maskPaths(mask);
  if (paths.length === 0) return { rateLimits: 'all', retry: 'all', stackdriverSamplingRatio: true };
  const rate = new Set<string>();
  const retry = new Set<string>();
  let sampling = false;
  for (const path of paths) {
    if (IGNORED_V2.has(path) || path.startsWith('app_engine_routing_override.')) continue;
    if (path === 'rate_limits') Object.values(RATE_FIELDS).forEach((f) => rate.add(f));
    else if (path === 'retry_config') Object.values(RETRY_FIELDS).forEach((f) => retry.add(f));
    else if (path === 'stackdriver_logging_config' || path === 'stackdriver_logging_config.sampling_ratio') sampling = true;
    else if (path.startsWith('rate_limits.') && RATE_FIELDS[path.slice(12)]) rate.add(RATE_FIELDS[path.slice(12)]!);
    else if (path.startsWith('retry_config.') && RETRY_FIELDS[path.slice(13)]) retry.add(RETRY_FIELDS[path.slice(13)]!);
    else unknownMaskPath(path);
  }
  return { rateLimits: rate, retry, stackdriverSamplingRatio: sampling };
}

export function queueOutputV2(queue: QueueRecord): Msg {
  const out: Msg = {
    name: queue.name,
    rateLimits: {
      maxDispatchesPerSecond: queue.rateLimits.maxDispatchesPerSecond,
      maxBurstSize: queue.rateLimits.maxBurstSize,
      maxConcurrentDispatches: queue.rateLimits.maxConcurrentDispatches,
    },
    retryConfig: {
      maxAttempts: queue.retry.maxAttempts,
      maxRetryDuration: toDuration(queue.retry.maxRetryDurationMs),
      minBackoff: toDuration(queue.retry.minBackoffMs),
      maxBackoff: toDuration(queue.retry.maxBackoffMs),
      maxDoublings: queue.retry.maxDoublings,
    },
    state: queue.state,
  };
  if (queue.purgeTimeMs !== undefined) out.purgeTime = toTimestamp(queue.purgeTimeMs);
  if (queue.stackdriverSamplingRatio !== undefined) out.stackdriverLoggingConfig = { samplingRatio: queue.stackdriverSamplingRatio };
  return out;
}

export function taskInputV2(task: Msg | undefined): TaskInput {
  return {
    name: task?.name || undefined,
    http: httpTargetInput(task?.httpRequest as Msg | undefined),
    appEngine: task?.appEngineHttpRequest != null,
    scheduleTimeMs: timestampMs(task?.scheduleTime as ProtoTimestamp | undefined),
    dispatchDeadlineMs: durationMs(task?.dispatchDeadline as ProtoDuration | undefined),
  };
}

/** An HttpRequest message (the same in v2 and v2beta2) as the store takes it. */
export function httpTargetInput(http: Msg | undefined): TaskInput['http'] {
  if (!http) return undefined;
  return {
    url: http.url,
    method: methodOf(http.httpMethod),
    headers: http.headers ?? {},
    body: http.body ? Buffer.from(http.body) : undefined,
    oidcToken: http.oidcToken ?? undefined,
    oauthToken: http.oauthToken ?? undefined,
  };
}

export function methodOf(value: unknown): HttpMethod | undefined {
  if (value === undefined || value === null || value === 'HTTP_METHOD_UNSPECIFIED' || value === 0) return undefined;
  const names: HttpMethod[] = ['POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
  if (typeof value === 'number') return names[value - 1];
  return names.includes(value as HttpMethod) ? (value as HttpMethod) : undefined;
}

export function viewOf(value: unknown): TaskView {
  return value === 'FULL' || value === 2 ? 'FULL' : 'BASIC';
}

export function taskOutputV2(task: TaskRecord, view: TaskView): Msg {
  const out: Msg = {
    name: task.name,
    scheduleTime: toTimestamp(task.scheduleTimeMs),
    // "create_time will be truncated to the nearest second."
    createTime: toTimestamp(Math.floor(task.createTimeMs / 1000) * 1000),
    dispatchCount: task.dispatchCount,
    responseCount: task.responseCount,
    view,
  };
  if (task.http) {
    const http: Msg = { url: task.http.url, httpMethod: task.http.method, headers: { ...task.http.headers } };
    if (view === 'FULL' && task.http.body.length > 0) http.body = task.http.body;
    if (task.http.oidcToken) {
      http.oidcToken = { serviceAccountEmail: task.http.oidcToken.serviceAccountEmail, audience: task.http.oidcToken.audience ?? '' };
    }
    if (task.http.oauthToken) {
      http.oauthToken = { serviceAccountEmail: task.http.oauthToken.serviceAccountEmail, scope: task.http.oauthToken.scope ?? '' };
    }
    out.httpRequest = http;
    out.dispatchDeadline = toDuration(task.dispatchDeadlineMs);
  }
  if (task.firstAttempt) out.firstAttempt = { dispatchTime: toTimestamp(task.firstAttempt.dispatchTimeMs) };
  if (task.lastAttempt) {
    const a = task.lastAttempt;
    const last: Msg = { scheduleTime: toTimestamp(a.scheduleTimeMs), dispatchTime: toTimestamp(a.dispatchTimeMs) };
    if (a.responseTimeMs !== undefined) last.responseTime = toTimestamp(a.responseTimeMs);
    if (a.responseStatus) last.responseStatus = { code: a.responseStatus.code, message: a.responseStatus.message };
    out.lastAttempt = last;
  }
  return out;
}
