/**
 * Job log lines: the fixed field set of DESIGN.md on every line, whatever happened; payloads
 * only when the job asks; secrets redacted; traceId from the envelope's traceparent.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '../../adapters/memory/index.ts';
import { PermanentError } from '../../src/errors.ts';
import { defineJob, type AnyJob } from '../../src/job.ts';
import { createJsonLogger, type LogRecord } from '../../src/logger.ts';
import { body, delivery, echoJob, testPipeline } from './helpers.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const IDENTITY = { job: 'echo', jobId: 'job-1', queue: 'q', adapter: 'memory', attempt: 2, transportId: 't-1', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' };

function jsonPipeline(job: AnyJob = echoJob(), logOptions: { redactKeys?: string[] } = {}) {
  const lines: Array<LogRecord & { level: string; time: string }> = [];
  const clock = createManualClock();
  const logger = createJsonLogger({ level: 'debug', now: clock.now, write: (line) => lines.push(JSON.parse(line)), ...logOptions });
  const { pipeline } = testPipeline([job], { logger, now: clock.now });
  return { pipeline, lines, clock };
}

const traced = (payload: unknown = { n: 1 }) => delivery(body('echo', payload, { traceparent: TRACEPARENT }), { attempt: 2 });

describe('job log lines', () => {
  it('completed: received (debug) then completed (info), with identity, outcome and durationMs', async () => {
    const { pipeline, lines, clock } = jsonPipeline(echoJob({ handler: async () => clock.advance(42) }));

    await pipeline.run(traced());

    expect(lines).toEqual([
      { time: expect.any(String), level: 'debug', event: 'job.received', ...IDENTITY },
      { time: expect.any(String), level: 'info', event: 'job.completed', ...IDENTITY, outcome: 'completed', durationMs: 42 },
    ]);
  });

  it('retry: outcome, durationMs, delayMs and the error as {name, message}', async () => {
    const { pipeline, lines } = jsonPipeline(echoJob({ backoff: { type: 'fixed', delayMs: 9 }, handler: () => { throw new TypeError('db down'); } }));

    await pipeline.run(traced());

    expect(lines.at(-1)).toEqual({ time: expect.any(String), level: 'warn', event: 'job.retry', ...IDENTITY, outcome: 'retry', durationMs: 0, delayMs: 9, error: { name: 'TypeError', message: 'db down' } });
  });

  it('buried by the handler: outcome, reason, detail, error and durationMs', async () => {
    const { pipeline, lines, clock } = jsonPipeline(echoJob({ handler: async () => { await clock.advance(5); throw new PermanentError('card declined'); } }));

    await pipeline.run(traced());

    expect(lines.at(-1)).toEqual({
      time: expect.any(String), level: 'error', event: 'job.buried', ...IDENTITY,
      outcome: 'buried', reason: 'permanent-error', detail: 'card declined', error: { name: 'PermanentError', message: 'card declined' }, durationMs: 5,
    });
  });

  it('attempts exhausted before running: job.buried without durationMs or error', async () => {
    const { pipeline, lines } = jsonPipeline(echoJob({ maxAttempts: 1 }));

    await pipeline.run(traced());

    expect(lines).toEqual([{ time: expect.any(String), level: 'error', event: 'job.buried', ...IDENTITY, outcome: 'buried', reason: 'attempts-exhausted', detail: 'delivery 2 exceeds maxAttempts 1' }]);
  });

  it('invalid payload: job.invalid with the schema issues', async () => {
    const { pipeline, lines } = jsonPipeline();

    await pipeline.run(traced({ n: 'one' }));

    expect(lines).toEqual([{ time: expect.any(String), level: 'error', event: 'job.invalid', ...IDENTITY, outcome: 'buried', reason: 'invalid-payload', detail: 'n: Invalid input: expected number, received string' }]);
  });

  it('an undecodable body: job.invalid with what is known (no job, no jobId)', async () => {
    const { pipeline, lines } = jsonPipeline();

    await pipeline.run(delivery('{oops', { attempt: 3 }));

    expect(lines).toEqual([{ time: expect.any(String), level: 'error', event: 'job.invalid', queue: 'q', adapter: 'memory', attempt: 3, transportId: 't-1', outcome: 'buried', reason: 'malformed-json', detail: expect.any(String) }]);
  });

  it('unknown job: job.invalid naming the job', async () => {
    const { pipeline, lines } = jsonPipeline();

    await pipeline.run(delivery(body('nope', {})));

    expect(lines[0]).toMatchObject({ event: 'job.invalid', job: 'nope', jobId: 'job-1', reason: 'unknown-job', detail: 'no job definition named "nope" on this worker' });
  });

  it.each([
    ['not a traceparent', 'hello'],
    ['non-hex trace id', '00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01'],
    ['all-zero trace id (invalid in W3C trace context)', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
  ])('no traceId for %s', async (_, traceparent) => {
    const { pipeline, lines } = jsonPipeline();

    await pipeline.run(delivery(body('echo', { n: 1 }, { traceparent })));

    expect(lines.every((l) => !('traceId' in l))).toBe(true);
  });
});

describe('payloads and secrets in log lines', () => {
  const secretPayload = { n: 1, text: 'hello', password: 'hunter2', cardToken: 'tok_123', nested: { apiKey: 'k', pin: '1234' } };

  it('are not logged unless the job asks', async () => {
    const { pipeline, lines } = jsonPipeline();

    await pipeline.run(traced({ n: 1, text: 'private' }));
    await pipeline.run(traced({ n: 'bad', text: 'private' }));

    expect(JSON.stringify(lines)).not.toContain('private');
    expect(lines.every((l) => !('payload' in l))).toBe(true);
  });

  it('with logPayload: on job.received and job.invalid, secrets redacted (built-in names, secretFields, logger redactKeys)', async () => {
    const job = defineJob({ name: 'echo', schema: z.looseObject({ n: z.number() }), logPayload: true, secretFields: ['cardToken'], handler: () => {} });
    const { pipeline, lines } = jsonPipeline(job, { redactKeys: ['pin'] });

    await pipeline.run(traced(secretPayload));
    await pipeline.run(traced({ ...secretPayload, n: 'bad' }));

    const received = lines.find((l) => l.event === 'job.received')!;
    const invalid = lines.find((l) => l.event === 'job.invalid')!;
    const redacted = { n: 1, text: 'hello', password: '[redacted]', cardToken: '[redacted]', nested: { apiKey: '[redacted]', pin: '[redacted]' } };
    expect(received.payload).toEqual(redacted);
    expect(invalid.payload).toEqual({ ...redacted, n: 'bad' });
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|tok_123|"k"|1234/);
  });
});
