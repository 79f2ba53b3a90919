/**
 * A fleet of worker children of one kind, kept at its size: a child that dies (killed or
 * crashed) is replaced at once. The killer SIGKILLs a random ready child every ~`everyMs`.
 */
import type { Child } from './child.ts';
import { within } from './wait.ts';

export interface FleetOptions {
  size: number;
  spawn(label: string): Child;
  /** Label prefix of the children: `<prefix>-<n>`. */
  prefix: string;
}

export interface Fleet {
  /** Children alive now. */
  readonly children: readonly Child[];
  /** Every child ever spawned. */
  readonly spawned: number;
  start(): void;
  /** Resolves when `count` children are ready (bounded). */
  ready(count: number, timeoutMs: number): Promise<void>;
  /** SIGKILLs one random ready child and starts its replacement; the killed child, or undefined. */
  killRandom(random: () => number): Child | undefined;
  /** SIGTERMs every child (no more respawns), waits for their exits; SIGKILLs stragglers after `timeoutMs`. */
  stop(timeoutMs: number): Promise<{ graceful: number; killed: number }>;
}

export function createFleet(options: FleetOptions): Fleet {
  const live = new Set<Child>();
  let spawned = 0;
  let stopping = false;
  const add = () => {
    const child = options.spawn(`${options.prefix}-${++spawned}`);
    live.add(child);
    void child.exited.then(() => {
      live.delete(child);
      if (!stopping) add();
    });
    return child;
  };
  return {
    get children() {
      return [...live];
    },
    get spawned() {
      return spawned;
    },
    start() {
      for (let i = 0; i < options.size; i++) add();
    },
    async ready(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while ([...live].filter((c) => c.isReady).length < count) {
        if (Date.now() > deadline) {
          const tails = [...live].map((c) => `${c.label}: ${c.stderrTail().trim().slice(-500)}`).join(' | ');
          throw new Error(`fleet ${options.prefix}: ${count} ready children did not happen within ${timeoutMs} ms (${tails})`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    killRandom(random) {
      const candidates = [...live].filter((c) => c.isReady && c.alive);
      if (candidates.length === 0) return undefined;
      const victim = candidates[Math.floor(random() * candidates.length)]!;
      victim.kill('SIGKILL');
      return victim;
    },
    async stop(timeoutMs) {
      stopping = true;
      const list = [...live];
      for (const c of list) c.kill('SIGTERM');
      let killed = 0;
      try {
        await within(Promise.all(list.map((c) => c.exited)), timeoutMs, `fleet ${options.prefix} exiting after SIGTERM`);
      } catch {
        for (const c of list) if (c.alive && c.kill('SIGKILL')) killed++;
        await within(Promise.all(list.map((c) => c.exited)), 5_000, `fleet ${options.prefix} exiting after SIGKILL`);
      }
      return { graceful: list.length - killed, killed };
    },
  };
}

/** SIGKILLs a random ready child every `everyMs` ± `jitterMs` until stopped (or `max` kills). */
export function startKiller(fleet: Fleet, options: { everyMs: number; jitterMs?: number; random: () => number; max?: number; onKill?: (child: Child) => void }) {
  let kills = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = true;
  const jitter = options.jitterMs ?? options.everyMs / 4;
  const schedule = () => {
    if (!running || kills >= (options.max ?? Infinity)) return;
    timer = setTimeout(() => {
      const victim = fleet.killRandom(options.random);
      if (victim) {
        kills++;
        options.onKill?.(victim);
      }
      schedule();
    }, options.everyMs - jitter + options.random() * 2 * jitter);
  };
  schedule();
  return {
    get kills() {
      return kills;
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
