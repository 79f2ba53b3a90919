/**
 * The continuation scenario's world: the shared stores (a chain store and an idempotency store,
 * as DynamoDB would be across processes), the item ledger, the faults, and the job definition
 * each worker (or push handler) runs. The job sums N items in links of a small time budget,
 * each item's side effect guarded by runOnce, and injects the faults mid-link:
 *
 * - throw: the handler throws half-way (the pipeline retries the link from its checkpoint);
 * - stop:  the worker running the link is stopped (hooks.stop) and its grace period ends
 *          mid-link: the handler sees ctx.signal abort and gives up;
 * - kill:  the process running the link dies (hooks.kill; on a push path the invocation just
 *          freezes). The link hangs on as a zombie until the chain has moved past it, then redoes
 *          a few items (runOnce skips them) and tries to save a checkpoint (refused: its lease
 *          was taken over);
 * - lose:  the transport loses a hand-over (the runner asks `loseHandOver()` for each send).
 */
import { z } from 'zod';
import { continueFrom } from '../../src/continuation/continue.ts';
import { createMemoryChainStore } from '../../src/continuation/memory-store.ts';
import { runOnce } from '../../src/continuation/once.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { defineJob } from '../../src/job.ts';
import { observedChainStore, type ObservedChainStore } from './observed-store.ts';

export interface ChainFaults {
  /** Links whose handler throws half-way (once per link; see faultOf for a link that never gets half-way). */
  readonly throwAt: (link: number) => boolean;
  /** Links during which the worker running them is stopped, its grace ending mid-link. */
  readonly stopAt: readonly number[];
  /** Links during which the process running them is killed. */
  readonly killAt: readonly number[];
  /** Hand-overs (1-based count of the chain's sends by workers) the transport loses. */
  readonly lose: (n: number) => boolean;
}

export interface ChainJobOptions {
  items: number;
  budgetMs: number;
  timeoutMs: number;
  leaseMarginMs: number;
  stallAfterMs: number;
  faults: ChainFaults;
}

/** What a runner does to the process that runs a link. */
export interface FaultHooks {
  stop?(): void;
  kill?(): void;
}

export interface ChainFigures {
  throws: number;
  stops: number;
  kills: number;
  zombieRefused: number;
  zombieSaved: number;
  zombieSkipped: number;
  linkRuns: number;
  handOvers: number;
  lost: number;
}

/** Items a zombie redoes when it wakes up. */
const ZOMBIE_SPAN = 50;

export type ChainWorld = ReturnType<typeof createChainWorld>;

export function createChainWorld(o: ChainJobOptions) {
  const { faults } = o;
  const chains: ObservedChainStore = observedChainStore(createMemoryChainStore());
  const once = createMemoryIdempotencyStore();
  const effects = new Uint8Array(o.items); // side effects per item (runOnce-guarded)
  const attempts = new Uint32Array(o.items); // times an item was worked on (redone after crashes)
  const fired = new Set<string>();
  const f: ChainFigures = { throws: 0, stops: 0, kills: 0, zombieRefused: 0, zombieSaved: 0, zombieSkipped: 0, linkRuns: 0, handOvers: 0, lost: 0 };
  const zombies: Array<Promise<void>> = [];

  const effect = (i: number) => runOnce(once, `item:${i}`, () => void effects[i]!++);

  // The killed link sleeps until the chain has moved past it, then goes on as if nothing happened.
  async function zombie(at: number, save: (checkpoint: unknown) => Promise<void>): Promise<void> {
    const end = Math.min(o.items, at + ZOMBIE_SPAN);
    await chains.whenProgress(end);
    for (let i = at; i < end; i++) if (!(await effect(i)).ran) f.zombieSkipped++;
    try {
      await save(end);
      f.zombieSaved++;
    } catch {
      f.zombieRefused++;
    }
  }

  // A planned fault fires in its link or, if that link never reached mid-link (a link whose claim
  // ate its whole budget under load yields before its first item), in the first later link that
  // does: a fault is never skipped. Keyed by the planned link, so each fires once.
  const planned: Array<{ kind: 'throw' | 'stop' | 'kill'; at: number }> = [];
  let plannedUpTo = -1;
  const faultOf = (link: number) => {
    while (plannedUpTo < link) {
      const at = ++plannedUpTo;
      if (faults.throwAt(at)) planned.push({ kind: 'throw', at });
      if (faults.stopAt.includes(at)) planned.push({ kind: 'stop', at });
      if (faults.killAt.includes(at)) planned.push({ kind: 'kill', at });
    }
    return planned.find((p) => p.at <= link && !fired.has(`${p.kind}@${p.at}`));
  };

  /** The job as one process defines it; `hooks` undefined: a producer's copy (never run). */
  function job(hooks?: FaultHooks) {
    return defineJob({
      name: 'sum-items',
      schema: z.object({ items: z.int().min(1) }),
      timeoutMs: o.timeoutMs,
      maxAttempts: 20,
      backoff: { type: 'fixed', delayMs: 5 },
      continuation: { store: chains, budgetMs: o.budgetMs, marginMs: 0, leaseMarginMs: o.leaseMarginMs, stallAfterMs: o.stallAfterMs },
      async handler({ items }, ctx) {
        const c = ctx.continuation!;
        f.linkRuns++;
        const from = (c.checkpoint as number | undefined) ?? 0;
        const due = hooks === undefined ? undefined : faultOf(c.link);
        const key = due && `${due.kind}@${due.at}`;
        const fault = due?.kind;
        for (let next = from; next < items; next++) {
          // Mid-link: some items done since the checkpoint, half the budget (or all of it) spent.
          if (key !== undefined && next > from && c.timeLeftMs() <= o.budgetMs / 2 && !fired.has(key)) {
            fired.add(key);
            if (fault === 'throw') {
              f.throws++;
              throw new Error(`worker crashed at item ${next}`);
            }
            if (fault === 'stop') {
              f.stops++;
              hooks!.stop!();
              await aborted(ctx.signal, 10_000);
              throw ctx.signal.reason;
            }
            f.kills++;
            hooks!.kill?.();
            const z = zombie(next, c.save);
            zombies.push(z);
            await z;
            return continueFrom(next);
          }
          if (c.shouldYield()) return continueFrom(next, { done: next, total: items });
          attempts[next]!++;
          await effect(next);
        }
        return { processed: items };
      },
    });
  }

  return {
    chains,
    figures: f,
    job,
    /** Asked by the runner for each hand-over it sends: true = lose it. */
    loseHandOver(): boolean {
      const lose = faults.lose(++f.handOvers);
      if (lose) f.lost++;
      return lose;
    },
    zombiesDone: () => Promise.all(zombies),
    ledger() {
      let twice = 0;
      let missing = 0;
      let redone = 0;
      for (let i = 0; i < o.items; i++) {
        if (effects[i]! > 1) twice++;
        if (effects[i] === 0) missing++;
        if (attempts[i]! > 1) redone++;
      }
      return { twice, missing, redone };
    },
  };
}

function aborted(signal: AbortSignal, ms: number): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the worker's grace period did not end within ${ms} ms`)), ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
