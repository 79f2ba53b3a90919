/**
 * The emulator's time. Schedule times, backoff, rate limits, leases, dispatch deadlines and
 * the dedupe window all run on one clock, so a test can drive them with a manual clock.
 */
import { checkAdvanceMs, createManualClock as createManualTimeline } from '../../../src/manual-clock.ts';

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
      checkAdvanceMs(ms);
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

/** A clock that moves only when told to. Starts at `startMs` (default 2030-01-01T00:00:00Z). */
export function createManualClock(startMs = Date.UTC(2030, 0, 1)): EmulatorClock {
  const timeline = createManualTimeline(startMs);
  const settle = () => clock.settle?.() ?? Promise.resolve();
  const clock: EmulatorClock = {
    mode: 'manual',
    now: timeline.now,
    setTimeout: timeline.setTimeout,
    clearTimeout: timeline.clearTimeout,
    async advance(ms) {
      checkAdvanceMs(ms);
      await settle();
      await timeline.advance(ms, settle);
    },
  };
  return clock;
}
