/** fromPino: jobferry's Logger on a real pino instance writing to a stream. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { fromPino } from '../../src/logger-adapters.ts';
import { body, delivery, echoJob, testPipeline } from './helpers.ts';

function pinoSink(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level, base: { service: 'billing' } }, stream), lines };
}

describe('fromPino', () => {
  it('writes the record as fields and the event as msg, at the right pino level', () => {
    const { logger, lines } = pinoSink('debug');

    fromPino(logger).log('warn', { event: 'job.retry', job: 'a', delayMs: 5, error: { name: 'Error', message: 'x' } });

    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'job.retry', event: 'job.retry', job: 'a', delayMs: 5, error: { name: 'Error', message: 'x' }, service: 'billing' })]);
  });

  it("follows pino's level, also when it changes", () => {
    const { logger } = pinoSink('warn');
    const ours = fromPino(logger);

    expect([ours.isEnabled('info'), ours.isEnabled('warn')]).toEqual([false, true]);
    logger.level = 'debug';
    expect(ours.isEnabled('debug')).toBe(true);
  });

  it('redacts secrets before pino sees them, with extra keys', () => {
    const { logger, lines } = pinoSink('info');

    fromPino(logger, { redactKeys: ['iban'] }).log('info', { event: 'a', password: 'p', IBAN: 'DE00', ok: 1 });

    expect(lines[0]).toMatchObject({ password: '[redacted]', IBAN: '[redacted]', ok: 1 });
  });

  it('carries the pipeline lines with their fixed fields', async () => {
    const { logger, lines } = pinoSink('info');
    const { pipeline } = testPipeline([echoJob()], { logger: fromPino(logger) as never });

    await pipeline.run(delivery(body('echo', { n: 1 }), { attempt: 2 }));

    expect(lines).toEqual([expect.objectContaining({ level: 30, msg: 'job.completed', event: 'job.completed', job: 'echo', jobId: 'job-1', queue: 'q', adapter: 'memory', attempt: 2, outcome: 'completed', durationMs: expect.any(Number) })]);
  });
});
