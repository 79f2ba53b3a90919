/**
 * The batch scenario on the SQS emulator (fauxqs, the real @aws-sdk/client-sqs): pull workers,
 * lost acks (visibility expiry redelivers), duplicate sends, retries through visibility,
 * poison to the dead-letter queue. CI runs 1,000 jobs; BATCH_SIZE=10000 runs the full size.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, it } from 'vitest';
import { createSqsService } from '../../adapters/sqs/index.ts';
import { freshQueue, sharedEmulator } from '../sqs/helpers.ts';
import { runAdapterScenario } from './adapters.ts';

const SIZE = Number(process.env.BATCH_SIZE ?? 1_000);

describe('batch on the SQS emulator', () => {
  it(`counts ${SIZE} jobs exactly; finished runs once`, async () => {
    const sqs = await sharedEmulator();
    const queue = await freshQueue('batch', { deadLetter: { maxReceiveCount: 50 } });
    const service = createSqsService({ queueUrl: queue.queueUrl, client: new SQSClient(sqs.clientConfig) });
    await runAdapterScenario({ service, size: SIZE, workers: 2, worker: { concurrency: 32, pollers: 2, leaseMs: 1_000, waitMs: 1_000 }, timeoutMs: Math.max(60_000, SIZE * 20), label: 'sqs' });
  }, Math.max(90_000, SIZE * 30));
});
