/**
 * The reference app on Cloud Run: a node:http server for Cloud Tasks push. Each task is an
 * HTTP POST to the handler path (the path of JOBFERRY_CLOUD_TASKS_HANDLER_URL); its OIDC token
 * is verified (always: the service account and audience come from the configuration), the job
 * runs through the pipeline, and the answer tells Cloud Tasks what to do (2xx done or buried,
 * 503 + Retry-After to retry). GET /healthz answers 200 for probes. SIGTERM / SIGINT stop it
 * gracefully: no new connections, requests in flight finish within JOBFERRY_SHUTDOWN_GRACE_MS.
 *
 * The Cloud Tasks service (bury into the paused dead-letter queue, hops, re-created tasks) is
 * made from the same configuration on the first need, so the Google SDK loads only then.
 *
 *   PORT=8080 JOBFERRY_ADAPTER=cloud-tasks JOBFERRY_CLOUD_TASKS_PROJECT=my-project \
 *   JOBFERRY_CLOUD_TASKS_LOCATION=europe-west1 JOBFERRY_CLOUD_TASKS_QUEUE_ID=jobs \
 *   JOBFERRY_CLOUD_TASKS_DEAD_LETTER_QUEUE_ID=jobs-dead-letter \
 *   JOBFERRY_CLOUD_TASKS_HANDLER_URL=https://jobs-123.europe-west1.run.app/ \
 *   JOBFERRY_CLOUD_TASKS_SERVICE_ACCOUNT_EMAIL=tasks@my-project.iam.gserviceaccount.com \
 *   JOBFERRY_CLOUD_TASKS_QUEUE_MAX_ATTEMPTS=8 node functions/cloud-run.ts
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodePushHandler } from '../adapters/cloud-tasks/push.ts';
import type { CloudTasksConfig } from '../src/config.ts';
import { envName, listenPort, loadConfig, selectedAdapter } from '../src/env.ts';
import { ConfigError, describeError } from '../src/errors.ts';
import { createJsonLogger, type Logger } from '../src/logger.ts';
import type { JobService } from '../src/service.ts';
import { jobs } from './jobs.ts';

export interface CloudRunOptions {
  /** The environment (JOBFERRY_*, PORT). Default process.env. */
  env?: Record<string, string | undefined>;
  /** Where the tokens' signing keys are. Default Google's; a test points it at an emulator's JWKS. */
  jwksUrl?: string;
  /** Host to listen on. Default 0.0.0.0 (Cloud Run reaches the container from outside it). */
  host?: string;
  logger?: Logger;
  /** Stop gracefully on SIGTERM and SIGINT. Default true. */
  handleSignals?: boolean;
}

export interface CloudRunServer {
  /** `http://<host>:<port>` */
  readonly url: string;
  readonly handlerPath: string;
  readonly config: CloudTasksConfig;
  readonly server: Server;
  /** Resolves once the server has stopped (by close() or a signal). */
  readonly stopped: Promise<void>;
  /** Graceful stop: no new connections, requests in flight finish (within the grace), the service closes. Idempotent. */
  close(): Promise<void>;
}

const HEALTH_PATH = '/healthz';

/** The configuration this entry needs, every missing option named at once. */
function cloudRunConfig(env: Record<string, string | undefined> | undefined): CloudTasksConfig & { handlerUrl: string; serviceAccountEmail: string; queueMaxAttempts: number } {
  const adapter = selectedAdapter(env);
  if (adapter !== 'cloud-tasks') throw new ConfigError([`JOBFERRY_ADAPTER: this entry serves Cloud Tasks push, so it must be cloud-tasks, got ${JSON.stringify(adapter)}`]);
  const config = loadConfig(env) as CloudTasksConfig;
  const name = (option: string) => `${envName('cloud-tasks', option)} (${option})`;
  const problems: string[] = [];
  if (config.mode !== 'push') problems.push(`${name('mode')}: this entry serves push queues; a pull queue is worked by functions/worker.ts`);
  if (config.handlerUrl === undefined) problems.push(`${name('handlerUrl')}: required: the URL the tasks are sent to (its path is the handler's path)`);
  if (config.serviceAccountEmail === undefined) problems.push(`${name('serviceAccountEmail')}: required: the service account whose OIDC tokens the tasks carry (verification is always on)`);
  if (config.queueMaxAttempts === undefined) problems.push(`${name('queueMaxAttempts')}: required: the queue's retryConfig.maxAttempts (-1: unlimited), so a job failing on its last attempt is buried, not dropped`);
  if (config.deadLetterQueueId === undefined) problems.push(`${name('deadLetterQueueId')}: required: the paused queue that keeps buried jobs`);
  if (problems.length > 0) throw new ConfigError(problems, { adapter: 'cloud-tasks' });
  return config as ReturnType<typeof cloudRunConfig>;
}

