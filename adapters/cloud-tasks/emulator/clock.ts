/**
 * The emulator's time. Schedule times, backoff, rate limits, leases, dispatch deadlines and
 * the dedupe window all run on one clock, so a test can drive them with a manual clock.
 */

export interface EmulatorClock {
  /** Epoch ms. */
  now(): number;
  /**
   * Manual clock: moves time forward by `ms`, firing due timers in time order; after each
   * timer it waits for the dispatches that timer started to answer (see `settle`), so the
   * retries they schedule fire within the same advance. Real clock: waits `ms` of real time.
   */
  advance(ms: number): Promise<void>;
  readonly mode: 'real' | 'manual';
  /** Calls `callback` once after `delayMs` of this clock's time. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Installed by the emulator: resolves when in-flight work started by a timer has settled. */
  settle?: () => Promise<void>;
}

// Node's setTimeout overflows past 2^31-1 ms (~24.8 days) and fires at once; schedule times
// reach 30 days, so long waits are cut into pieces.
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createRealClock(): EmulatorClock {
  const clock: EmulatorClock = {
    mode: 'real',
    now: () => Date.now(),
    async advance(ms) {
      checkMs(ms);
      await new Promise<void>((resolve) => setTimeout(resolve, ms));
      await clock.settle?.();
    },
    setTimeout(callback, delayMs) {
      const box: { timer?: ReturnType<typeof setTimeout> } = {};
      const due = Date.now() + Math.max(0, delayMs);
      const arm = () => {
        const left = due - Date.now();
        if (left <= 0) return callback();
        box.timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
        box.timer.unref?.();
      };
      box.timer = setTimeout(arm, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
      box.timer.unref?.();
      return box;
    },
    clearTimeout(handle) {
      const timer = (handle as { timer?: ReturnType<typeof setTimeout> } | undefined)?.timer;
      if (timer) clearTimeout(timer);
    },
  };
  return clock;
}

interface ManualTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock that moves only when told to. Starts at `startMs` (default 2030-01-01T00:00:00Z). */
export function createManualClock(startMs = Date.UTC(2030, 0, 1)): EmulatorClock {
  let current = startMs;
  let order = 0;
  const timers = new Set<ManualTimer>();
  const clock: EmulatorClock = {
    mode: 'manual',
    now: () => current,
    setTimeout(callback, delayMs) {
      const timer: ManualTimer = { at: current + Math.max(0, delayMs), order: order++, callback };
      timers.add(timer);
      return timer;
    },
    clearTimeout(handle) {
      timers.delete(handle as ManualTimer);
    },
    async advance(ms) {
      checkMs(ms);
      const target = current + ms;
      await clock.settle?.();
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
        await clock.settle?.();
      }
      current = target;
      await turn();
    },
  };
  return clock;
}

function checkMs(ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance: ms must be a finite number >= 0, got ${String(ms)}`);
}
