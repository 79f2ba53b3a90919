/**
 * run() never rejects and never hangs: a throwing logger, a throwing or async schema, a hostile
 * thenable all end in the outcome the job deserves, with no unhandled rejection.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../adapters/memory/index.ts';
import { defineJob } from '../../src/job.ts';
import type { Logger } from '../../src/logger.ts';
import type { StandardSchemaV1 } from '../../src/schema.ts';
import { body, delivery, echoJob, testPipeline, watchUnhandledRejections } from './helpers.ts';

const throwingLogger = (where: 'log' | 'isEnabled'): Logger => ({
  isEnabled: () => {
    if (where === 'isEnabled') throw new Error('isEnabled broke');
    return true;
  },
  log: () => {
    throw new Error('log broke');
  },
});

function schemaOf(validate: StandardSchemaV1['~standard']['validate']): StandardSchemaV1 {
  return { '~standard': { version: 1, vendor: 'test', validate } };
}

let rejections: ReturnType<typeof watchUnhandledRejections>;
beforeEach(() => {
  rejections = watchUnhandledRejections();
});
afterEach(async () => {
  await new Promise((resolve) => setImmediate(resolve));
  expect(rejections.stop()).toEqual([]);
});

describe.each(['log', 'isEnabled'] as const)('with a logger whose %s throws', (where) => {
  const cases = [
    ['sync success', echoJob({ handler: () => 1 }), 'completed'],
    ['async success', echoJob({ handler: async () => 1 }), 'completed'],
    ['async failure', echoJob({ handler: async () => Promise.reject(new Error('x')) }), 'retry'],
    ['sync failure', echoJob({ handler: () => { throw new Error('x'); } }), 'retry'],
  ] as const;

  it.each(cases)('%s still gives its outcome', async (_, job, type) => {
    const { pipeline } = testPipeline([job], { logger: throwingLogger(where) as never });

    expect((await pipeline.run(delivery(body('echo', { n: 1 })))).type).toBe(type);
  });

  it('poison is still buried', async () => {
    const { pipeline } = testPipeline([echoJob()], { logger: throwingLogger(where) as never });

    expect(await pipeline.run(delivery('not json'))).toMatchObject({ type: 'buried', reason: 'malformed-json' });
    expect(await pipeline.run(delivery(body('echo', { n: 'x' })))).toMatchObject({ type: 'buried', reason: 'invalid-payload' });
  });

  it('a timeout is still reported (the watchdog path)', async () => {
    const clock = createManualClock();
    const { pipeline } = testPipeline([echoJob({ timeoutMs: 20, handler: () => new Promise(() => {}) })], { logger: throwingLogger(where) as never, now: clock.now });

    const run = pipeline.run(delivery(body('echo', { n: 1 })));
    await clock.advance(20);

    expect(await run).toMatchObject({ type: 'retry', error: { name: 'TimeoutError' } });
  });
});

describe('hostile schemas and results', () => {
  it('a schema that throws makes the payload invalid', async () => {
    const job = defineJob({ name: 'echo', schema: schemaOf(() => { throw new RangeError('schema bug'); }), handler: () => {} });
    const { pipeline } = testPipeline([job]);

    expect(await pipeline.run(delivery(body('echo', {})))).toMatchObject({ type: 'buried', reason: 'invalid-payload', detail: '(root): schema threw RangeError: schema bug' });
  });

  it('an async schema is awaited; its rejection makes the payload invalid', async () => {
    const ok = defineJob({ name: 'ok', schema: schemaOf(async (value) => ({ value })), handler: (p) => p });
    const bad = defineJob({ name: 'bad', schema: schemaOf(() => Promise.reject(new Error('remote schema down'))), handler: () => {} });
    const { pipeline } = testPipeline([ok, bad]);

    expect(await pipeline.run(delivery(body('ok', { a: 1 })))).toMatchObject({ type: 'completed', result: { a: 1 } });
    expect(await pipeline.run(delivery(body('bad', {})))).toMatchObject({ type: 'buried', reason: 'invalid-payload', detail: '(root): schema threw Error: remote schema down' });
  });

  it('a thenable whose then() throws is a retryable failure', async () => {
    const { pipeline } = testPipeline([echoJob({ handler: () => ({ then: () => { throw new Error('bad then'); } }) })]);

    expect(await pipeline.run(delivery(body('echo', { n: 1 })))).toMatchObject({ type: 'retry' });
  });

  it('ctx.touch resolves false on a push delivery, and calls the delivery touch on pull', async () => {
    const touched: number[] = [];
    const answers: boolean[] = [];
    const { pipeline } = testPipeline([echoJob({ ttrSeconds: 7, handler: async (_p, ctx) => void answers.push(await ctx.touch(), await ctx.touch(1_000)) })]);

    await pipeline.run(delivery(body('echo', { n: 1 })));
    await pipeline.run(delivery(body('echo', { n: 1 }), { touch: async (ms) => void touched.push(ms) }));

    expect(answers).toEqual([false, false, true, true]);
    expect(touched).toEqual([7_000, 1_000]);
  });
});
