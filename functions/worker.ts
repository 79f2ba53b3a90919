/**
 * The reference app as a long-running pull worker (containers, VMs, local): the transport comes
 * from the JOBFERRY_* environment (`JOBFERRY_ADAPTER=sqs JOBFERRY_SQS_QUEUE_URL=...`), the jobs
 * from functions/jobs.ts. SIGTERM / SIGINT stop it gracefully: no new reserves, in-flight jobs
 * finish within JOBFERRY_SHUTDOWN_GRACE_MS or are released, then the process exits.
 *
 *   JOBFERRY_ADAPTER=sqs JOBFERRY_SQS_QUEUE_URL=https://sqs... node functions/worker.ts
 */
import { createJsonLogger, createService, createWorker, loadConfig } from '../src/index.ts';
import { jobs } from './jobs.ts';

const config = loadConfig();
const logger = createJsonLogger({ level: config.logLevel });
const service = await createService(config, { logger });
const worker = createWorker({
  service,
  jobs,
  logger,
  concurrency: config.concurrency,
  shutdownGraceMs: config.shutdownGraceMs,
  ...('pollers' in config ? { pollers: config.pollers } : {}),
});
await worker.start();
await worker.stopped;
await service.close?.();
