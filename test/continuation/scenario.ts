/**
 * The continuation scenario every transport runs (the world and its faults: chain-world.ts):
 * one chain over N items, delivered by a runner (pull worker processes, or a push path), the
 * health check run by two callers at once on a schedule, each with its own client. At the end,
 * every item's side effect happened exactly once although items were redone, the chain is done,
 * every injected fault fired, each stalled chain was restarted by one caller only, none buried.
 */
import { expect } from 'vitest';
import { checkChains } from '../../src/continuation/health.ts';
import { createQueue } from '../../src/queue.ts';
import type { WorkerOptions } from '../../src/worker.ts';
import { drained, within } from '../batch/scenario.ts';
import { createProcesses, type Processes } from '../patterns/processes.ts';
import type { PatternTransport } from '../patterns/transports.ts';
import { createChainWorld, type ChainJobOptions, type ChainWorld } from './chain-world.ts';

/** Delivers the chain's jobs: worker processes, or a push handler. */
export interface ChainRunner {
  start(world: ChainWorld): Promise<void>;
  /** Jobs the runner buried, where it counts them (the chain must bury none). */
  buried?(): number;
  /** Figures for the report line. */
  describe(): string;
  /** The runner's own checks, after the chain is done. */
  check?(world: ChainWorld): void;
  stop(): Promise<void>;
}

export interface ChainScenarioOptions extends ChainJobOptions {
  /** The producer's and the health checks' queue (connect(): a caller's own client). */
  transport: PatternTransport;
  runner: ChainRunner;
  /** Name in the report line. Default: the transport's. */
  label?: string;
  /** Period of the health checks. */
  checkEveryMs: number;
  withinMs: number;
}

/** Pull workers, each a process with its own client; a stopped or killed one is replaced. */
export function pullRunner(transport: PatternTransport, workers: number, worker: Partial<WorkerOptions> = {}): ChainRunner {
  let processes: Processes;
  return {
    async start(world) {
      processes = createProcesses({
        transport,
        worker: { concurrency: 2, shutdownGraceMs: 100, errorBackoff: { minMs: 20, maxMs: 200 }, ...worker },
        jobs: (proc) => [world.job({ stop: () => void processes.replace(proc, 'stop'), kill: () => void processes.replace(proc, 'kill') })],
        // Worker sends are the hand-overs (the health checks send through their own clients).
        lose: () => world.loseHandOver(),
      });
      for (let n = 0; n < workers; n++) await processes.start();
    },
    buried: () => processes.counts().buried,
    describe: () => `${processes.all.length} worker processes, ${processes.releasedAtStop} jobs given back when a grace period ended`,
    // A stopped link was still running when its grace ended: the worker gave its job back.
    check: (world) => expect(processes.releasedAtStop).toBe(world.figures.stops),
    stop: () => processes.stopAll(),
  };
}

export async function runChainScenario(o: ChainScenarioOptions): Promise<void> {
  const world = createChainWorld(o);
  const { chains, figures: f } = world;
  const started = Date.now();
  const job = world.job();
  const { id } = await createQueue({ service: o.transport.service, jobs: [job] }).enqueue(job, { items: o.items });
  await o.runner.start(world);

  // Two health checks at once, on a schedule, each with its own client: one wins each restart.
  const checkers = [o.transport.connect(), o.transport.connect()];
  const restarted: string[] = [];
  const checkFailures: string[] = [];
  const healthChecks = (async () => {
    while (!chains.isDone) {
      const reports = await Promise.all(checkers.map((service) => checkChains({ store: chains, service })));
      for (const r of reports) {
        restarted.push(...r.restarted);
        checkFailures.push(...r.failed.map((x) => x.message));
      }
      await Promise.race([chains.done, new Promise((r) => setTimeout(r, o.checkEveryMs))]);
    }
  })();

  try {
    await within(chains.done, o.withinMs, async () => ({ chain: await chains.get(id), figures: f, restarts: restarted.length }));
    await healthChecks;
    const chainMs = Date.now() - started;
    // Late copies (a restart that raced a redelivery, a dead worker's job) must change nothing.
    await within(drained(o.transport.service), 20_000, () => f);
    await within(world.zombiesDone(), 10_000, () => f);

    const chain = (await chains.get(id))!;
    const ledger = world.ledger();
    console.log(
      `${o.label ?? o.transport.label} continuation: ${o.items} items in ${chainMs} ms, ${chain.link} checkpoints, ${f.linkRuns} link runs, ` +
        `${f.throws} thrown + ${f.stops} stopped + ${f.kills} killed links, ${ledger.redone} items redone, ${f.lost} of ${f.handOvers} hand-overs lost, ` +
        `${restarted.length} restarts, ${f.zombieSkipped} zombie items skipped, ${o.runner.describe()}`,
    );
    expect({ missing: ledger.missing, twice: ledger.twice }).toEqual({ missing: 0, twice: 0 });
    expect(chain).toMatchObject({ state: 'done', result: JSON.stringify({ processed: o.items }), progress: { total: o.items } });
    expect({ throws: f.throws > 0, stops: f.stops, kills: f.kills }).toEqual({ throws: true, stops: o.faults.stopAt.length, kills: o.faults.killAt.length });
    expect(ledger.redone).toBeGreaterThan(0); // crashes made items be done again: runOnce kept it from showing
    expect(f.lost).toBeGreaterThan(0);
    expect(restarted.length).toBeGreaterThan(0); // a lost hand-over leaves nothing to deliver: only a restart goes on
    expect(chain.restarts).toBe(restarted.length); // no restart was made twice by the concurrent checks
    expect(checkFailures).toEqual([]);
    expect({ refused: f.zombieRefused, saved: f.zombieSaved }).toEqual({ refused: f.kills, saved: 0 });
    expect(o.runner.buried?.() ?? 0).toBe(0);
    o.runner.check?.(world);
    expect((await o.transport.service.stats!()).buried).toBe(0);
  } finally {
    await o.runner.stop();
  }
}
