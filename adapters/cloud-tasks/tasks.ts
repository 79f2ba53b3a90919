/**
 * Building tasks: HTTP tasks (push queues, v2) and pull tasks (v2beta2), their names, their
 * schedule times and their size. Pure functions: no SDK, no I/O.
 */
import { createHash } from 'node:crypto';
import type { CloudTasksSettings } from './options.ts';

/** Cloud Tasks refuses a task larger than 1 MB. */
export const MAX_TASK_BYTES = 1_048_576;
/** Room kept for the URL, headers, name and dead-letter metadata: the largest body is the rest. */
export const TASK_OVERHEAD_BYTES = 16_384;
export const MAX_BODY_BYTES = MAX_TASK_BYTES - TASK_OVERHEAD_BYTES;
/** scheduleTime may be at most 30 days ahead; a few minutes are kept for clock skew. */
export const MAX_SCHEDULE_MS = 30 * 24 * 3_600_000 - 5 * 60_000;
/** Longest pull lease (LeaseTasks, RenewLease): one week. */
export const MAX_LEASE_MS = 7 * 24 * 3_600_000;

export interface Timestamp {
  seconds?: number | string | { toString(): string } | null;
  nanos?: number | null;
}

export function timestamp(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function msOf(value: Timestamp | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return Number(String(value.seconds ?? 0)) * 1000 + Math.floor(Number(value.nanos ?? 0) / 1e6);
}

/**
 * The task id for a dedupe key: a SHA-256 of the key, so ids spread evenly (Cloud Tasks
 * advises against sequential names, which concentrate load) and any key is a valid id.
 */
export function dedupeTaskId(dedupeKey: string): string {
  return createHash('sha256').update(dedupeKey, 'utf8').digest('hex');
}

/** The short id of `projects/.../queues/q/tasks/ID`. */
export function taskIdOf(name: string | null | undefined): string {
  if (!name) return '';
  const i = name.lastIndexOf('/');
  return i === -1 ? name : name.slice(i + 1);
}

export interface TaskInput {
  readonly body: Uint8Array;
  readonly delayMs: number;
  /** Task id (dedupe); default: Cloud Tasks picks one. */
  readonly taskId?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly now: number;
}

/** A v2 HTTP task for `queuePath`. */
export function httpTask(settings: CloudTasksSettings, queuePath: string, input: TaskInput) {
  const oidcToken =
    settings.serviceAccountEmail === undefined ? undefined : { serviceAccountEmail: settings.serviceAccountEmail, ...(settings.audience ? { audience: settings.audience } : {}) };
  return {
    ...(input.taskId === undefined ? {} : { name: `${queuePath}/tasks/${input.taskId}` }),
    ...(input.delayMs > 0 ? { scheduleTime: timestamp(input.now + input.delayMs) } : {}),
    ...(settings.dispatchDeadlineSeconds === undefined ? {} : { dispatchDeadline: { seconds: settings.dispatchDeadlineSeconds } }),
    httpRequest: {
      url: settings.handlerUrl,
      httpMethod: 'POST' as const,
      headers: { 'Content-Type': 'application/json', ...settings.headers, ...input.headers },
      body: input.body,
      ...(oidcToken === undefined ? {} : { oidcToken }),
    },
  };
}

/** A v2beta2 pull task for `queuePath`; the tag (job name) lets LeaseTasks filter. */
export function pullTask(queuePath: string, input: TaskInput & { readonly tag: string }) {
  return {
    ...(input.taskId === undefined ? {} : { name: `${queuePath}/tasks/${input.taskId}` }),
    ...(input.delayMs > 0 ? { scheduleTime: timestamp(input.now + input.delayMs) } : {}),
    pullMessage: { payload: input.body, tag: input.tag.slice(0, 499) },
  };
}

/** Bytes a task takes: body, URL, headers and name, as Cloud Tasks counts towards its 1 MB. */
export function taskBytes(settings: CloudTasksSettings, input: TaskInput): number {
  let bytes = input.body.byteLength + (settings.handlerUrl?.length ?? 0) + 200;
  for (const [k, v] of Object.entries({ ...settings.headers, ...input.headers })) bytes += k.length + Buffer.byteLength(v) + 4;
  return bytes;
}
