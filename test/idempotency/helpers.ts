/**
 * Fixtures of the idempotency suites: jobs with idempotency on a memory store, envelope bodies,
 * deliveries, pipelines with a recording logger, a store that fails on demand.
 */
import { z } from 'zod';
import { createEnvelope, encodeEnvelope, type NewEnvelopeOptions } from '../../src/envelope.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import type { IdempotencyOptions } from '../../src/idempotency/options.ts';
import type { IdempotencyStore } from '../../src/idempotency/store.ts';
import { defineJob, type JobHandler, type JobOptions } from '../../src/job.ts';
import { createMemoryLogger, type LogLevel, type LogRecord } from '../../src/logger.ts';
import { createPipeline, type Delivery, type PipelineOptions } from '../../src/pipeline.ts';
import { testClock, type TestClock } from './store-suite.ts';
import { deferred, type Deferred } from '../support/deferred.ts';

export { testClock, type TestClock };

export const chargeSchema = z.looseObject({ orderId: z.string(), amountCents: z.number().int() });
export type Charge = z.output<typeof chargeSchema>;

export { deferred, type Deferred };

/** A `charge` job with idempotency on `store`; its handler records each run and returns a receipt. */
export function chargeJob(options: {
  store: IdempotencyStore;
  idempotency?: Partial<IdempotencyOptions<Charge>>;
  handler?: JobHandler<Charge>;
  job?: Partial<JobOptions<typeof chargeSchema>>;
}) {
  const runs: Charge[] = [];
  const handler: JobHandler<Charge> = options.handler ?? ((payload) => ({ receipt: `r-${payload.orderId}`, amountCents: payload.amountCents }));
  const job = defineJob({
    name: 'charge',
    schema: chargeSchema,
    timeoutMs: 10_000,
    ...options.job,
    idempotency: { store: options.store, claimMarginMs: 1_000, ...options.idempotency },
    handler: (payload, ctx) => {
      runs.push(payload);
      return handler(payload, ctx);
    },
  });
  return { job, runs };
}

export function chargeBody(payload: unknown, options: NewEnvelopeOptions = {}): string {
  return encodeEnvelope(createEnvelope('charge', payload, { id: crypto.randomUUID(), ...options }));
}

export function delivery(body: string, overrides: Partial<Delivery> = {}): Delivery {
  return { body, attempt: 1, transportId: 't-1', ...overrides };
}

export type RecordingLogger = ReturnType<typeof createMemoryLogger>;

export function testPipeline(jobs: PipelineOptions['jobs'], options: Partial<PipelineOptions> = {}) {
  const logger = createMemoryLogger('debug');
  const pipeline = createPipeline({ jobs, adapter: 'memory', queue: 'q', maxBodyBytes: 1_048_576, random: () => 0.5, logger, ...options });
  return { pipeline, logger };
}

export function linesOf(logger: RecordingLogger, event: string): Array<LogRecord & { level: LogLevel }> {
  return logger.records.filter((r) => r.event === event);
}

/** A memory store whose operations fail while `failing` names them. */
export function flakyStore(clock?: TestClock) {
  const inner = createMemoryIdempotencyStore(clock ? { now: clock.now } : {});
  const failing = new Set<'claim' | 'complete' | 'release'>();
  const fail = (op: 'claim' | 'complete' | 'release') => {
    if (failing.has(op)) throw Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:8000 (${op})`), { name: 'NetworkingError' });
  };
  const store: IdempotencyStore = {
    name: 'flaky',
    async claim(key, options) {
      fail('claim');
      return inner.claim(key, options);
    },
    async complete(key, token, options) {
      fail('complete');
      return inner.complete(key, token, options);
    },
    async release(key, token) {
      fail('release');
      return inner.release(key, token);
    },
    forget: (key) => inner.forget(key),
  };
  return { store, inner, failing };
}

/** A recording logger that can be waited on: `waitFor(() => condition)` resolves once a line makes it true. */
export function watchedLogger() {
  const inner = createMemoryLogger('debug');
  const waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  return {
    records: inner.records,
    isEnabled: inner.isEnabled,
    log(level: LogLevel, record: LogRecord) {
      inner.log(level, record);
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!.check()) waiters.splice(i, 1)[0]!.resolve();
    },
    waitFor(check: () => boolean): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ check, resolve }));
    },
    count(event: string): number {
      return inner.records.filter((r) => r.event === event).length;
    },
  };
}
