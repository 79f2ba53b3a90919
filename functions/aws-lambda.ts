/**
 * The reference app on AWS Lambda: an SQS event source mapping (with ReportBatchItemFailures,
 * see infra/aws) invokes `handler` with batches of records. Poison records go to the queue's
 * dead-letter queue, retries come back after the job's backoff, and the answer lists only the
 * records to retry.
 *
 * Configuration, from the JOBFERRY_* environment that infra/aws sets: JOBFERRY_SQS_QUEUE_URL
 * and JOBFERRY_SQS_DEAD_LETTER_QUEUE_URL (also _REGION, _ENDPOINT, JOBFERRY_QUEUE,
 * JOBFERRY_LOG_LEVEL, JOBFERRY_MAX_BODY_BYTES). Without JOBFERRY_SQS_QUEUE_URL the source queue
 * is the one the records' ARN names, and the dead-letter queue its redrive policy's target.
 *
 * Cold start: this module loads the jobs, the configuration schema, the pipeline and the
 * wrapper; the SQS client is loaded on the first record that needs an SQS call.
 */
import { createSqsHandler } from '../adapters/sqs/lambda.ts';
import type { SqsConfig } from '../src/config.ts';
import { isOptionSet, loadConfig } from '../src/env.ts';
import { createJsonLogger } from '../src/logger.ts';
import { jobs } from './jobs.ts';

const config = isOptionSet('sqs', 'queueUrl') ? (loadConfig(undefined, { adapter: 'sqs' }) as SqsConfig) : undefined;

export const handler = createSqsHandler({
  jobs,
  logger: createJsonLogger({ level: config?.logLevel ?? 'info' }),
  ...(config === undefined
    ? {}
    : {
        queueUrl: config.queueUrl,
        deadLetterQueueUrl: config.deadLetterQueueUrl,
        clientConfig: config.region === undefined && config.endpoint === undefined ? undefined : { region: config.region, endpoint: config.endpoint },
        maxBodyBytes: config.maxBodyBytes,
        queue: config.queue,
      }),
});
