/**
 * The batch scenario on jobferry's Cloud Tasks emulator, through the real @google-cloud/tasks
 * client: pull workers on a v2beta2 pull queue (leases, renewals, acknowledgements), buried
 * jobs in the paused dead-letter queue. CI runs 300 jobs; BATCH_SIZE=10000 runs the full size.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startEmulatorRig, type EmulatorRig } from '../cloud-tasks/helpers/emulator.ts';
import { runAdapterScenario } from './adapters.ts';

const SIZE = Number(process.env.BATCH_SIZE ?? 300);
let rig: EmulatorRig;
beforeAll(async () => void (rig = await startEmulatorRig()));
afterAll(() => rig?.close());

describe('batch on the Cloud Tasks emulator', () => {
  it(`counts ${SIZE} jobs exactly; finished runs once`, async () => {
    const { queueId, deadLetterQueueId } = await rig.queues('pull');
    const service = rig.service({ queueId, deadLetterQueueId, mode: 'pull' });
    await runAdapterScenario({ service, size: SIZE, workers: 2, worker: { concurrency: 16, leaseMs: 1_000, waitMs: 500 }, timeoutMs: Math.max(60_000, SIZE * 30), label: 'cloud-tasks' });
  }, Math.max(90_000, SIZE * 40));
});
