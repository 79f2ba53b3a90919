/**
 * Resource names and their character rules, as the real service checks them:
 * `projects/PROJECT_ID/locations/LOCATION_ID/queues/QUEUE_ID/tasks/TASK_ID`.
 */
import { randomInt } from 'node:crypto';
import { CloudTasksApiError, Code, invalid } from './errors.ts';

const PROJECT = '[A-Za-z0-9\\-:.]{1,100}';
const LOCATION = '[A-Za-z0-9\\-]{1,100}';
const QUEUE_ID = /^[A-Za-z0-9-]{1,100}$/;
const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;
const LOCATION_NAME = new RegExp(`^projects/(${PROJECT})/locations/(${LOCATION})$`);
const QUEUE_NAME = new RegExp(`^projects/(${PROJECT})/locations/(${LOCATION})/queues/([^/]*)$`);
const TASK_NAME = new RegExp(`^(projects/${PROJECT}/locations/${LOCATION}/queues/[^/]*)/tasks/([^/]*)$`);

const QUEUE_FORMAT = 'Queue name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>".';
const TASK_FORMAT =
  'Task name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>/tasks/<TASK_ID>".';

export interface QueueNameParts {
  readonly project: string;
  readonly location: string;
  readonly queueId: string;
  /** `projects/P/locations/L` */
  readonly parent: string;
}

export interface TaskNameParts {
  readonly queue: string;
  readonly taskId: string;
}

/** A location (the parent of queues). The real service answers PERMISSION_DENIED for a malformed one. */
export function checkLocationName(parent: string | undefined): void {
  if (parent && LOCATION_NAME.test(parent)) return;
  const project = parent?.startsWith('projects/') ? parent.split('/')[1] ?? '' : (parent ?? '');
  throw new CloudTasksApiError(Code.PERMISSION_DENIED, `Permission denied on resource project ${project}.`);
}

export function parseQueueName(name: string | undefined): QueueNameParts {
  const m = QUEUE_NAME.exec(name ?? '');
  if (!m || !QUEUE_ID.test(m[3]!)) throw invalid(QUEUE_FORMAT);
  return { project: m[1]!, location: m[2]!, queueId: m[3]!, parent: `projects/${m[1]}/locations/${m[2]}` };
}

export function parseTaskName(name: string | undefined): TaskNameParts {
  const m = TASK_NAME.exec(name ?? '');
  if (!m) throw invalid(TASK_FORMAT);
  parseQueueName(m[1]);
  checkTaskId(m[2]!);
  return { queue: m[1]!, taskId: m[2]! };
}

export function checkTaskId(id: string): void {
  if (!TASK_ID.test(id)) {
    throw invalid(
      `Task ID "${id}" can contain only letters ([A-Za-z]), numbers ([0-9]), hyphens (-), or underscores (_). Task ID must between 1 and 500 characters.`,
    );
  }
}

export function shortQueueId(queueName: string): string {
  return queueName.slice(queueName.lastIndexOf('/') + 1);
}

export function shortTaskId(taskName: string): string {
  return taskName.slice(taskName.lastIndexOf('/') + 1);
}

/** A system-chosen task ID: a uniform random 19-digit number, like the real service's. */
export function generateTaskId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 18; i += 6) id += String(randomInt(0, 1_000_000)).padStart(6, '0');
  return id;
}
