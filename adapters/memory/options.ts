/**
 * Options of the memory service, checked once at construction: a wrong option fails at start
 * with a message that names it.
 */
import { ConfigError } from '../../src/errors.ts';
import type { MemoryClock } from './clock.ts';

export interface MemoryServiceOptions {
  /** Queue name, for logs, errors and buried jobs' `sourceQueue`. Default `default`. */
  queue?: string;
  /** Time and timers. Default: Date.now and the global timers. Tests pass createManualClock(). */
  clock?: MemoryClock;
  /** Largest body accepted, in UTF-8 bytes. Default 1 MiB (1_048_576), as SQS. */
  maxBodyBytes?: number;
  /** Longest delay of enqueue and release. Default Infinity: the producer never needs hops. */
  maxDelayMs?: number;
  /** Longest lease of reserve and touch. Default Infinity. */
  maxLeaseMs?: number;
  /** Most jobs per enqueue() call. Default 10_000. */
  maxBatchSize?: number;
  /**
   * A job whose dedupeKey was seen less than this long ago is accepted but dropped, even when
   * the first one is already done. Default 300_000 (5 minutes, as SQS FIFO).
   */
  dedupeWindowMs?: number;
}

export interface MemorySettings {
  readonly queue: string;
  readonly maxBodyBytes: number;
  readonly maxDelayMs: number;
  readonly maxLeaseMs: number;
  readonly maxBatchSize: number;
  readonly dedupeWindowMs: number;
}

export function checkOptions(options: MemoryServiceOptions): MemorySettings {
  const problems: string[] = [];
  const number = (key: keyof MemoryServiceOptions, fallback: number, rule: 'integer' | 'duration'): number => {
    const value = options[key] ?? fallback;
    const ok =
      typeof value === 'number' &&
      (rule === 'integer' ? Number.isSafeInteger(value) && value >= 1 : value >= 0 && !Number.isNaN(value));
    if (!ok) problems.push(`${key}: must be ${rule === 'integer' ? 'an integer >= 1' : 'a number of ms >= 0'}, got ${String(value)}`);
    return value as number;
  };
  const settings: MemorySettings = {
    queue: options.queue ?? 'default',
    maxBodyBytes: number('maxBodyBytes', 1_048_576, 'integer'),
    maxDelayMs: number('maxDelayMs', Infinity, 'duration'),
    maxLeaseMs: number('maxLeaseMs', Infinity, 'duration'),
    maxBatchSize: number('maxBatchSize', 10_000, 'integer'),
    dedupeWindowMs: number('dedupeWindowMs', 300_000, 'duration'),
  };
  if (typeof settings.queue !== 'string' || settings.queue.length === 0) problems.push(`queue: must be a non-empty string, got ${String(settings.queue)}`);
  const clock = options.clock;
  if (clock !== undefined && typeof clock?.now !== 'function') problems.push('clock: must have a now() method');
  if (clock !== undefined && (typeof clock.setTimeout === 'function') !== (typeof clock.clearTimeout === 'function')) {
    problems.push('clock: give both setTimeout and clearTimeout, or neither');
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `memory.${p}`), { adapter: 'memory' });
  return settings;
}
