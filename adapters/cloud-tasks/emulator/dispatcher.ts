/**
 * The push dispatcher: sends due tasks of running push queues to their URLs within the
 * queue's rate limits, and applies the outcome (2xx: done; otherwise a retry by the queue's
 * RetryConfig, or the end of the task once its attempts and retry duration are used up).
 */
import type { EmulatorClock } from './clock.ts';
import { Code, codeName, codeOfHttpStatus } from './errors.ts';
import { dispatchHeaders } from './dispatch-headers.ts';
import type { DispatchLog, DispatchRecord } from './dispatch-log.ts';
import type { HttpSender, SendResult } from './http-sender.ts';
import type { AttemptRecord, QueueRecord, TaskRecord } from './model.ts';
import type { OidcSigner } from './oidc-signer.ts';
import type { QueueStore } from './queue-store.ts';
import { createTokenBucket, type TokenBucket } from './rate-limiter.ts';
import { backoffMs, retriesExhausted, retryAfterMs } from './retry-schedule.ts';
import type { TaskStore } from './task-store.ts';

/** Tasks live at most 31 days on the real service, dispatched or not. */
export const TASK_RETENTION_MS = 31 * 24 * 3_600_000;

export interface DispatcherOptions {
  readonly clock: EmulatorClock;
  readonly queues: QueueStore;
  readonly tasks: TaskStore;
  readonly signer: OidcSigner;
  readonly sender: HttpSender;
  readonly log: DispatchLog;
  /** False: nothing is dispatched by schedule (RunTask still dispatches). */
  readonly enabled: boolean;
  /** Stamp OIDC tokens with the emulator clock instead of real time. */
  readonly tokensOnEmulatorClock: boolean;
  /** Manual clock: longest real wait for in-flight attempts before time moves on. */
  readonly settleTimeoutMs: number;
}

export interface Dispatcher {
  /** Something changed (task added, queue resumed, ...): look again soon. */
  wake(): void;
  /** RunTask: dispatch now, whatever the queue's state and limits. */
  runNow(task: TaskRecord): void;
  /** Resolves when no attempt is in flight and no pass is pending (bounded by settleTimeoutMs). */
  settle(): Promise<void>;
  readonly inFlight: number;
  /** Attempts of one queue now in flight. */
  inFlightOf(queue: string): number;
  reset(): void;
  close(): Promise<void>;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { clock, queues, tasks, log } = options;
  const buckets = new Map<string, { bucket: TokenBucket; limits: QueueRecord['rateLimits'] }>();
  const running = new Map<string, number>();
  const aborts = new Set<AbortController>();
  let inFlight = 0;
  let timer: unknown;
  let passPending = false;
  let closed = false;
  let generation = 0;
  let changed: { promise: Promise<void>; resolve: () => void } = signal();

  function signal() {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }
  const notify = () => {
    const current = changed;
    changed = signal();
    current.resolve();
  };

  function wake(): void {
    if (closed || passPending) return;
    passPending = true;
    setImmediate(pass);
  }

  function bucketOf(queue: QueueRecord, now: number): TokenBucket {
    let entry = buckets.get(queue.name);
    if (!entry) buckets.set(queue.name, (entry = { bucket: createTokenBucket(queue.rateLimits, now), limits: queue.rateLimits }));
    if (entry.limits !== queue.rateLimits) {
      entry.bucket.configure(queue.rateLimits, now);
      entry.limits = queue.rateLimits;
    }
    return entry.bucket;
  }

  /** One look at every queue: dispatch what may go now, and arm a timer for what comes next. */
  function pass(): void {
    passPending = false;
    if (closed) return;
    const now = clock.now();
    let next = Infinity;
    const live = new Set<string>();
    for (const queue of queues.all()) {
      live.add(queue.name);
      const due: TaskRecord[] = [];
      for (const task of [...tasks.inQueue(queue.name)]) {
        const expires = task.createTimeMs + TASK_RETENTION_MS;
        if (expires <= now && task.inFlight === 0) {
          tasks.remove(task);
          continue;
        }
        next = Math.min(next, expires);
        if (queue.kind !== 'push' || task.inFlight > 0) continue;
        if (task.scheduleTimeMs <= now) due.push(task);
        else next = Math.min(next, task.scheduleTimeMs);
      }
      if (!options.enabled || queue.state !== 'RUNNING' || due.length === 0) continue;
      due.sort((a, b) => a.scheduleTimeMs - b.scheduleTimeMs || (a.name < b.name ? -1 : 1));
      const bucket = bucketOf(queue, now);
      for (const task of due) {
        // Full: the next completion wakes the dispatcher.
        if ((running.get(queue.name) ?? 0) >= queue.rateLimits.maxConcurrentDispatches) break;
        if (!bucket.tryTake(now)) {
          next = Math.min(next, now + bucket.waitMs(now));
          break;
        }
        start(queue, task, false);
      }
    }
    for (const name of buckets.keys()) if (!live.has(name)) buckets.delete(name);
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = next === Infinity ? undefined : clock.setTimeout(wake, Math.max(0, next - now));
    notify();
  }

  function start(queue: QueueRecord, task: TaskRecord, forced: boolean): void {
    const http = task.http;
    if (!http) return;
    const now = clock.now();
    task.dispatchCount += 1;
    task.inFlight += 1;
    running.set(queue.name, (running.get(queue.name) ?? 0) + 1);
    inFlight += 1;
    const attempt: AttemptRecord = { scheduleTimeMs: task.scheduleTimeMs, dispatchTimeMs: now };
    task.firstAttempt ??= { scheduleTimeMs: task.scheduleTimeMs, dispatchTimeMs: now };
    task.lastAttempt = attempt;
    const version = task.version;
    const myGeneration = generation;
    void attemptOnce(queue, task, attempt, forced, myGeneration).then((outcome) => {
      // Reset or closed meanwhile: the result belongs to a state that is gone.
      if (myGeneration !== generation || outcome === undefined) return;
      finish(queue, task, attempt, outcome, forced, version);
    });
  }

