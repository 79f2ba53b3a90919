/**
 * The emulator's own records, shared by the v2 and v2beta2 surfaces (one state, two views).
 * Times are epoch ms and durations ms on the emulator clock.
 */

export type QueueState = 'RUNNING' | 'PAUSED' | 'DISABLED';
export type QueueKind = 'push' | 'pull';
export type HttpMethod = 'POST' | 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';

export interface RateLimitPolicy {
  readonly maxDispatchesPerSecond: number;
  readonly maxBurstSize: number;
  readonly maxConcurrentDispatches: number;
}

export interface RetryPolicy {
  /** -1: unlimited. */
  readonly maxAttempts: number;
  /** 0: unlimited. */
  readonly maxRetryDurationMs: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxDoublings: number;
}

export interface QueueRecord {
  readonly name: string;
  readonly kind: QueueKind;
  state: QueueState;
  rateLimits: RateLimitPolicy;
  retry: RetryPolicy;
  purgeTimeMs: number | undefined;
  /** Kept as given and echoed back; not used for dispatch. */
  stackdriverSamplingRatio: number | undefined;
  readonly createTimeMs: number;
}

export interface OidcTokenSpec {
  readonly serviceAccountEmail: string;
  readonly audience: string | undefined;
}

export interface HttpTargetSpec {
  readonly url: string;
  readonly method: HttpMethod;
  /** As stored (the service adds `User-Agent: Google-Cloud-Tasks`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly oidcToken: OidcTokenSpec | undefined;
  readonly oauthToken: { readonly serviceAccountEmail: string; readonly scope: string | undefined } | undefined;
}

export interface PullMessageSpec {
  readonly payload: Buffer;
  readonly tag: string;
}

export interface AttemptRecord {
  readonly scheduleTimeMs: number;
  readonly dispatchTimeMs: number;
  responseTimeMs?: number;
  responseStatus?: { readonly code: number; readonly message: string };
}

export interface TaskRecord {
  readonly name: string;
  readonly queue: string;
  readonly http: HttpTargetSpec | undefined;
  readonly pull: PullMessageSpec | undefined;
  scheduleTimeMs: number;
  readonly createTimeMs: number;
  readonly dispatchDeadlineMs: number;
  /** Attempts dispatched (pull tasks: leases handed out). */
  dispatchCount: number;
  /** Attempts that got an HTTP answer. */
  responseCount: number;
  /** Attempts that got an HTTP answer other than 5xx (X-CloudTasks-TaskExecutionCount). */
  executionCount: number;
  firstAttempt: AttemptRecord | undefined;
  lastAttempt: AttemptRecord | undefined;
  /** HTTP status of the previous attempt, when it got one (X-CloudTasks-TaskPreviousResponse). */
  previousResponse: number | undefined;
  /** Dispatches of this task now in flight. */
  inFlight: number;
  /** Bumped by every change of schedule; a dispatch result for an older version is stale. */
  version: number;
}

export type TaskView = 'BASIC' | 'FULL';
