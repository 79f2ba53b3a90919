/**
 * Depth bombs (5,000 and 200,000 nested arrays) as whole bodies, as payloads, through the
 * producer, the memory transport and a pull worker, the HTTP API, and out of handlers (results,
 * log records, errors): each is refused with `too-deep` (or its producer-side message) before
 * JSON.parse sees it, nothing crashes, and no RangeError shows anywhere, the logs included.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { ValidationError } from '../../src/errors.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { defineJob } from '../../src/job.ts';
import { createPipeline } from '../../src/pipeline.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';
import { RANGE_ERROR, tally } from './figures.ts';
import { capturingLogger, crashTrap, envelopeText, nestedArrays, post, startHazardApp } from './helpers.ts';

const DEPTHS = [5_000, 200_000] as const;

/** A value nested `depth` arrays deep, built without recursion. */
function deepValue(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Spies on JSON.parse (this test only) and answers whether it was ever called with a text containing `marker`. */
function parseSpy() {
  const spy = vi.spyOn(JSON, 'parse');
  return { parsed: (marker: string) => spy.mock.calls.some(([text]) => typeof text === 'string' && text.includes(marker)) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const anyJob = defineJob({ name: 'any', schema: z.unknown(), logPayload: true, handler: () => 'ok' });

describe.each(DEPTHS)('a depth bomb of %i nested arrays', (depth) => {
  const bomb = nestedArrays(depth);

  it('as a body and as a payload: buried too-deep by the pipeline before parsing, as text and as bytes', async () => {
    const logger = capturingLogger();
    const { parsed } = parseSpy();
    const pipeline = createPipeline({ jobs: [anyJob], adapter: 'memory', queue: 'q', maxBodyBytes: 4 * 1024 * 1024, logger });
    const bodies = [bomb, envelopeText('any', bomb), new TextEncoder().encode(envelopeText('any', bomb))];
    const count = tally('depth-bomb', 'pipeline', { text: logger.text, crashes: crashTrap().crashes });
    const outcomes = await Promise.all(bodies.map((body) => pipeline.run({ body, attempt: 1 })));
    const reasons = outcomes.map((o) => (o.type === 'buried' ? o.reason : o.type));
    count.cases = bodies.length;
    count.failures = parsed('[[[[[[[[') ? bodies.length : reasons.filter((r) => r !== 'too-deep').length;
    expect(reasons).toEqual(['too-deep', 'too-deep', 'too-deep']);
    expect(parsed('[[[[[[[[')).toBe(false);
    expect(logger.count('job.invalid')).toBe(3);
    expect(logger.text()).not.toMatch(RANGE_ERROR);
  });

  it('end to end on the memory transport: a raw body is buried too-deep by the worker, kept whole; the producer refuses the value with its reason', async () => {
    const { crashes } = crashTrap();
    const logger = capturingLogger();
    const service = createMemoryService({ maxBodyBytes: 4 * 1024 * 1024 });
    const worker = createWorker({ service, jobs: [anyJob], waitMs: 20, handleSignals: false, logger });
    const count = tally('depth-bomb', 'memory', { text: logger.text, crashes });
    const body = envelopeText('any', bomb, 'bomb-1');
    await service.enqueue([{ id: 'bomb-1', name: 'any', body, delayMs: 0 }]);
    await worker.start();
    await logger.waitFor((r) => r.event === 'job.invalid');
    await worker.stop();
    const [buried] = await service.listBuried();
    const refused = await createQueue({ service, jobs: [anyJob] }).enqueue(anyJob, deepValue(depth)).then(() => undefined, (e: unknown) => e);
    count.cases = 2;
    count.failures = Number(buried?.reason !== 'too-deep' || buried.body !== body) + Number(!(refused instanceof ValidationError));
    expect(buried).toMatchObject({ reason: 'too-deep', detail: 'JSON nested deeper than 64 levels' });
    expect(buried?.body).toBe(body);

    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as Error).message).toBe('[memory] enqueue of job any rejected: payload is nested deeper than 63 levels');
    expect(logger.text()).not.toMatch(RANGE_ERROR);
    expect(crashes).toEqual([]);
  });

  it('through the HTTP API: 400 too-deep, single and batch, before JSON.parse, and nothing enqueued', async () => {
    const logger = capturingLogger();
    const app = await startHazardApp([anyJob], logger, { maxBodyBytes: 4 * 1024 * 1024 });
    const { parsed } = parseSpy();
    const count = tally('depth-bomb', 'http-api', { text: logger.text, crashes: crashTrap().crashes });
    const single = await post(`${app.url}/jobs/any`, bomb);
    const batch = await post(`${app.url}/jobs/any/batch`, `[${bomb}]`);
    count.cases = 2;
    count.failures = parsed('[[[[[[[[') ? 2 : [single, batch].filter((a) => a.status !== 400 || !a.text.includes('"too-deep"')).length;
    expect([single.status, JSON.parse(single.text).error]).toEqual([400, 'too-deep']);
    expect([batch.status, JSON.parse(batch.text).error]).toEqual([400, 'too-deep']);
    expect(parsed('[[[[[[[[')).toBe(false);
    expect(await app.service.stats?.()).toMatchObject({ ready: 0, buried: 0 });
    expect(logger.text()).not.toMatch(RANGE_ERROR);
  });

  it('out of a handler (its result, its log record, its error): the job completes or retries, the logs stay bounded', async () => {
    const logger = capturingLogger();
    const deep = deepValue(depth);
    const cause = Object.assign(new Error('deep failure'), { detail: deep });
    const jobs = [
      defineJob({ name: 'returns-deep', schema: z.unknown(), idempotency: { store: createMemoryIdempotencyStore() }, handler: () => deep }),
      defineJob({ name: 'logs-deep', schema: z.unknown(), handler: (_p, ctx) => void ctx.logger.log('info', { event: 'handler.note', deep, nested: { deep } }) }),
      defineJob({ name: 'throws-deep', schema: z.unknown(), handler: () => { throw new Error('failed', { cause }); } }),
    ];
    const pipeline = createPipeline({ jobs, adapter: 'memory', queue: 'q', maxBodyBytes: 1_048_576, logger });
    const count = tally('depth-bomb', 'pipeline', { text: logger.text, crashes: crashTrap().crashes });
    const outcomes = await Promise.all(jobs.map((job) => pipeline.run({ body: envelopeText(job.name, '{}'), attempt: 1 })));
    count.cases = jobs.length;
    count.failures = outcomes.filter((o, i) => o.type !== ['completed', 'completed', 'retry'][i]).length + logger.lines.filter((l) => l.length >= 64 * 1024).length;
    expect(outcomes.map((o) => o.type)).toEqual(['completed', 'completed', 'retry']);
    expect(logger.count('idempotency.result-not-kept')).toBe(1);
    // The JSON logger's own output (what reaches stdout) is bounded and free of stack overflows.
    expect(logger.lines.join('\n')).not.toMatch(RANGE_ERROR);
    expect(Math.max(...logger.lines.map((l) => l.length))).toBeLessThan(64 * 1024);
    expect(logger.lines.find((l) => l.includes('"handler.note"'))).toContain('[too deep]');
  });
});
