/**
 * Options of the Cloud Tasks service, checked once, at construction: every wrong option is
 * named in one ConfigError. Names are checked against Cloud Tasks' own rules here, so a typo
 * fails at start and not at the first enqueue.
 */
import { ConfigError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';

/** A client the caller built (v2 for push queues, v2beta2 for pull queues). Typed loosely: the SDK is an optional peer. */
export type TasksClientLike = object;

export interface CloudTasksServiceOptions {
  project: string;
  /** Region, e.g. `europe-west1`. */
  location: string;
  /** The queue id (the last part of its name). */
  queueId: string;
  /**
   * The paused queue that keeps buried jobs (Cloud Tasks has no dead-letter queue of its own).
   * Without it, bury fails and the job is delivered again.
   */
  deadLetterQueueId?: string;
  /**
   * `push` (default): tasks are HTTP requests to `handlerUrl` (v2 API). `pull`: tasks are pull
   * messages that workers lease through the v2beta2 API (a beta API; see the README).
   */
  mode?: 'push' | 'pull';
  /** The push handler's URL (push mode). */
  handlerUrl?: string;
  /** Service account whose OIDC token the tasks carry (push mode). The enqueuer needs actAs on it. */
  serviceAccountEmail?: string;
  /** The token's audience. Default: handlerUrl. */
  audience?: string;
  /** Extra headers of every task (push mode). */
  headers?: Readonly<Record<string, string>>;
  /** Dispatch deadline of push tasks, 15..1800 s. Default: the queue's (10 min). */
  dispatchDeadlineSeconds?: number;
  /** `host:port` of an emulator or a private endpoint. Default: cloudtasks.googleapis.com:443. */
  endpoint?: string;
  /** Plain-text channels (a local emulator only). */
  insecure?: boolean;
  /** `rest`: HTTP/1.1 + JSON instead of gRPC, the known cure for sporadic DEADLINE_EXCEEDED on createTask. */
  fallback?: 'rest' | false;
  /**
   * The google-auth-library client the SDK authenticates with. jobferry never lets the SDK
   * look for credentials itself. Default: `credentials` decides.
   */
  authClient?: unknown;
  /**
   * Without authClient: `application-default` builds a GoogleAuth for the cloud-platform scope
   * (on Cloud Run it asks the metadata server, which is its job); `none` sends no credentials
   * (emulators). Default: `none` when insecure, else `application-default`.
   */
  credentials?: 'application-default' | 'none';
  /** A ready client for push mode (`new v2.CloudTasksClient(...)`): the SDK's own import is then skipped. */
  client?: TasksClientLike;
  /** A ready v2beta2 client for pull mode. */
  pullClient?: TasksClientLike;
  /** gax call options for every call (`{ timeout, retry }`). */
  callOptions?: Readonly<Record<string, unknown>>;
  /** Pull mode: interval between LeaseTasks calls while a reserve waits (LeaseTasks does not long-poll). Default 1000. */
  pollIntervalMs?: number;
  /** stats() and listBuried() read at most this many tasks per queue. Default 10000. */
  maxListedTasks?: number;
  logger?: Logger;
  now?: () => number;
}

export interface CloudTasksSettings {
  readonly mode: 'push' | 'pull';
  readonly project: string;
  readonly location: string;
  readonly queueId: string;
  /** `projects/p/locations/l/queues/q` */
  readonly queuePath: string;
  readonly deadLetterPath: string | undefined;
  readonly handlerUrl: string | undefined;
  readonly serviceAccountEmail: string | undefined;
  readonly audience: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly dispatchDeadlineSeconds: number | undefined;
  readonly endpoint: { host: string; port: number } | undefined;
  readonly insecure: boolean;
  readonly fallback: boolean;
  readonly credentials: 'application-default' | 'none';
  readonly pollIntervalMs: number;
  readonly maxListedTasks: number;
}

const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[a-z0-9.-]+:[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const LOCATION = /^[a-z]+(-[a-z]+)*[0-9]+$/;
const QUEUE_ID = /^[A-Za-z0-9-]{1,100}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers Cloud Tasks sets or refuses on HTTP tasks. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'user-agent', 'x-google-', 'x-appengine-', 'authorization']);

