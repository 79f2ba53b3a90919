/**
 * One coarse timer for all running jobs of a pipeline, instead of a setTimeout and an
 * AbortController per job: per-job cost is a Set insert and delete. A run past its
 * deadline is expired on the next tick, so the timeout fires within `tickMs` of it.
 */
export interface Watched {
  readonly deadline: number;
  expire(): void;
}

export interface Watchdog {
  add(run: Watched): void;
  delete(run: Watched): void;
}

export function createWatchdog(tickMs: number, now: () => number = Date.now): Watchdog {
  const runs = new Set<Watched>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const tick = () => {
    const t = now();
    for (const run of runs) {
      if (run.deadline <= t) {
        runs.delete(run);
        run.expire();
      }
    }
    if (runs.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  return {
    add(run) {
      runs.add(run);
      if (timer === undefined) {
        timer = setInterval(tick, tickMs);
        // The watchdog must never keep a process alive on its own.
        timer.unref?.();
      }
    },
    delete(run) {
      runs.delete(run);
    },
  };
}