  async function attemptOnce(queue: QueueRecord, task: TaskRecord, attempt: AttemptRecord, forced: boolean, myGeneration: number) {
    const http = task.http!;
    // The counts as they are at dispatch, before any await lets another attempt change them.
    const snapshot: TaskRecord = { ...task };
    let authorization: string | undefined;
    let signError: string | undefined;
    if (http.oidcToken) {
      try {
        const token = await options.signer.sign({
          serviceAccountEmail: http.oidcToken.serviceAccountEmail,
          audience: http.oidcToken.audience ?? http.url,
          ...(options.tokensOnEmulatorClock ? { issuedAtMs: clock.now() } : {}),
        });
        authorization = `Bearer ${token}`;
      } catch (error) {
        // No token, no request: the attempt fails without an answer, and is retried.
        signError = `OIDC token signing failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    if (myGeneration !== generation) return undefined;
    const headers = dispatchHeaders(snapshot, authorization);
    const record: DispatchRecord = {
      task: task.name,
      queue: queue.name,
      url: http.url,
      method: http.method,
      headers,
      body: http.body.toString('utf8'),
      status: undefined,
      startedAt: attempt.dispatchTimeMs,
      durationMs: 0,
      retryCount: snapshot.dispatchCount - 1,
      forced,
      done: false,
    };
    log.add(record);
    const abort = new AbortController();
    aborts.add(abort);
    const deadline = clock.setTimeout(() => abort.abort(), task.dispatchDeadlineMs);
    const t0 = performance.now();
    let result: SendResult;
    try {
      result = signError
        ? { status: undefined, retryAfter: undefined, error: signError }
        : await options.sender.send({ url: http.url, method: http.method, headers, body: http.body, signal: abort.signal });
    } finally {
      clock.clearTimeout(deadline);
      aborts.delete(abort);
    }
    if (abort.signal.aborted && result.status === undefined) {
      result = { ...result, error: `dispatch deadline exceeded (${task.dispatchDeadlineMs / 1000}s)` };
    }
    record.durationMs = performance.now() - t0;
    return { result, record, timedOut: abort.signal.aborted && result.status === undefined };
  }

  function finish(
    queue: QueueRecord,
    task: TaskRecord,
    attempt: AttemptRecord,
    outcome: { result: SendResult; record: DispatchRecord; timedOut: boolean },
    forced: boolean,
    version: number,
  ): void {
    const { result, record, timedOut } = outcome;
    const now = clock.now();
    inFlight -= 1;
    task.inFlight -= 1;
    running.set(queue.name, Math.max(0, (running.get(queue.name) ?? 1) - 1));
    record.status = result.status;
    if (result.error !== undefined) record.error = result.error;
    record.done = true;

    attempt.responseTimeMs = now;
    if (result.status !== undefined) {
      task.responseCount += 1;
      if (result.status < 500 || result.status > 599) task.executionCount += 1;
      const code = codeOfHttpStatus(result.status);
      attempt.responseStatus = { code, message: `${codeName[code]}(${code}): HTTP status code ${result.status}` };
    } else {
      const code = timedOut ? Code.DEADLINE_EXCEEDED : Code.UNAVAILABLE;
      attempt.responseStatus = { code, message: `${codeName[code]}(${code}): ${result.error ?? 'no response'}` };
    }
    task.previousResponse = result.status;
    log.finished(record);

    const live = tasks.find(task.name) === task;
    if (live && result.status !== undefined && result.status >= 200 && result.status < 300) {
      tasks.remove(task);
    } else if (live) {
      const first = task.firstAttempt?.dispatchTimeMs ?? attempt.dispatchTimeMs;
      if (retriesExhausted(queue.retry, task.dispatchCount, first, now)) {
        tasks.remove(task);
      } else if (task.version === version) {
        let delay = backoffMs(queue.retry, task.dispatchCount);
        if (result.status === 429 || result.status === 503) {
          delay = Math.max(delay, retryAfterMs(result.retryAfter, now) ?? 0);
        }
        // RunTask: "reset to the time RunTask was called plus the retry delay".
        task.scheduleTimeMs = (forced ? attempt.dispatchTimeMs : now) + delay;
        task.version += 1;
      }
    }
    wake();
    notify();
  }

  return {
    wake,
    runNow(task) {
      const queue = queues.all();
      for (const q of queue) {
        if (q.name === task.queue) return start(q, task, true);
      }
    },
    async settle() {
      const until = Date.now() + options.settleTimeoutMs;
      while ((inFlight > 0 || passPending) && Date.now() < until) {
        let sleep: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([changed.promise, new Promise<void>((r) => (sleep = setTimeout(r, until - Date.now())))]);
        clearTimeout(sleep);
      }
    },
    get inFlight() {
      return inFlight;
    },
    inFlightOf: (queue) => running.get(queue) ?? 0,
    reset() {
      // Attempts in flight finish unseen: their results belong to a state that is gone.
      generation += 1;
      for (const abort of aborts) abort.abort();
      aborts.clear();
      inFlight = 0;
      running.clear();
      buckets.clear();
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      notify();
    },
    async close() {
      closed = true;
      generation += 1;
      for (const abort of aborts) abort.abort();
      if (timer !== undefined) clock.clearTimeout(timer);
      notify();
    },
  };
}
