/**
 * A clock that moves only when told to: the one manual clock behind the memory service's and
 * the Cloud Tasks emulator's, so tests drive delays, leases and timers without waiting.
 */

/** Epoch-ms time and one-shot timers on that time. */
export interface TimerClock {
  /** Epoch ms. */
  now(): number;
  /** Calls `callback` once after `delayMs` of this clock's time. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ManualClock extends TimerClock {
  /**
   * Moves time forward by `ms`, firing due timers in time order; after each timer (and once at
   * the end) it lets the promise callbacks that timer started run, then awaits `afterEach` if
   * given, so work a timer starts (and the timers that work arms) is done within one advance.
   */
  advance(ms: number, afterEach?: () => Promise<void>): Promise<void>;
  /** Timers not yet fired. */
  readonly pendingTimers: number;
}

interface ManualTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

// One turn of the event loop: promise chains started by a timer run before the next one fires.
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * @example
 * ```ts
 * const clock = createManualClock();
 * clock.setTimeout(() => console.log('a minute later'), 60_000);
 * await clock.advance(60_000);
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
    async advance(ms, afterEach) {
      checkAdvanceMs(ms);
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
        await turn();
        await afterEach?.();
      }
      current = target;
      await turn();
    },
  };
}

export function checkAdvanceMs(ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance: ms must be a finite number >= 0, got ${String(ms)}`);
}
