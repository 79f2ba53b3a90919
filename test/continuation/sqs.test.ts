/**
 * The continuation scenario (scenario.ts) on the SQS emulator (fauxqs, a standard queue, the
 * real @aws-sdk/client-sqs), through pull workers each with its own client: a thrown crash, a
 * worker stopped and one killed mid-link (its job comes back after its 1 s visibility), two
 * lost hand-overs restarted by the health check. CI runs 20,000 items; CHAIN_ITEMS=100000 the
 * full size.
 */
import { describe, it } from 'vitest';
import { sqsTransport } from '../patterns/transports.ts';
import { pullRunner, runChainScenario } from './scenario.ts';

const ITEMS = Number(process.env.CHAIN_ITEMS ?? 20_000);

describe('continuation on the SQS emulator', () => {
  it(`processes ${ITEMS} items once each through crashed, stopped and killed links and lost hand-overs`, async () => {
    const transport = await sqsTransport('chain', 1_000);
    try {
      await runChainScenario({
        transport,
        runner: pullRunner(transport, 2),
        items: ITEMS,
        budgetMs: 5,
        // A link's lease (timeout + margin, 600 ms) ends before its message's visibility (1 s):
        // a killed link's redelivery continues from the store. Nothing normal idles the chain
        // for 1.5 s (a retry waits 1 s, SQS's grain), so only a lost hand-over is a stall.
        timeoutMs: 500,
        leaseMarginMs: 100,
        stallAfterMs: 1_500,
        checkEveryMs: 100,
        faults: { throwAt: (link) => link === 6, stopAt: [14], killAt: [24], lose: (n) => n === 10 || n === 34 },
        withinMs: Math.max(60_000, ITEMS * 2),
      });
    } finally {
      await transport.close();
    }
  }, Math.max(90_000, ITEMS * 3));
});
