/**
 * `jobferry dev` with a pull worker: on the memory transport, or on a real queue the
 * environment names (JOBFERRY_SQS_QUEUE_URL, JOBFERRY_CLOUD_TASKS_QUEUE_ID in pull mode).
 */
import { loadConfig } from '../env.ts';
import { ConfigError } from '../errors.ts';
import { createService } from '../registry.ts';
import { createWorker } from '../worker.ts';
import type { DevTransport, DevTransportOptions } from './dev-transport.ts';

export async function startPullDevTransport(options: DevTransportOptions): Promise<DevTransport> {
  const config = loadConfig(options.env, options.overrides);
  if (config.adapter === 'cloud-tasks' && config.mode === 'push') {
    // A push queue delivers to its handler URL, which a laptop's dev server is not.
    throw new ConfigError([
      'JOBFERRY_CLOUD_TASKS_MODE (mode): a Cloud Tasks push queue delivers to its handlerUrl, not to `jobferry dev`: run functions/cloud-run.ts there, use a pull queue (mode pull), or name no queue to run on the in-process emulator',
    ]);
  }
  const logger = options.logger(config);
  const service = await createService(config, { logger });
  const worker = createWorker({
    service,
    jobs: options.jobs,
    logger,
    concurrency: config.concurrency,
    shutdownGraceMs: config.shutdownGraceMs,
    handleSignals: false,
    ...('pollers' in config ? { pollers: config.pollers } : {}),
    ...(config.adapter === 'memory' ? { waitMs: 20_000 } : {}),
  });
  return {
    config,
    logger,
    service,
    delivery: 'pull',
    worker,
    details: {},
    counts: () => ({ delivery: 'pull worker', inFlight: worker.inFlight, ...worker.counts }),
    start: () => worker.start(),
    async close() {
      await worker.stop();
      await service.close?.();
    },
  };
}
