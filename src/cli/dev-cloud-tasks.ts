/**
 * `jobferry dev` on Cloud Tasks without a Google Cloud project: jobferry's Cloud Tasks emulator
 * in this process, a push queue with its paused dead-letter queue, and a local node:http push
 * handler. The emulator's dispatcher sends each task as Cloud Tasks does (X-CloudTasks-*
 * headers, an OIDC token signed by its own key, retries by the queue's RetryConfig and the
 * handler's Retry-After), and the handler verifies the token against the emulator's JWKS:
 * this is how the jobs run deployed on Cloud Run (functions/cloud-run.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudTasksConfig } from '../config.ts';
import { loadConfig } from '../env.ts';
import { JobferryError } from '../errors.ts';
import { createPipeline } from '../pipeline.ts';
import { createService } from '../registry.ts';
import { jobExtremes, SAFETY_NET_ATTEMPTS } from '../platform-defaults.ts';
import { DEV_QUEUE, type DevTransport, type DevTransportOptions } from './dev-transport.ts';

const PROJECT = 'jobferry-dev';
const LOCATION = 'us-central1';
/** The identity in the tasks' OIDC tokens (the emulator signs for any account). */
const SERVICE_ACCOUNT = `tasks@${PROJECT}.iam.gserviceaccount.com`;
const HANDLER_PATH = '/tasks';

export async function startCloudTasksDevTransport(options: DevTransportOptions): Promise<DevTransport> {
  const [{ startCloudTasksEmulator }, { createNodePushHandler }] = await Promise.all([import('../../adapters/cloud-tasks/testing.ts'), import('../../adapters/cloud-tasks/push.ts')]);
  const emulator = await startCloudTasksEmulator({ onError: (error) => console.error('[cloud-tasks emulator]', error) });
  let server: Server | undefined;
  try {
    const queueMaxAttempts = jobExtremes(options.jobs).most.maxAttempts + SAFETY_NET_ATTEMPTS;
    const parent = `projects/${PROJECT}/locations/${LOCATION}`;
    const deadLetterQueueId = `${DEV_QUEUE}-dead-letter`;
    // The emulator's REST surface (Cloud Tasks' own REST API): no Google SDK in the core.
    await rest(emulator.restUrl, `${parent}/queues`, { name: `${parent}/queues/${DEV_QUEUE}`, retryConfig: { maxAttempts: queueMaxAttempts, minBackoff: '1s', maxBackoff: '60s', maxDoublings: 6 } });
    await rest(emulator.restUrl, `${parent}/queues`, { name: `${parent}/queues/${deadLetterQueueId}` });
    await rest(emulator.restUrl, `${parent}/queues/${deadLetterQueueId}:pause`, {});

    // The handler is plugged in once it exists; the server must listen first, its URL is the tasks' target.
    let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    const statuses: Record<string, number> = {};
    server = createServer((req, res) => {
      res.once('finish', () => (statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1));
      if ((req.url ?? '/').split('?')[0] !== HANDLER_PATH || handle === undefined) return void res.writeHead(404).end();
      handle(req, res);
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(0, '127.0.0.1', () => resolve());
    });
    const handlerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${HANDLER_PATH}`;

    const config = loadConfig(options.env, {
      ...options.overrides,
      adapter: 'cloud-tasks',
      project: PROJECT,
      location: LOCATION,
      queueId: DEV_QUEUE,
      deadLetterQueueId,
      mode: 'push',
      handlerUrl,
      serviceAccountEmail: SERVICE_ACCOUNT,
      endpoint: emulator.grpcEndpoint,
      insecure: true,
      queueMaxAttempts,
    }) as CloudTasksConfig;
    const logger = options.logger(config);
    const service = await createService(config, { logger });
    // followUp: a batch's finished job is sent by the delivery that completes the batch, as the pull worker does.
    const pipeline = createPipeline({ jobs: options.jobs, adapter: 'cloud-tasks', queue: service.queue, maxBodyBytes: service.limits.maxBodyBytes, logger, followUp: service });
    const push = createNodePushHandler({
      jobs: options.jobs,
      pipeline,
      service,
      authentication: { serviceAccountEmail: SERVICE_ACCOUNT, audience: handlerUrl, jwksUrl: emulator.jwksUrl, issuer: emulator.issuer },
      queueMaxAttempts,
      maxBodyBytes: service.limits.maxBodyBytes,
      logger,
    });
    await push.ready;
    return {
      config,
      logger,
      service,
      delivery: 'push',
      details: { emulator: 'jobferry Cloud Tasks emulator (in process)', grpcEndpoint: emulator.grpcEndpoint, restUrl: emulator.restUrl, jwksUrl: emulator.jwksUrl, handlerUrl },
      counts: () => ({ delivery: 'cloud tasks dispatcher', answered: { ...statuses } }),
      async start() {
        handle = push;
      },
      async close() {
        // Dispatching stops first (attempts in flight are answered), then the handler goes.
        await emulator.close();
        await new Promise<void>((resolve) => listening.close(() => resolve()));
        listening.closeAllConnections();
        await service.close?.();
      },
    };
  } catch (error) {
    server?.closeAllConnections();
    server?.close();
    await emulator.close();
    throw error;
  }
}

async function rest(base: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}/v2/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new JobferryError(`[cloud-tasks] dev setup failed: ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`, { adapter: 'cloud-tasks' });
  await res.body?.cancel();
}