export function checkServiceOptions(options: CloudTasksServiceOptions): CloudTasksSettings {
  if (options === null || typeof options !== 'object') throw new ConfigError(['cloud-tasks: options must be an object']);
  const problems: string[] = [];
  const bad = (problem: string) => problems.push(problem);
  const mode = options.mode ?? 'push';
  if (mode !== 'push' && mode !== 'pull') bad(`mode: must be 'push' or 'pull', got ${String(mode)}`);
  if (typeof options.project !== 'string' || !PROJECT.test(options.project)) bad(`project: must be a Google Cloud project id (6-30 lower-case letters, digits, hyphens), got ${JSON.stringify(options.project)}`);
  if (typeof options.location !== 'string' || !LOCATION.test(options.location)) bad(`location: must be a region such as europe-west1, got ${JSON.stringify(options.location)}`);
  for (const key of ['queueId', 'deadLetterQueueId'] as const) {
    const value = options[key];
    if ((key === 'queueId' || value !== undefined) && (typeof value !== 'string' || !QUEUE_ID.test(value))) {
      bad(`${key}: must be 1-100 letters, digits or hyphens, got ${JSON.stringify(value)}`);
    }
  }
  if (options.deadLetterQueueId !== undefined && options.deadLetterQueueId === options.queueId) bad('deadLetterQueueId: must differ from queueId');
  const url = (key: 'handlerUrl' | 'audience', value: string | undefined) => {
    if (value === undefined) return;
    if (key === 'audience' ? typeof value !== 'string' || value === '' : !isHttpUrl(value)) bad(`${key}: must be ${key === 'audience' ? 'a non-empty string' : 'an http(s) URL of at most 2083 characters'}, got ${JSON.stringify(value)}`);
  };
  url('handlerUrl', options.handlerUrl);
  url('audience', options.audience);
  if (mode === 'push' && options.handlerUrl === undefined) bad('handlerUrl: required in push mode (the URL of the push handler the tasks target)');
  if (options.serviceAccountEmail !== undefined && (typeof options.serviceAccountEmail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(options.serviceAccountEmail))) {
    bad(`serviceAccountEmail: must be a service account email, got ${JSON.stringify(options.serviceAccountEmail)}`);
  }
  const headers = options.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name) || [...RESERVED_HEADERS].some((r) => (r.endsWith('-') ? lower.startsWith(r) : lower === r)) || lower.startsWith('x-cloudtasks-') || lower.startsWith('x-jobferry-')) {
      bad(`headers.${name}: not a header name a task may set`);
    } else if (typeof value !== 'string' || /[\r\n]/.test(value)) bad(`headers.${name}: must be a one-line string`);
  }
  const deadline = options.dispatchDeadlineSeconds;
  if (deadline !== undefined && !(Number.isInteger(deadline) && deadline >= 15 && deadline <= 1800)) bad(`dispatchDeadlineSeconds: must be an integer from 15 to 1800, got ${String(deadline)}`);
  let endpoint: { host: string; port: number } | undefined;
  if (options.endpoint !== undefined) {
    const match = typeof options.endpoint === 'string' ? /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(options.endpoint) : null;
    if (match === null || Number(match[2]) > 65_535) bad(`endpoint: must be host:port, got ${JSON.stringify(options.endpoint)}`);
    else endpoint = { host: match[1]!, port: Number(match[2]) };
  }
  const insecure = options.insecure ?? false;
  if (typeof insecure !== 'boolean') bad('insecure: must be true or false');
  if (insecure && endpoint === undefined) bad('insecure: only with an endpoint (a local emulator): the real service needs TLS');
  const fallback = options.fallback ?? false;
  if (fallback !== false && fallback !== 'rest') bad(`fallback: must be 'rest' or false, got ${String(fallback)}`);
  const credentials = options.credentials ?? (insecure ? 'none' : 'application-default');
  if (credentials !== 'application-default' && credentials !== 'none') bad(`credentials: must be 'application-default' or 'none', got ${String(credentials)}`);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  if (!Number.isSafeInteger(pollIntervalMs) || pollIntervalMs < 50 || pollIntervalMs > 60_000) bad(`pollIntervalMs: must be an integer from 50 to 60000, got ${String(pollIntervalMs)}`);
  const maxListedTasks = options.maxListedTasks ?? 10_000;
  if (!Number.isSafeInteger(maxListedTasks) || maxListedTasks < 1) bad(`maxListedTasks: must be an integer >= 1, got ${String(maxListedTasks)}`);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `cloud-tasks: ${p}`), { adapter: 'cloud-tasks' });

  const parent = `projects/${options.project}/locations/${options.location}`;
  return {
    mode,
    project: options.project,
    location: options.location,
    queueId: options.queueId,
    queuePath: `${parent}/queues/${options.queueId}`,
    deadLetterPath: options.deadLetterQueueId === undefined ? undefined : `${parent}/queues/${options.deadLetterQueueId}`,
    handlerUrl: options.handlerUrl,
    serviceAccountEmail: options.serviceAccountEmail,
    audience: options.audience ?? (options.serviceAccountEmail !== undefined ? options.handlerUrl : undefined),
    headers,
    dispatchDeadlineSeconds: deadline,
    endpoint,
    insecure,
    fallback: fallback === 'rest',
    credentials,
    pollIntervalMs,
    maxListedTasks,
  };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2083) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
