/**
 * The shared contract suite, unchanged, on fauxqs: a FIFO queue, its FIFO dead-letter queue given.
 */
import { createSqsService } from '../../adapters/sqs/index.ts';
import { runContractSuite } from '../contract/index.ts';
import { commonCapabilities as common } from './capabilities.ts';
import { freshQueue, sharedEmulator } from './helpers.ts';

runContractSuite('sqs FIFO queue (fauxqs)', {
  capabilities: {
    ...common,
    delay: { unsupported: 'FIFO queues have no per-message delay (DelaySeconds is a queue setting)' },
    // SQS answers a duplicate with the first message's id and no flag saying it was dropped.
    dedupe: 'silent',
    groups: true,
  },
  async create() {
    const sqs = await sharedEmulator();
    const queue = await freshQueue('contract', { fifo: true, deadLetter: { maxReceiveCount: 50 } });
    const service = createSqsService({ queueUrl: queue.queueUrl, deadLetterQueueUrl: queue.deadLetterQueueUrl, client: await sqs.client() });
    return { service, cleanup: () => queue.delete() };
  },
});
