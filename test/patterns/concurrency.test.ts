/**
 * Concurrency caps: `concurrency: N` is never exceeded, by the pull worker (several pollers)
 * nor by the in-memory dispatcher, while both keep N jobs running when there is work.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMemoryDispatcher, createMemoryService } from '../../adapters/memory/index.ts';
import { applyOutcome } from '../../src/apply-outcome.ts';
import { defineJob } from '../../src/job.ts';
import { createPipeline } from '../../src/pipeline.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';
import { until } from '../core/helpers.ts';

function gauge() {
  let running = 0;
  let max = 0;
  let done = 0;
  const job = defineJob({
    name: 'query-db',
    schema: z.object({ n: z.int() }),
    async handler({ n }) {
      running++;
      max = Math.max(max, running);
      await new Promise((r) => setTimeout(r, 1 + (n % 4)));
      running--;
      done++;
    },
  });
  return { job, get max() { return max; }, get done() { return done; } };
}

describe('concurrency caps', () => {
  it.each([1, 3, 8])('the pull worker runs at most %i jobs at once (3 pollers)', async (n) => {
    const g = gauge();
    const service = createMemoryService();
    await createQueue({ service, jobs: [g.job] }).enqueueMany(Array.from({ length: 200 }, (_, i) => ({ job: g.job, payload: { n: i } })));
    const worker = createWorker({ service, jobs: [g.job], concurrency: n, pollers: 3, batchSize: 10, waitMs: 10, handleSignals: false });
    await worker.start();
    await until(() => g.done === 200, 'all 200 jobs done', 20_000);
    await worker.stop();
    expect(g.max).toBe(n);
  });

  it.each([1, 3, 8])('the memory dispatcher runs at most %i deliveries at once', async (n) => {
    const g = gauge();
    const service = createMemoryService();
    await createQueue({ service, jobs: [g.job] }).enqueueMany(Array.from({ length: 200 }, (_, i) => ({ job: g.job, payload: { n: i } })));
    const pipeline = createPipeline({ jobs: [g.job], adapter: 'memory', queue: service.queue, maxBodyBytes: service.limits.maxBodyBytes, followUp: service });
    const dispatcher = createMemoryDispatcher({
      service,
      concurrency: n,
      waitMs: 10,
      deliver: async (job) => applyOutcome(service, job, await pipeline.run({ body: job.body, attempt: job.attempt, transportId: job.transportId })),
    });
    dispatcher.start();
    await until(() => g.done === 200, 'all 200 jobs done', 20_000);
    await dispatcher.stop();
    expect(g.max).toBe(n);
  });
});
