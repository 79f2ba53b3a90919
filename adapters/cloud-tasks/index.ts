/**
 * jobferry/cloud-tasks: Google Cloud Tasks as a jobferry transport. Push queues (HTTP tasks to
 * the push handler, `jobferry/cloud-tasks/push`) or pull queues (v2beta2 leases), with a
 * paused dead-letter queue for buried jobs. `@google-cloud/tasks` is an optional peer,
 * loaded at the first call.
 *
 * @example
 * ```ts
 * import { createCloudTasksService } from 'jobferry/cloud-tasks';
 * const service = createCloudTasksService({
 *   project: 'my-project', location: 'europe-west1', queueId: 'emails', deadLetterQueueId: 'emails-dead',
 *   handlerUrl: 'https://jobs-abc.a.run.app/tasks', serviceAccountEmail: 'tasks@my-project.iam.gserviceaccount.com',
 * });
 * ```
 */
export { createCloudTasksService } from './service.ts';
export type { CloudTasksService } from './service.ts';
export type { CloudTasksServiceOptions } from './options.ts';
export { fromConfig } from './config.ts';
export { ATTEMPTS_BEFORE_HEADER } from './headers.ts';
export { HEADERS as DEAD_LETTER_HEADERS } from './dead-letter-record.ts';
export { dedupeTaskId, MAX_BODY_BYTES, MAX_SCHEDULE_MS, MAX_TASK_BYTES } from './tasks.ts';
