/**
 * Payload types are inferred from the schema (checked by tsc, which runs on the test folder):
 * the handler sees the schema's output, the producer passes its input, and a typed job fits
 * wherever the core takes any job.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as v from 'valibot';
import { z } from 'zod';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { defineJob, type AnyJob, type JobContext, type JobInput } from '../../src/job.ts';
import { createPipeline } from '../../src/pipeline.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';

describe('payload type inference', () => {
  it('gives the handler the output of a zod schema and the producer its input', () => {
    const job = defineJob({
      name: 'typed',
      schema: z.object({ to: z.string(), retries: z.number().default(3) }),
      handler(payload, ctx) {
        expectTypeOf(payload).toEqualTypeOf<{ to: string; retries: number }>();
        expectTypeOf(ctx).toEqualTypeOf<JobContext>();
      },
    });

    expectTypeOf<JobInput<typeof job>>().toEqualTypeOf<{ to: string; retries?: number | undefined }>();
    expect(job.name).toBe('typed');
  });

  it('infers a valibot schema the same way', () => {
    const job = defineJob({
      name: 'typed-valibot',
      schema: v.object({ id: v.pipe(v.string(), v.uuid()), count: v.optional(v.number(), 1) }),
      handler(payload) {
        expectTypeOf(payload).toEqualTypeOf<{ id: string; count: number }>();
      },
    });

    expectTypeOf<JobInput<typeof job>>().toEqualTypeOf<{ id: string; count?: number | undefined }>();
    expect(job.name).toBe('typed-valibot');
  });

  it('lets a typed job go wherever any job is taken', () => {
    const job = defineJob({ name: 'a', schema: z.object({ n: z.number() }), handler: (p) => p.n });
    const service = createMemoryService();

    expectTypeOf(job).toExtend<AnyJob>();
    const pipeline = createPipeline({ jobs: [job], adapter: 'memory', queue: 'q', maxBodyBytes: 1024 });
    const worker = createWorker({ service, jobs: { job }, handleSignals: false });

    expect(pipeline.jobs.get('a')).toBe(job);
    expect(worker.inFlight).toBe(0);
  });

  it('checks the payload a producer passes', async () => {
    const job = defineJob({ name: 'a', schema: z.object({ n: z.number() }), handler: () => {} });
    const queue = createQueue({ service: createMemoryService() });

    // @ts-expect-error n must be a number
    await expect(queue.enqueue(job, { n: 'one' })).rejects.toThrow(/n: Invalid input/);
    await expect(queue.enqueue(job, { n: 1 })).resolves.toMatchObject({ deduplicated: false });
  });
});
