/**
 * Time for the memory service. Delays, leases, the dedupe window and long polls all run on
 * one clock, so a test can drive them all with a manual clock instead of waiting.
 */
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

interface ManualTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

// Lets promise chains started by a timer run before the next timer fires.
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * @example
 * ```ts
 * const clock = createManualClock();
 * const service = createMemoryService({ clock });
 * await service.enqueue([{ ...job, delayMs: 60_000 }]);
 * await clock.advance(60_000); // the job is ready now
 * ```
 */
export function createManualClock(startMs = Date.UTC(2030, 0, 1)): ManualClock {
  let current = startMs;
  let order = 0;
  const timers = new Set<ManualTimer>();

  return {
    now: () => current,
    setTimeout(callback, delayMs) {
      const timer: ManualTimer = { at: current + Math.max(0, delayMs), order: order++, callback };
      timers.add(timer);
      return timer;
    },
    clearTimeout(handle) {
      timers.delete(handle as ManualTimer);
    },
    get pendingTimers() {
      return timers.size;
    },
    async advance(ms) {
      if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance: ms must be a finite number >= 0, got ${String(ms)}`);
      const target = current + ms;
      // Bounded: a timer that keeps re-arming itself at the same instant cannot spin forever.
      for (let fired = 0; fired < 100_000; fired++) {
        let next: ManualTimer | undefined;
        for (const t of timers) {
          if (t.at <= target && (next === undefined || t.at < next.at || (t.at === next.at && t.order < next.order))) next = t;
        }
        if (next === undefined) break;
        timers.delete(next);
        current = Math.max(current, next.at);
        next.callback();
        await settle();
      }
      current = target;
      await settle();
    },
  };
}
