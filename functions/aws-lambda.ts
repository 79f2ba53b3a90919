/**
 * The reference app on AWS Lambda: an SQS event source mapping (with ReportBatchItemFailures,
 * see infra/aws) invokes `handler` with batches of records. Poison records go to the queue's
 * dead-letter queue (found through its redrive policy), retries come back after the job's
 * backoff, and the answer lists only the records to retry.
 *
 * Cold start: this module loads the jobs, the pipeline and the wrapper; the SQS client is loaded
 * on the first record that needs an SQS call.
 */
import { createSqsHandler } from '../adapters/sqs/lambda.ts';
import { createJsonLogger } from '../src/logger.ts';
import { jobs } from './jobs.ts';

export const handler = createSqsHandler({ jobs, logger: createJsonLogger() });
