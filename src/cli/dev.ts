/**
 * `jobferry dev`: runs an app's jobs locally, with the HTTP API of http-api.ts on 127.0.0.1 and
 * JSON logs on stdout. The transport is the configuration's (dev-transport.ts): memory with a
 * pull worker by default; `--adapter sqs` or `--adapter cloud-tasks` (or JOBFERRY_ADAPTER) runs
 * the same jobs on an in-process emulator, pushed as the platform pushes them, unless the
 * environment names a real queue. SIGINT / SIGTERM stop it gracefully: the server closes,
 * in-flight jobs finish or are released, then the process exits.
 */
import { createServer, type Server } from 'node:http';
import type { JobferryConfig } from '../config.ts';
import type { AnyJob } from '../job.ts';
import { createJsonLogger, type Logger } from '../logger.ts';
import { createQueue } from '../queue.ts';
import type { JobService } from '../service.ts';
import type { Worker } from '../worker.ts';
import { openDevTransport, type DevDelivery } from './dev-transport.ts';
import { createHttpApi } from './http-api.ts';

export interface DevOptions {
  jobs: ReadonlyMap<string, AnyJob>;
  port: number;
  host: string;
  /** Configuration on top of the JOBFERRY_* environment (e.g. `{ adapter: 'memory' }`). */
  overrides?: Record<string, unknown>;
  /** JOBFERRY_* variables. Default: process.env. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
}

export interface DevApp {
  readonly url: string;
  readonly config: JobferryConfig;
  readonly service: JobService;
  /** How jobs reach their handlers: a pull worker, the Lambda event source simulator, or the Cloud Tasks dispatcher. */
  readonly delivery: DevDelivery;
  /** The pull worker (pull delivery only). */
  readonly worker?: Worker;
  readonly server: Server;
  /** Stops the server, the delivery (gracefully), the transport and any emulator. Idempotent. */
  close(): Promise<void>;
}

export async function startDev(options: DevOptions): Promise<DevApp> {
  const jobs = [...options.jobs.values()];
  const transport = await openDevTransport({
    jobs,
    env: options.env,
    overrides: options.overrides ?? {},
    logger: (config) => options.logger ?? createJsonLogger({ level: config.logLevel }),
  });
  const { config, logger, service } = transport;
  let server: Server;
  try {
    const queue = createQueue({ service, jobs, logger });
    server = createServer(createHttpApi({ queue, service, jobs: options.jobs, counts: transport.counts }));
    await listen(server, options.port, options.host);
    await transport.start();
  } catch (error) {
    await transport.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${options.host}:${port}`;
  logger.log('info', { event: 'app.listening', adapter: service.adapter, queue: service.queue, delivery: transport.delivery, detail: `POST ${url}/jobs/:name`, url, jobs: [...options.jobs.keys()], ...transport.details });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await transport.close();
    })());
  return { url, config, service, delivery: transport.delivery, ...(transport.worker ? { worker: transport.worker } : {}), server, close };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
