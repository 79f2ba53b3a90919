/**
 * jobferry/cloud-tasks/push: the Cloud Tasks push handler. Each request is authenticated
 * (OIDC, before its body is read), run through the pipeline, and answered so that Cloud Tasks
 * does the right thing: 2xx when done or buried, 503 + Retry-After to retry.
 *
 * This entry loads neither @google-cloud/tasks nor google-gax nor node:http: the Google SDK is
 * loaded (through the service) only when a job must be buried or a task re-created.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createNodePushHandler } from 'jobferry/cloud-tasks/push';
 *
 * const handler = createNodePushHandler({
 *   jobs: [sendEmail],
 *   service: async () => (await import('jobferry/cloud-tasks')).createCloudTasksService({ ... }),
 *   authentication: { serviceAccountEmail: 'tasks@my-project.iam.gserviceaccount.com', audience: 'https://jobs-abc.run.app/' },
 *   queueMaxAttempts: 10,
 * });
 * createServer(handler).listen(8080);
 * ```
 */
export { createPushHandler } from './push-web.ts';
export type { FetchPushHandler } from './push-web.ts';
export { createFunctionsPushHandler, createNodePushHandler } from './push-node.ts';
export type { NodePushHandler } from './push-node.ts';
export { createPushCore } from './push-core.ts';
export { ATTEMPTS_BEFORE_HEADER } from './headers.ts';
export type { PushAnswer, PushCore, PushRequest } from './push-core.ts';
export type { PushAuthenticationOptions, PushHandlerOptions, PushServiceSource } from './push-options.ts';
export { GOOGLE_ISSUERS, GOOGLE_JWKS_URL } from './push-auth.ts';
