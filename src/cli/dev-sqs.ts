/**
 * `jobferry dev` on SQS without an AWS account: fauxqs (the SQS emulator) in this process, a
 * queue with its dead-letter queue, and the Lambda event source simulator, which receives
 * batches and invokes the Lambda wrapper (createSqsHandler) with real SQSEvents, applying its
 * answer as Lambda does (reported records come back, the rest are deleted). This is how the
 * jobs run deployed on AWS (functions/aws-lambda.ts), with a pull worker nowhere.
 */
import { loadConfig } from '../env.ts';
import type { SqsConfig } from '../config.ts';
import { createPipeline } from '../pipeline.ts';
import { FUNCTION_TIMEOUT_MARGIN_SECONDS, jobExtremes, SAFETY_NET_ATTEMPTS, visibilityTimeoutFor } from '../platform-defaults.ts';
import { DEV_QUEUE, type DevTransport, type DevTransportOptions } from './dev-transport.ts';

/** Lambda's own cap on a function's timeout. */
const LAMBDA_MAX_TIMEOUT_MS = 900_000;
/** Invocations the simulator keeps for inspection; older ones are dropped (a long session must not grow without end). */
const KEPT_INVOCATIONS = 100;

export async function startSqsDevTransport(options: DevTransportOptions): Promise<DevTransport> {
  const [{ startSqsEmulator, createEventSourceMapping }, { createSqsHandler }, { createSqsService }] = await Promise.all([
    import('../../adapters/sqs/testing.ts'),
    import('../../adapters/sqs/lambda.ts'),
    import('../../adapters/sqs/index.ts'),
  ]);
  const emulator = await startSqsEmulator();
  try {
    // As infra/aws sets them (src/platform-defaults.ts).
    const { longestSeconds, most } = jobExtremes(options.jobs);
    const functionTimeoutMs = Math.min(LAMBDA_MAX_TIMEOUT_MS, (longestSeconds + FUNCTION_TIMEOUT_MARGIN_SECONDS) * 1000);
    const queue = await emulator.createQueue(DEV_QUEUE, {
      deadLetter: { maxReceiveCount: most.maxAttempts + SAFETY_NET_ATTEMPTS },
      visibilityTimeoutSeconds: visibilityTimeoutFor(functionTimeoutMs / 1000),
    });
    const config = loadConfig(options.env, {
      ...options.overrides,
      adapter: 'sqs',
      queueUrl: queue.queueUrl,
      deadLetterQueueUrl: queue.deadLetterQueueUrl,
      endpoint: emulator.endpoint,
      region: emulator.region,
    }) as SqsConfig;
    const logger = options.logger(config);
    // The emulator's client carries test credentials: the SDK never looks for real ones.
    const client = await emulator.client();
    const service = createSqsService({ queueUrl: queue.queueUrl, deadLetterQueueUrl: queue.deadLetterQueueUrl, client, waitTimeSeconds: config.waitTimeSeconds, maxBodyBytes: config.maxBodyBytes, logger });
    // followUp: a batch's finished job is sent by the delivery that completes the batch, as the pull worker does.
    const pipeline = createPipeline({ jobs: options.jobs, adapter: 'sqs', queue: service.queue, maxBodyBytes: service.limits.maxBodyBytes, logger, followUp: service });
    const lambda = createSqsHandler({ jobs: options.jobs, pipeline, logger, client, queueUrl: queue.queueUrl, deadLetterQueueUrl: queue.deadLetterQueueUrl, concurrency: config.concurrency });
    const counts = { invocations: 0, records: 0, reportedFailed: 0 };
    const mapping = createEventSourceMapping({
      client,
      queueUrl: queue.queueUrl,
      functionTimeoutMs,
      keepInvocations: KEPT_INVOCATIONS,
      handler: async (event, context) => {
        counts.invocations++;
        counts.records += event.Records.length;
        const answer = await lambda(event, context);
        counts.reportedFailed += answer.batchItemFailures.length;
        return answer;
      },
    });
    let started = false;
    return {
      config,
      logger,
      service,
      delivery: 'lambda',
      details: { emulator: 'fauxqs (in process)', endpoint: emulator.endpoint, queueUrl: queue.queueUrl, deadLetterQueueUrl: queue.deadLetterQueueUrl },
      counts: () => ({ delivery: 'lambda event source simulator', ...counts }),
      async start() {
        started = true;
        mapping.start();
      },
      async close() {
        if (started) await mapping.stop();
        await service.close?.();
        await emulator.stop();
      },
    };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}
