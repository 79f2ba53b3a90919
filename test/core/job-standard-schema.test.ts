/**
 * Standard Schema end to end: a zod 4 job and a valibot job, enqueued through the producer
 * (validated there), carried by the memory adapter, run by a pull worker through the pipeline
 * (validated again, the handler getting the schema's output), and refused or buried when bad.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/job.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';
import { body, delivery, manualService, testPipeline, until } from './helpers.ts';

function jobs() {
  const seen: Array<{ job: string; payload: unknown }> = [];
  const zodJob = defineJob({
    name: 'zod-job',
    schema: z.object({ email: z.email(), count: z.coerce.number().int().min(1), tags: z.array(z.string()).default([]) }),
    handler: (payload) => void seen.push({ job: 'zod-job', payload }),
  });
  const valibotJob = defineJob({
    name: 'valibot-job',
    schema: v.object({ id: v.pipe(v.string(), v.uuid()), level: v.optional(v.picklist(['low', 'high']), 'low'), at: v.pipe(v.string(), v.transform((s) => s.toUpperCase())) }),
    handler: (payload) => void seen.push({ job: 'valibot-job', payload }),
  });
  return { zodJob, valibotJob, seen };
}

describe('Standard Schema end to end', () => {
  it('zod and valibot jobs go through producer, memory and worker; handlers get the parsed output', async () => {
    const { zodJob, valibotJob, seen } = jobs();
    const { service } = manualService();
    const queue = createQueue({ service });
    const worker = createWorker({ service, jobs: [zodJob, valibotJob], handleSignals: false, waitMs: 60_000 });

    await queue.enqueue(zodJob, { email: 'a@example.com', count: '3' });
    await queue.enqueue(valibotJob, { id: '6f1c1b43-7f6e-4a50-9c1a-2f8a7c3e9d10', at: 'noon' });
    await worker.start();
    await until(() => worker.counts.completed === 2 && worker.inFlight === 0, 'both jobs done');
    await worker.stop();

    expect(seen).toEqual([
      { job: 'zod-job', payload: { email: 'a@example.com', count: 3, tags: [] } },
      { job: 'valibot-job', payload: { id: '6f1c1b43-7f6e-4a50-9c1a-2f8a7c3e9d10', level: 'low', at: 'NOON' } },
    ]);
    expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0, buried: 0 });
  });

  it('the producer refuses bad payloads for both, with their issues', async () => {
    const { zodJob, valibotJob } = jobs();
    const queue = createQueue({ service: manualService().service });

    await expect(queue.enqueue(zodJob, { email: 'nope', count: 0 })).rejects.toThrow(/invalid payload: email: Invalid email address; count: Too small/);
    await expect(queue.enqueue(valibotJob, { id: 'x', at: 'noon' })).rejects.toThrow(/invalid payload: id: Invalid UUID/);
  });

  it('a bad payload that arrives anyway (another producer) is buried with the schema issues, for both', async () => {
    const { zodJob, valibotJob, seen } = jobs();
    const { pipeline } = testPipeline([zodJob, valibotJob]);

    const outcomes = [await pipeline.run(delivery(body('zod-job', { email: 1 }))), await pipeline.run(delivery(body('valibot-job', { id: 5 })))];

    expect(outcomes).toEqual([
      expect.objectContaining({ type: 'buried', reason: 'invalid-payload', detail: expect.stringMatching(/^email: Invalid input: expected string, received number; count: /) }),
      expect.objectContaining({ type: 'buried', reason: 'invalid-payload', detail: expect.stringMatching(/^id: Invalid type: Expected string but received 5; at: /) }),
    ]);
    expect(seen).toEqual([]);
  });
});
