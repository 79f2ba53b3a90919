/**
 * The continuation scenario (scenario.ts) on the memory transport: 100,000 items, a 15 ms
 * budget per link, every 7th link crashing half-way, a worker stopped and one killed mid-link,
 * every 25th hand-over lost (the health check restarts the chain). CHAIN_ITEMS overrides the size.
 */
import { describe, it } from 'vitest';
import { memoryTransport } from '../patterns/transports.ts';
import { pullRunner, runChainScenario } from './scenario.ts';

const ITEMS = Number(process.env.CHAIN_ITEMS ?? 100_000);

describe('continuation over 100,000 items on memory', () => {
  it(`processes ${ITEMS} items once each through crashed, stopped and killed links and lost hand-overs, restarted by the health check`, async () => {
    const transport = memoryTransport(500);
    await runChainScenario({
      transport,
      runner: pullRunner(transport, 2),
      items: ITEMS,
      budgetMs: 15,
      timeoutMs: 300,
      leaseMarginMs: 50,
      stallAfterMs: 150,
      checkEveryMs: 50,
      faults: { throwAt: (link) => link % 7 === 3, stopAt: [12], killAt: [30], lose: (n) => n % 25 === 0 },
      withinMs: 80_000,
    });
  }, 120_000);
});
