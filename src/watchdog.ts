/**
 * One coarse timer for all running jobs of a pipeline, instead of a setTimeout and an
 * AbortController per job. Runs are kept in an intrusive doubly linked list (the links live on
 * the run itself), so adding and removing a run is a few pointer writes: no hashing, no
 * allocation, on the per-job hot path. A run past its deadline is expired on the next tick, so
 * the timeout fires within `tickMs` of it.
 */
export interface Watched {
  readonly deadline: number;
  expire(): void;
  /** The watchdog's links: set and cleared by the watchdog only. */
  watchPrev: Watched | undefined;
  watchNext: Watched | undefined;
}

export interface Watchdog {
  add(run: Watched): void;
  delete(run: Watched): void;
}

export function createWatchdog(tickMs: number, now: () => number = Date.now): Watchdog {
  let head: Watched | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  const unlink = (run: Watched) => {
    const { watchPrev: prev, watchNext: next } = run;
    if (prev !== undefined) prev.watchNext = next;
    else if (head === run) head = next;
    else return; // not in the list
    if (next !== undefined) next.watchPrev = prev;
    run.watchPrev = undefined;
    run.watchNext = undefined;
  };

  const tick = () => {
    const t = now();
    for (let run = head; run !== undefined; ) {
      const next = run.watchNext;
      if (run.deadline <= t) {
        unlink(run);
        run.expire();
      }
      run = next;
    }
    if (head === undefined && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    add(run) {
      if (run.watchPrev !== undefined || head === run) return; // already watched
      run.watchNext = head;
      if (head !== undefined) head.watchPrev = run;
      head = run;
      if (timer === undefined) {
        timer = setInterval(tick, tickMs);
        // The watchdog must never keep a process alive on its own.
        timer.unref?.();
      }
    },
    delete: unlink,
  };
}