/**
 * Starts the server; resolves once it listens.
 *
 * @example
 * ```ts
 * const app = await startCloudRun(); // PORT and JOBFERRY_CLOUD_TASKS_* from the environment
 * await app.stopped;
 * ```
 */
export async function startCloudRun(options: CloudRunOptions = {}): Promise<CloudRunServer> {
  const config = cloudRunConfig(options.env);
  const port = listenPort(8080, options.env);
  const logger = options.logger ?? createJsonLogger({ level: config.logLevel });
  const handlerPath = new URL(config.handlerUrl).pathname;

  // Made on the first bury or re-created task; a failed load or setup is tried again at the next
  // need. Not lazyModule: close() must see whether it was made, without making it.
  let service: Promise<JobService> | undefined;
  const getService = () =>
    (service ??= import('../adapters/cloud-tasks/config.ts')
      .then((adapter) => adapter.fromConfig(config, { logger }))
      .catch((error: unknown) => {
        service = undefined;
        throw error;
      }));

  const push = createNodePushHandler({
    jobs,
    service: getService,
    authentication: {
      serviceAccountEmail: config.serviceAccountEmail,
      audience: config.audience ?? config.handlerUrl,
      ...(options.jwksUrl === undefined ? {} : { jwksUrl: options.jwksUrl }),
    },
    queueMaxAttempts: config.queueMaxAttempts,
    ...(config.dispatchDeadlineSeconds === undefined ? {} : { dispatchDeadlineMs: config.dispatchDeadlineSeconds * 1000 }),
    ...(config.maxBodyBytes === undefined ? {} : { maxBodyBytes: config.maxBodyBytes }),
    queue: config.queue ?? config.queueId,
    logger,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  await push.ready;

  let stopping: Promise<void> | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // While stopping, a kept-alive connection is closed as soon as its request is answered.
    res.once('close', () => stopping !== undefined && setImmediate(() => server.closeIdleConnections()));
    const path = pathOf(req.url);
    if (path === handlerPath) return push(req, res);
    if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) return answer(res, 200, { ok: true });
    answer(res, 404, { error: `no route ${req.method ?? 'GET'} ${path}` });
  });
  // Google's load balancers keep backend connections up to 600 s; a server that closes an idle
  // one sooner (Node's default: 5 s) can close it just as a request arrives on it.
  server.keepAliveTimeout = 620_000;
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  const queue = config.queue ?? config.queueId;
  logger.log('info', { event: 'app.listening', adapter: 'cloud-tasks', queue, url, detail: `POST ${handlerPath} (Cloud Tasks push, OIDC verified), GET ${HEALTH_PATH}`, jobs: jobs.map((j) => j.name) });

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const close = () =>
    (stopping ??= (async () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      logger.log('info', { event: 'app.stopping', adapter: 'cloud-tasks', queue, detail: `requests in flight get ${config.shutdownGraceMs} ms` });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await closed;
      clearTimeout(grace);
      const made = await service?.catch(() => undefined);
      await made?.close?.().catch((error: unknown) => logger.log('warn', { event: 'app.close-failed', adapter: 'cloud-tasks', queue, error: describeError(error) }));
      logger.log('info', { event: 'app.stopped', adapter: 'cloud-tasks', queue });
      resolveStopped();
    })());
  const onSignal = () => void close();
  if (options.handleSignals !== false) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { url, handlerPath, config, server, stopped, close };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

if (import.meta.main) {
  try {
    await startCloudRun();
  } catch (error) {
    // One JSON line the platform's log viewer shows, then a failed start.
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', event: 'app.failed', error: describeError(error) })}\n`);
    process.exitCode = 1;
  }
}
