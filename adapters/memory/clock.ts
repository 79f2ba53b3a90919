/**
 * Time for the memory service. Delays, leases, the dedupe window and long polls all run on
 * one clock, so a test can drive them all with a manual clock instead of waiting.
 */
import { createManualClock as createTimeline } from '../../src/manual-clock.ts';

export interface MemoryClock {
  /** Epoch ms. */
  now(): number;
  /** Calls `callback` once after `delayMs` of this clock's time. Default: the global setTimeout. */
  setTimeout?(callback: () => void, delayMs: number): unknown;
  clearTimeout?(handle: unknown): void;
}

export const systemClock: Required<MemoryClock> = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * A clock that moves only when told to (`advance(ms)` fires due timers in time order, then lets
 * the promises they settled run their callbacks).
 *
 * @example
 * ```ts
 * const clock = createManualClock();
 * const service = createMemoryService({ clock });
 * await service.enqueue([{ ...job, delayMs: 60_000 }]);
 * await clock.advance(60_000); // the job is ready now
 * ```
 */
export function createManualClock(startMs?: number): ManualClock {
  return createTimeline(startMs);
}

/** A clock that moves only when told to. */
export interface ManualClock extends Required<MemoryClock> {
  /**
   * Moves time forward by `ms`, firing due timers in time order; resolves once the promises
   * those timers settled have run their callbacks.
   */
  advance(ms: number): Promise<void>;
  /** Timers not yet fired. */
  readonly pendingTimers: number;
}
