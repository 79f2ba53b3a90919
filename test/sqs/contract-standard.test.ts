/**
 * The shared contract suite, unchanged, on fauxqs: a standard queue, its dead-letter queue found
 * through the queue's redrive policy.
 */
import { createSqsService } from '../../adapters/sqs/index.ts';
import { runContractSuite } from '../contract/index.ts';
import { commonCapabilities as common } from './capabilities.ts';
import { freshQueue, sharedEmulator } from './helpers.ts';

runContractSuite('sqs standard queue (fauxqs)', {
  capabilities: {
    ...common,
    delay: true,
    dedupe: { unsupported: 'standard queues do not deduplicate; the dedupe key travels in the envelope for consumer-side idempotency' },
    groups: { unsupported: 'standard queues have no ordered groups; use a FIFO queue' },
  },
  async create() {
    const sqs = await sharedEmulator();
    // maxReceiveCount above anything the suite does: the redrive policy only names the DLQ here.
    const queue = await freshQueue('contract', { deadLetter: { maxReceiveCount: 50 } });
    const service = createSqsService({ queueUrl: queue.queueUrl, client: await sqs.client() });
    return { service, cleanup: () => queue.delete() };
  },
});
