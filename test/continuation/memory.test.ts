/**
 * A continuation over 100,000 items on the memory transport: a small time budget per link,
 * links that crash mid-way (their work since the last checkpoint is redone), hand-overs that
 * the transport loses (the chain stalls until the health check sends it again). Every item's
 * side effect happens exactly once with runOnce (idempotency) on, although items are redone.
 * CHAIN_ITEMS overrides the size.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { continueFrom } from '../../src/continuation/continue.ts';
import { checkChains } from '../../src/continuation/health.ts';
import { createMemoryChainStore } from '../../src/continuation/memory-store.ts';
import { runOnce } from '../../src/continuation/once.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { defineJob } from '../../src/job.ts';
import { createQueue } from '../../src/queue.ts';
import type { OutgoingJob } from '../../src/service.ts';
import { createWorker } from '../../src/worker.ts';

const ITEMS = Number(process.env.CHAIN_ITEMS ?? 100_000);

describe('continuation over 100,000 items on memory', () => {
  it(`processes ${ITEMS} items once each through crashed links and lost hand-overs, restarted by the health check`, async () => {
    const chains = createMemoryChainStore();
    const once = createMemoryIdempotencyStore();
    const effects = new Uint8Array(ITEMS); // side effects per item (runOnce-guarded)
    const attempts = new Uint32Array(ITEMS); // times an item was worked on (redone after crashes)
    let crashes = 0;
    let links = 0;
    const sumItems = defineJob({
      name: 'sum-items',
      schema: z.object({ items: z.int().min(1) }),
      timeoutMs: 5_000,
      maxAttempts: 10,
      backoff: { type: 'fixed', delayMs: 5 },
      continuation: { store: chains, budgetMs: 15, marginMs: 0, leaseMarginMs: 200, stallAfterMs: 150 },
      async handler({ items }, ctx) {
        const c = ctx.continuation!;
        links++;
        let next = (c.checkpoint as number | undefined) ?? 0;
        // Every 7th link dies half-way on its first attempt: what it did since the checkpoint is redone.
        const crashAt = c.link % 7 === 3 && ctx.attempt === 1 ? next + 300 : -1;
        while (next < items) {
          if (c.shouldYield()) return continueFrom(next, { done: next, total: items });
          if (next === crashAt) {
            crashes++;
            throw new Error(`worker crashed at item ${next}`);
          }
          const i = next;
          attempts[i]!++;
          await runOnce(once, `item:${i}`, () => {
            effects[i]!++;
          });
          next++;
        }
        return { processed: items };
      },
    });
    const base = createMemoryService({ queue: 'chains' });
    // The transport loses every 9th hand-over: the chain stalls until the health check.
    let sends = 0;
    let lost = 0;
    const service = Object.create(base) as typeof base;
    service.enqueue = async (jobs: readonly OutgoingJob[]) => {
      if (++sends % 9 === 0) {
        lost++;
        return jobs.map((j) => ({ id: j.id, ok: true as const }));
      }
      return base.enqueue(jobs);
    };
    const { id } = await createQueue({ service: base, jobs: [sumItems] }).enqueue(sumItems, { items: ITEMS });
    const workers = [1, 2].map(() => createWorker({ service, jobs: [sumItems], concurrency: 2, leaseMs: 2_000, waitMs: 20, handleSignals: false }));
    const restarted: string[] = [];

    await Promise.all(workers.map((w) => w.start()));
    const deadline = Date.now() + 80_000;
    for (;;) {
      const chain = await chains.get(id);
      if (chain?.state === 'done') break;
      if (Date.now() > deadline) throw new Error(`chain not done: ${JSON.stringify({ link: chain?.link, progress: chain?.progress, restarts: chain?.restarts })}`);
      // Two health checks at once: only one may restart a stalled chain.
      const reports = await Promise.all([checkChains({ store: chains, service: base }), checkChains({ store: chains, service: base })]);
      restarted.push(...reports.flatMap((r) => r.restarted));
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(workers.map((w) => w.stop()));

    const chain = (await chains.get(id))!;
    const twice = effects.reduce((n, e) => n + (e > 1 ? 1 : 0), 0);
    const missing = effects.reduce((n, e) => n + (e === 0 ? 1 : 0), 0);
    const redone = attempts.reduce((n, a) => n + (a > 1 ? 1 : 0), 0);
    console.log(`continuation: ${ITEMS} items, ${chain.link} checkpoints, ${links} link runs, ${crashes} crashes, ${redone} items redone, ${lost} hand-overs lost, ${restarted.length} restarts`);
    expect({ missing, twice }).toEqual({ missing: 0, twice: 0 });
    expect(chain).toMatchObject({ state: 'done', result: JSON.stringify({ processed: ITEMS }), progress: { done: expect.any(Number), total: ITEMS } });
    expect(crashes).toBeGreaterThan(0);
    expect(redone).toBeGreaterThan(0); // the crashes made work be done again: runOnce kept it from showing
    expect(lost).toBeGreaterThan(0);
    expect(restarted.length).toBeGreaterThan(0);
    expect(chain.restarts).toBe(restarted.length); // no restart was made twice by the concurrent checks
    expect(chain.link).toBeGreaterThan(10);
  }, 90_000);
});
