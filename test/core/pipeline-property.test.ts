/**
 * A fast-check property over random deliveries: the pipeline's outcome is exactly the one its
 * contract gives, the handler runs only when it should, and each delivery gets one outcome and
 * one final log line (a late result after a timeout changes nothing).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../adapters/memory/index.ts';
import { backoffDelayMs, type Backoff } from '../../src/backoff.ts';
import { PermanentError, RetryLaterError } from '../../src/errors.ts';
import type { Outcome } from '../../src/outcome.ts';
import { body, deferred, echoJob, linesOf, testPipeline } from './helpers.ts';

type Body = 'valid' | 'bad-json' | 'not-an-envelope' | 'unknown-job' | 'invalid-payload' | 'too-large' | 'bad-version';
type Behaviour = 'ok' | 'sync-ok' | 'throws' | 'sync-throws' | 'permanent' | 'retry-later' | 'hangs' | 'late-ok' | 'late-fail';

interface Case {
  body: Body;
  behaviour: Behaviour;
  maxAttempts: number;
  attemptOffset: number;
  backoff: Backoff;
  retryLaterMs: number;
}

const TIMEOUT_MS = 20;
const MAX_BODY = 400;

const caseArb: fc.Arbitrary<Case> = fc.record({
  body: fc.constantFrom<Body>('valid', 'valid', 'valid', 'bad-json', 'not-an-envelope', 'unknown-job', 'invalid-payload', 'too-large', 'bad-version'),
  behaviour: fc.constantFrom<Behaviour>('ok', 'sync-ok', 'throws', 'sync-throws', 'permanent', 'retry-later', 'hangs', 'late-ok', 'late-fail'),
  maxAttempts: fc.integer({ min: 1, max: 5 }),
  attemptOffset: fc.integer({ min: -3, max: 2 }),
  backoff: fc.oneof(
    fc.record({ type: fc.constant('fixed' as const), delayMs: fc.integer({ min: 0, max: 10_000 }) }),
    fc.record({ type: fc.constant('list' as const), delaysMs: fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 4 }) }),
    fc.record({ type: fc.constant('exponential' as const), baseMs: fc.integer({ min: 0, max: 1_000 }), jitter: fc.constantFrom('none' as const, 'full' as const, 'equal' as const) }),
  ),
  retryLaterMs: fc.integer({ min: 0, max: 100_000 }),
});

function bodyOf(kind: Body): string {
  switch (kind) {
    case 'valid': return body('echo', { n: 1 });
    case 'bad-json': return '{"v":1,';
    case 'not-an-envelope': return '{"v":1,"id":"x"}';
    case 'unknown-job': return body('other', { n: 1 });
    case 'invalid-payload': return body('echo', { n: 'one' });
    case 'too-large': return body('echo', { n: 1, text: 'x'.repeat(MAX_BODY) });
    case 'bad-version': return JSON.stringify({ v: 9, id: 'a', name: 'echo', payload: {}, createdAt: 'x' });
  }
}

/** The contract, written out independently of the pipeline's code. */
function expected(c: Case, attempt: number, random: () => number): { outcome: Partial<Outcome> & Record<string, unknown>; handlerRuns: boolean } {
  const poison = { 'bad-json': 'malformed-json', 'not-an-envelope': 'not-an-envelope', 'unknown-job': 'unknown-job', 'invalid-payload': 'invalid-payload', 'too-large': 'body-too-large', 'bad-version': 'unsupported-version' } as const;
  if (c.body !== 'valid') return { outcome: { type: 'buried', reason: poison[c.body] }, handlerRuns: false };
  if (attempt > c.maxAttempts) return { outcome: { type: 'buried', reason: 'attempts-exhausted', error: undefined }, handlerRuns: false };
  if (c.behaviour === 'ok' || c.behaviour === 'sync-ok') return { outcome: { type: 'completed', result: 'done' }, handlerRuns: true };
  if (c.behaviour === 'permanent') return { outcome: { type: 'buried', reason: 'permanent-error', error: { name: 'PermanentError', message: 'never' } }, handlerRuns: true };
  const errorName = c.behaviour === 'throws' || c.behaviour === 'sync-throws' ? 'Error' : c.behaviour === 'retry-later' ? 'RetryLaterError' : 'TimeoutError';
  if (attempt >= c.maxAttempts) return { outcome: { type: 'buried', reason: 'attempts-exhausted', error: expect.objectContaining({ name: errorName }) }, handlerRuns: true };
  const delayMs = c.behaviour === 'retry-later' ? c.retryLaterMs : backoffDelayMs(c.backoff, attempt, random);
  return { outcome: { type: 'retry', delayMs, error: expect.objectContaining({ name: errorName }) }, handlerRuns: true };
}

const FINAL_EVENTS = ['job.completed', 'job.retry', 'job.buried', 'job.invalid'];

describe('pipeline classification (property)', () => {
  it('gives every delivery exactly its contract outcome, once', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const clock = createManualClock();
        const random = () => 0.375;
        const attempt = Math.max(1, c.maxAttempts + c.attemptOffset);
        const late = deferred<string>();
        let calls = 0;
        let signal: AbortSignal | undefined;
        const job = echoJob({
          maxAttempts: c.maxAttempts,
          backoff: c.backoff,
          timeoutMs: TIMEOUT_MS,
          handler: (_payload, ctx) => {
            calls++;
            signal = ctx.signal;
            switch (c.behaviour) {
              case 'ok': return Promise.resolve('done');
              case 'sync-ok': return 'done';
              case 'throws': return Promise.reject(new Error('flaky'));
              case 'sync-throws': throw new Error('flaky');
              case 'permanent': return Promise.reject(new PermanentError('never'));
              case 'retry-later': throw new RetryLaterError('later', c.retryLaterMs);
              case 'hangs': return new Promise(() => {});
              case 'late-ok':
              case 'late-fail': return late.promise;
            }
          },
        });
        const { pipeline, logger } = testPipeline([job], { now: clock.now, random, maxBodyBytes: MAX_BODY });
        const want = expected(c, attempt, random);

        const running = pipeline.run({ body: bodyOf(c.body), attempt, transportId: 't' });
        const timesOut = want.handlerRuns && ['hangs', 'late-ok', 'late-fail'].includes(c.behaviour);
        if (timesOut) await clock.advance(TIMEOUT_MS);
        const outcome = await running;
        if (c.behaviour === 'late-ok') late.resolve('done');
        // Only a handler that ran returned the promise; rejecting an unused one would be our own unhandled rejection.
        if (c.behaviour === 'late-fail' && calls > 0) late.reject(new Error('late'));
        await clock.advance(TIMEOUT_MS);

        expect(outcome).toMatchObject(want.outcome);
        expect(calls).toBe(want.handlerRuns ? 1 : 0);
        if (timesOut) expect(signal?.aborted).toBe(true);
        const finals = logger.records.filter((r) => FINAL_EVENTS.includes(r.event));
        expect(finals).toHaveLength(1);
        expect(finals[0]).toMatchObject({ outcome: outcome.type, attempt });
        expect(linesOf(logger, 'job.received')).toHaveLength(want.handlerRuns ? 1 : 0);
      }),
      { numRuns: 400 },
    );
  });
});
