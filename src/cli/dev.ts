/**
 * `jobferry dev`: runs an app's jobs locally. A pull worker on the configured transport
 * (memory by default), the HTTP API of http-api.ts on 127.0.0.1, and JSON logs on stdout.
 * SIGINT / SIGTERM stop it gracefully: the server closes, in-flight jobs finish or are
 * released, then the process exits.
 */
import { createServer, type Server } from 'node:http';
import type { JobferryConfig } from '../config.ts';
import { loadConfig } from '../env.ts';
import type { AnyJob } from '../job.ts';
import { createJsonLogger, type Logger } from '../logger.ts';
import { createQueue } from '../queue.ts';
import { createService } from '../registry.ts';
import type { JobService } from '../service.ts';
import { createWorker, type Worker } from '../worker.ts';
import { createHttpApi } from './http-api.ts';

export interface DevOptions {
  jobs: ReadonlyMap<string, AnyJob>;
  port: number;
  host: string;
  /** Configuration on top of the JOBFERRY_* environment (e.g. `{ adapter: 'memory' }`). */
  overrides?: Record<string, unknown>;
  logger?: Logger;
}

export interface DevApp {
  readonly url: string;
  readonly config: JobferryConfig;
  readonly service: JobService;
  readonly worker: Worker;
  readonly server: Server;
  /** Stops the server, the worker (gracefully) and the transport. Idempotent. */
  close(): Promise<void>;
}

export async function startDev(options: DevOptions): Promise<DevApp> {
  const config = loadConfig(process.env, options.overrides);
  const logger = options.logger ?? createJsonLogger({ level: config.logLevel });
  const service = await createService(config, { logger });
  const jobs = [...options.jobs.values()];
  const worker = createWorker({
    service,
    jobs,
    logger,
    concurrency: config.concurrency,
    shutdownGraceMs: config.shutdownGraceMs,
    handleSignals: false,
    ...(config.adapter === 'memory' ? { waitMs: 20_000 } : {}),
  });
  const queue = createQueue({ service, jobs, logger });
  const server = createServer(createHttpApi({ queue, service, jobs: options.jobs, counts: () => ({ inFlight: worker.inFlight, ...worker.counts }) }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${options.host}:${port}`;
  await worker.start();
  logger.log('info', { event: 'app.listening', adapter: service.adapter, queue: service.queue, detail: `POST ${url}/jobs/:name`, url, jobs: [...options.jobs.keys()] });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
      await service.close?.();
    })());
  return { url, config, service, worker, server, close };
}
