/**
 * Shared fixtures of the core suite: job factories, envelope bodies, pipelines with a recording
 * logger, spy services built on the memory adapter, and signals to wait on (never sleeps).
 */
import { z } from 'zod';
import { createManualClock, createMemoryService, type ManualClock, type MemoryService } from '../../adapters/memory/index.ts';
import type { MemoryServiceOptions } from '../../adapters/memory/options.ts';
import { createEnvelope, encodeEnvelope, type NewEnvelopeOptions } from '../../src/envelope.ts';
import { defineJob, type AnyJob, type JobOptions } from '../../src/job.ts';
import { createMemoryLogger, type Logger, type LogLevel, type LogRecord } from '../../src/logger.ts';
import { createPipeline, type Delivery, type PipelineOptions } from '../../src/pipeline.ts';
import type { JobService } from '../../src/service.ts';

import { deferred, type Deferred } from '../support/deferred.ts';

export { deferred, type Deferred };

export const echoSchema = z.object({ n: z.number().int(), text: z.string().optional() });

/** A job named `echo` (zod schema `{ n, text? }`) whose handler returns its payload unless overridden. */
export function echoJob(overrides: Partial<JobOptions<typeof echoSchema>> = {}) {
  return defineJob({ name: 'echo', schema: echoSchema, handler: (payload) => payload, ...overrides });
}

/** An encoded envelope. */
export function body(name: string, payload: unknown, options: NewEnvelopeOptions = {}): string {
  return encodeEnvelope(createEnvelope(name, payload, { id: 'job-1', ...options }));
}

export function delivery(bodyText: string | Uint8Array, overrides: Partial<Delivery> = {}): Delivery {
  return { body: bodyText, attempt: 1, transportId: 't-1', ...overrides };
}

export type RecordingLogger = ReturnType<typeof createMemoryLogger>;

/** A pipeline on adapter `memory`, queue `q`, 1 MiB bodies, with a logger that records every line. */
export function testPipeline(jobs: AnyJob[], options: Partial<PipelineOptions> = {}) {
  const logger = (options.logger as RecordingLogger | undefined) ?? createMemoryLogger('debug');
  const pipeline = createPipeline({ jobs, adapter: 'memory', queue: 'q', maxBodyBytes: 1_048_576, random: () => 0.5, ...options, logger });
  return { pipeline, logger: logger as RecordingLogger };
}

/** Log lines of one event. */
export function linesOf(logger: RecordingLogger, event: string): Array<LogRecord & { level: LogLevel }> {
  return logger.records.filter((r) => r.event === event);
}

/** A logger that counts calls and reports every level as `enabled`. */
export function spyLogger(enabled: boolean): Logger & { isEnabledCalls: number; logCalls: LogRecord[] } {
  const spy = {
    isEnabledCalls: 0,
    logCalls: [] as LogRecord[],
    isEnabled: (_level: LogLevel) => {
      spy.isEnabledCalls++;
      return enabled;
    },
    log: (_level: LogLevel, record: LogRecord) => {
      spy.logCalls.push(record);
    },
  };
  return spy;
}

export type Call = { readonly op: string; readonly args: readonly unknown[] };

const OPS = ['enqueue', 'reserve', 'touch', 'release', 'complete', 'bury', 'kick', 'stats', 'listBuried', 'close', 'holds'] as const;
type Op = (typeof OPS)[number];

/** Replacements for single operations (to fail, hang or count them); each gets the inner service first. */
export type SpyOverrides<S> = { [K in Op]?: (inner: S, ...args: any[]) => unknown } & {
  features?: JobService['features'];
  limits?: Partial<JobService['limits']>;
};

/**
 * A JobService that forwards to `inner` and records every call. `overrides` replace single
 * operations (to fail, hang or count them); they receive the inner service.
 */
export function spyService<S extends JobService>(
  inner: S,
  overrides: SpyOverrides<S> = {},
): S & { calls: Call[]; callsOf(op: string): Call[] } {
  const calls: Call[] = [];
  const spy: Record<string, unknown> = {
    adapter: inner.adapter,
    queue: inner.queue,
    limits: { ...inner.limits, ...overrides.limits },
    features: overrides.features ?? inner.features,
    calls,
    callsOf: (op: string) => calls.filter((c) => c.op === op),
  };
  for (const op of OPS) {
    const own = (inner as unknown as Record<string, unknown>)[op];
    if (typeof own !== 'function') continue;
    const override = (overrides as Record<string, unknown>)[op] as ((inner: S, ...args: unknown[]) => unknown) | undefined;
    spy[op] = (...args: unknown[]) => {
      calls.push({ op, args });
      return override ? override(inner, ...args) : (own as (...a: unknown[]) => unknown).apply(inner, args);
    };
  }
  return spy as unknown as S & { calls: Call[]; callsOf(op: string): Call[] };
}

/** A memory service on a manual clock. */
export function manualService(options: MemoryServiceOptions = {}): { service: MemoryService; clock: ManualClock } {
  const clock = createManualClock();
  return { service: createMemoryService({ clock, ...options }), clock };
}

/** Collects unhandled rejections while a test runs; `stop()` detaches and returns them. */
export function watchUnhandledRejections(): { stop(): unknown[] } {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => void seen.push(reason);
  process.on('unhandledRejection', listener);
  return {
    stop() {
      process.off('unhandledRejection', listener);
      return seen;
    },
  };
}

/** Resolves after pending macrotasks ran: lets fire-and-forget promise chains settle. */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Resolves once `predicate` holds: checked after every macrotask at first, then every few ms
 * (for states reached in real time, such as a worker's lease timers); fails after `limitMs`.
 */
export async function until(predicate: () => boolean, what: string, limitMs = 5_000): Promise<void> {
  const giveUpAt = Date.now() + limitMs;
  for (let i = 0; ; i++) {
    if (predicate()) return;
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for: ${what}`);
    await (i < 1_000 ? flush() : new Promise((resolve) => setTimeout(resolve, 2)));
  }
}

/** Encoded envelopes of the `echo` job, ready for a service's enqueue(). */
export function echoOutgoing(count: number, options: { delayMs?: number; name?: string } = {}) {
  return Array.from({ length: count }, (_, i) => ({ id: `job-${i}`, name: options.name ?? 'echo', body: body(options.name ?? 'echo', { n: i }, { id: `job-${i}` }), delayMs: options.delayMs ?? 0 }));
}

/** A gate handlers wait on: `open()` lets every waiting and later caller through. */
export function gate() {
  const d = deferred();
  let waiting = 0;
  return {
    wait: async () => {
      waiting++;
      await d.promise;
    },
    open: () => d.resolve(),
    get waiting() {
      return waiting;
    },
  };
}
