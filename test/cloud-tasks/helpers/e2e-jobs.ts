/**
 * Jobs for the end-to-end tests: each records its calls; their payload says how they behave.
 */
import { z } from 'zod';
import { PermanentError } from '../../../src/errors.ts';
import { defineJob } from '../../../src/job.ts';

export interface Call {
  readonly job: string;
  readonly id: string;
  readonly attempt: number;
  readonly tag: string;
}

export function e2eJobs(options: { backoffMs?: number; maxAttempts?: number } = {}) {
  const calls: Call[] = [];
  const policy = { maxAttempts: options.maxAttempts ?? 5, backoff: { type: 'fixed' as const, delayMs: options.backoffMs ?? 2_000 } };
  const record = (job: string, ctx: { id: string; attempt: number }, tag: string) => calls.push({ job, id: ctx.id, attempt: ctx.attempt, tag });
  const ok = defineJob({ name: 'e2e.ok', schema: z.object({ tag: z.string() }), ...policy, handler: (p, ctx) => void record('e2e.ok', ctx, p.tag) });
  /** Fails its first `failures` attempts, then succeeds. */
  const flaky = defineJob({
    name: 'e2e.flaky',
    schema: z.object({ tag: z.string(), failures: z.number().int() }),
    ...policy,
    handler(p, ctx) {
      record('e2e.flaky', ctx, p.tag);
      if (ctx.attempt <= p.failures) throw new Error(`downstream unavailable (attempt ${ctx.attempt})`);
    },
  });
  const broken = defineJob({
    name: 'e2e.broken',
    schema: z.object({ tag: z.string() }),
    ...policy,
    handler(p, ctx) {
      record('e2e.broken', ctx, p.tag);
      throw new Error('downstream is down for good');
    },
  });
  const poison = defineJob({
    name: 'e2e.poison',
    schema: z.object({ tag: z.string() }),
    ...policy,
    handler(p, ctx) {
      record('e2e.poison', ctx, p.tag);
      throw new PermanentError('this order was cancelled');
    },
  });
  return { calls, jobs: [ok, flaky, broken, poison], ok, flaky, broken, poison };
}
