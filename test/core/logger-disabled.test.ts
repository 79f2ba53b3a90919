/**
 * A disabled level costs almost nothing: callers ask isEnabled() before building a record, so a
 * logger that reports every level disabled receives no log() call at all, whatever the outcome.
 */
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../adapters/memory/index.ts';
import { PermanentError } from '../../src/errors.ts';
import { createQueue } from '../../src/queue.ts';
import { body, delivery, echoJob, manualService, spyLogger, testPipeline } from './helpers.ts';

describe('disabled levels', () => {
  it('the pipeline asks isEnabled and builds no record for any outcome', async () => {
    const logger = spyLogger(false);
    const clock = createManualClock();
    const { pipeline } = testPipeline(
      [
        echoJob({ name: 'ok', logPayload: true }),
        echoJob({ name: 'fails', handler: () => { throw new Error('x'); } }),
        echoJob({ name: 'permanent', handler: () => { throw new PermanentError('x'); } }),
        echoJob({ name: 'logs', handler: (_p, ctx) => ctx.logger.isEnabled('info') && ctx.logger.log('info', { event: 'app.x' }) }),
      ],
      { logger: logger as never, now: clock.now },
    );
    const bodies = [
      body('ok', { n: 1 }), body('fails', { n: 1 }), body('permanent', { n: 1 }), body('logs', { n: 1 }),
      body('ok', { n: 'bad' }), body('missing', {}), '{', body('ok', { n: 1 }, { notBefore: clock.now() + 60_000 }),
    ];

    for (const text of bodies) await pipeline.run(delivery(text));
    await pipeline.run(delivery(body('ok', { n: 1 }), { attempt: 99 }));

    expect(logger.logCalls).toEqual([]);
    expect(logger.isEnabledCalls).toBeGreaterThanOrEqual(bodies.length);
  });

  it('the producer builds no record when debug is off', async () => {
    const logger = spyLogger(false);
    const queue = createQueue({ service: manualService().service, logger });

    await queue.enqueue(echoJob(), { n: 1 });
    await queue.enqueueMany([{ job: echoJob(), payload: { n: 2 } }]);

    expect(logger.logCalls).toEqual([]);
  });

  it('an enabled spy sees the lines: the check above is not vacuous', async () => {
    const logger = spyLogger(true);
    const { pipeline } = testPipeline([echoJob()], { logger: logger as never });

    await pipeline.run(delivery(body('echo', { n: 1 })));

    expect(logger.logCalls.map((r) => r.event)).toEqual(['job.received', 'job.completed']);
  });
});
