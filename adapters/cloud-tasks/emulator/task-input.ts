/**
 * CreateTask's checks and defaults: the name (optional; dedupe), the target (HTTP request or
 * pull message, matching the queue), schedule time (at most 30 days ahead), dispatch deadline
 * (15 s to 30 min, default 10 min) and the 1 MB task size limit.
 */
import { invalid, unimplemented } from './errors.ts';
import type { HttpMethod, HttpTargetSpec, OidcTokenSpec, PullMessageSpec, QueueRecord, TaskRecord } from './model.ts';
import { generateTaskId, parseTaskName } from './names.ts';

export const MAX_TASK_BYTES = 1024 * 1024;
export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 3_600_000;
export const DEFAULT_DISPATCH_DEADLINE_MS = 10 * 60_000;
const MIN_DISPATCH_DEADLINE_MS = 15_000;
const MAX_DISPATCH_DEADLINE_MS = 30 * 60_000;
const MAX_URL_LENGTH = 2083;
const MAX_HEADERS_BYTES = 80 * 1024;
const BODY_METHODS = new Set<HttpMethod>(['POST', 'PUT', 'PATCH']);

export interface TaskInput {
  readonly name?: string | undefined;
  readonly http?: {
    readonly url?: string | undefined;
    readonly method?: HttpMethod | undefined;
    readonly headers?: Readonly<Record<string, string>> | undefined;
    readonly body?: Buffer | undefined;
    readonly oidcToken?: { serviceAccountEmail?: string | undefined; audience?: string | undefined } | undefined;
    readonly oauthToken?: { serviceAccountEmail?: string | undefined; scope?: string | undefined } | undefined;
  } | undefined;
  readonly pull?: { readonly payload?: Buffer | undefined; readonly tag?: string | undefined } | undefined;
  /** Set when the caller sent an App Engine request, which the emulator does not dispatch. */
  readonly appEngine?: boolean | undefined;
  readonly scheduleTimeMs?: number | undefined;
  readonly dispatchDeadlineMs?: number | undefined;
}

export function buildTask(queue: QueueRecord, input: TaskInput, now: number): TaskRecord {
  const name = taskName(queue, input.name);
  if (input.appEngine) {
    throw unimplemented('[cloud-tasks-emulator] App Engine tasks are not supported: use an HTTP target (http_request).');
  }
  let http: HttpTargetSpec | undefined;
  let pull: PullMessageSpec | undefined;
  if (input.http) {
    if (queue.kind === 'pull') throw invalid('Task.http_request cannot be set on a task of a pull queue; use pull_message.');
    http = httpTarget(input.http);
  } else if (input.pull) {
    if (queue.kind !== 'pull') throw invalid('Task.pull_message can be set only on a task of a pull queue.');
    pull = pullMessage(input.pull);
  } else {
    throw invalid(queue.kind === 'pull' ? 'Task.pull_message is required for a task of a pull queue.' : 'Task.http_request is required.');
  }

  let scheduleTimeMs = input.scheduleTimeMs ?? now;
  if (scheduleTimeMs < now) scheduleTimeMs = now;
  if (scheduleTimeMs > now + MAX_SCHEDULE_AHEAD_MS) {
    throw invalid(
      `The Task.scheduleTime, ${new Date(scheduleTimeMs).toISOString()}, is too far in the future. Schedule time must be no more than 720h in the future.`,
    );
  }

  let dispatchDeadlineMs = input.dispatchDeadlineMs ?? DEFAULT_DISPATCH_DEADLINE_MS;
  if (http && input.dispatchDeadlineMs !== undefined) {
    if (dispatchDeadlineMs < MIN_DISPATCH_DEADLINE_MS || dispatchDeadlineMs > MAX_DISPATCH_DEADLINE_MS) {
      throw invalid(`Task.dispatchDeadline must be in the interval [15s, 30m], got ${dispatchDeadlineMs / 1000}s.`);
    }
  }
  if (!http) dispatchDeadlineMs = 0;

  const task: TaskRecord = {
    name,
    queue: queue.name,
    http,
    pull,
    scheduleTimeMs,
    createTimeMs: now,
    dispatchDeadlineMs,
    dispatchCount: 0,
    responseCount: 0,
    executionCount: 0,
    firstAttempt: undefined,
    lastAttempt: undefined,
    previousResponse: undefined,
    inFlight: 0,
    version: 0,
  };
  const size = taskSize(task);
  if (size > MAX_TASK_BYTES) throw invalid('Task size too large');
  return task;
}

