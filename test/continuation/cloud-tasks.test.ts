/**
 * The continuation scenario (scenario.ts) on the Cloud Tasks emulator, pull queues (v2beta2
 * leases) through the real @google-cloud/tasks client, pull workers each with its own client:
 * a thrown crash, a worker stopped and one killed mid-link (its task comes back when its 1 s
 * lease ends), two lost hand-overs restarted by the health check. CI runs 5,000 items;
 * CHAIN_ITEMS=100000 the full size.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startEmulatorRig, type EmulatorRig } from '../cloud-tasks/helpers/emulator.ts';
import { cloudTasksTransport } from '../patterns/transports.ts';
import { pullRunner, runChainScenario } from './scenario.ts';

const ITEMS = Number(process.env.CHAIN_ITEMS ?? 5_000);
let rig: EmulatorRig;
beforeAll(async () => void (rig = await startEmulatorRig()));
afterAll(() => rig?.close());

describe('continuation on the Cloud Tasks emulator', () => {
  it(`processes ${ITEMS} items once each through crashed, stopped and killed links and lost hand-overs`, async () => {
    const transport = await cloudTasksTransport(rig, 1_000);
    await runChainScenario({
      transport,
      runner: pullRunner(transport, 2),
      items: ITEMS,
      budgetMs: 4,
      // As on SQS: the link's lease (600 ms) ends before the task's lease (1 s); only a lost
      // hand-over idles the chain for 1.5 s.
      timeoutMs: 500,
      leaseMarginMs: 100,
      stallAfterMs: 1_500,
      checkEveryMs: 100,
      faults: { throwAt: (link) => link === 2, stopAt: [5], killAt: [8], lose: (n) => n === 3 || n === 11 },
      withinMs: Math.max(60_000, ITEMS * 5),
    });
  }, Math.max(90_000, ITEMS * 8));
});
