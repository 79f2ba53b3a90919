/** fromPowertools: jobferry's Logger on a real @aws-lambda-powertools/logger Logger. */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromPowertools } from '../../src/logger-adapters.ts';
import { body, delivery, echoJob, testPipeline } from './helpers.ts';

let written: string[];
beforeEach(() => {
  written = [];
  // Powertools writes through a Console bound to process.stdout (and stderr for errors in some modes).
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

const lines = () => written.flatMap((w) => w.split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('fromPowertools', () => {
  it('writes the event as the message and the record as attributes, at the right level', () => {
    const logger = new Logger({ serviceName: 'billing', logLevel: 'DEBUG' });

    fromPowertools(logger).log('error', { event: 'job.buried', job: 'a', reason: 'permanent-error', error: { name: 'PermanentError', message: 'no' } });

    expect(lines()).toEqual([expect.objectContaining({ level: 'ERROR', message: 'job.buried', service: 'billing', event: 'job.buried', job: 'a', reason: 'permanent-error', error: { name: 'PermanentError', message: 'no' } })]);
  });

  it("follows the Logger's level, also when it changes at run time", () => {
    const logger = new Logger({ logLevel: 'WARN' });
    const ours = fromPowertools(logger);

    expect((['debug', 'info', 'warn', 'error'] as const).map((l) => ours.isEnabled(l))).toEqual([false, false, true, true]);
    logger.setLogLevel('DEBUG');
    expect(ours.isEnabled('debug')).toBe(true);
    logger.setLogLevel('SILENT');
    expect(ours.isEnabled('error')).toBe(false);
  });

  it('redacts secrets, with extra keys', () => {
    const logger = new Logger({ logLevel: 'INFO' });

    fromPowertools(logger, { redactKeys: ['iban'] }).log('info', { event: 'a', clientSecret: 's', iban: 'DE00', ok: 1 });

    expect(lines()[0]).toMatchObject({ clientSecret: '[redacted]', iban: '[redacted]', ok: 1 });
  });

  it('carries the pipeline lines with their fixed fields', async () => {
    const logger = new Logger({ serviceName: 'worker', logLevel: 'INFO' });
    const { pipeline } = testPipeline([echoJob({ handler: () => { throw new Error('flaky'); } })], { logger: fromPowertools(logger) as never });

    await pipeline.run(delivery(body('echo', { n: 1 })));

    expect(lines()).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'job.retry', event: 'job.retry', job: 'echo', jobId: 'job-1', queue: 'q', adapter: 'memory', attempt: 1, outcome: 'retry', delayMs: expect.any(Number), durationMs: expect.any(Number), error: { name: 'Error', message: 'flaky' } }),
    ]);
  });
});