function taskName(queue: QueueRecord, given: string | undefined): string {
  if (!given) return `${queue.name}/tasks/${generateTaskId()}`;
  const parts = parseTaskName(given);
  if (parts.queue !== queue.name) {
    throw invalid(
      `The queue name from request ('${queue.name}') must be the same as the queue name in the named task ('${parts.queue}').`,
    );
  }
  return given;
}

function httpTarget(input: NonNullable<TaskInput['http']>): HttpTargetSpec {
  const url = input.url ?? '';
  if (!url) throw invalid('HttpRequest.url is required.');
  if (!/^https?:\/\//i.test(url)) throw invalid("HttpTarget.url must start with 'http://' or 'https://'.");
  if (url.length > MAX_URL_LENGTH) throw invalid(`HttpRequest.url must be at most ${MAX_URL_LENGTH} characters, got ${url.length}.`);
  const method = input.method ?? 'POST';
  const body = input.body ?? Buffer.alloc(0);
  if (body.length > 0 && !BODY_METHODS.has(method)) {
    throw invalid(`HttpRequest.body is allowed only for POST, PUT or PATCH, not for ${method}.`);
  }
  if (input.oidcToken && input.oauthToken) throw invalid('HttpRequest can have either an oidc_token or an oauth_token, not both.');
  let oidcToken: OidcTokenSpec | undefined;
  if (input.oidcToken) {
    const email = input.oidcToken.serviceAccountEmail ?? '';
    if (!email) throw invalid('OidcToken.service_account_email is required.');
    oidcToken = { serviceAccountEmail: email, audience: input.oidcToken.audience || undefined };
  }
  let oauthToken: HttpTargetSpec['oauthToken'];
  if (input.oauthToken) {
    const email = input.oauthToken.serviceAccountEmail ?? '';
    if (!email) throw invalid('OAuthToken.service_account_email is required.');
    oauthToken = { serviceAccountEmail: email, scope: input.oauthToken.scope || undefined };
  }
  return { url, method, headers: storedHeaders(input.headers ?? {}), body, oidcToken, oauthToken };
}

/**
 * The headers the service keeps: Host and Content-Length are its own to compute, X-Google-*,
 * X-AppEngine-* and X-CloudTasks-* are reserved, and User-Agent becomes `Google-Cloud-Tasks`.
 */
function storedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [key, value] of Object.entries(headers)) {
    const lower = key.toLowerCase();
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key)) throw invalid(`HttpRequest.headers has an invalid header name "${key}".`);
    if (/[\r\n\0]/.test(value)) throw invalid(`HttpRequest.headers["${key}"] has an invalid value.`);
    bytes += key.length + value.length;
    if (lower === 'host' || lower === 'content-length' || lower === 'user-agent') continue;
    if (lower.startsWith('x-google-') || lower.startsWith('x-appengine-') || lower.startsWith('x-cloudtasks-')) continue;
    out[key] = value;
  }
  if (bytes >= MAX_HEADERS_BYTES) throw invalid('HttpRequest.headers must be less than 80KB in total.');
  out['User-Agent'] = 'Google-Cloud-Tasks';
  return out;
}

function pullMessage(input: NonNullable<TaskInput['pull']>): PullMessageSpec {
  const tag = input.tag ?? '';
  if (tag.length >= 500) throw invalid('PullMessage.tag must be less than 500 characters.');
  return { payload: input.payload ?? Buffer.alloc(0), tag };
}

/**
 * The size counted against the 1 MB limit: what the stored task holds (name, URL, headers,
 * body or payload and tag, service accounts), plus a small fixed overhead for the rest.
 */
export function taskSize(task: TaskRecord): number {
  let size = 32 + task.name.length;
  if (task.http) {
    size += task.http.url.length + task.http.body.length;
    for (const [k, v] of Object.entries(task.http.headers)) size += k.length + v.length + 4;
    size += (task.http.oidcToken?.serviceAccountEmail.length ?? 0) + (task.http.oidcToken?.audience?.length ?? 0);
    size += (task.http.oauthToken?.serviceAccountEmail.length ?? 0) + (task.http.oauthToken?.scope?.length ?? 0);
  }
  if (task.pull) size += task.pull.payload.length + task.pull.tag.length;
  return size;
}
