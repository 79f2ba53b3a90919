/**
 * Graceful drain: a worker child under load gets SIGTERM. Checked from the ledger, not from the
 * worker's word: no reserve call starts after the signal; every job running at the signal is
 * finished (its effect, then its ack) or released before the process exits; the process exits
 * within the grace period; afterwards every job still has its effect (nothing lost).
 */
import type { Child } from './child.ts';
import type { WorkerSettings } from './child-config.ts';
import { createLedgerReader, type Entry } from './ledger.ts';
import { countLedger, type BuriedRecord } from './ledger-figures.ts';
import { until, within } from './wait.ts';

export interface DrainRig {
  readonly name: string;
  readonly ledgerDir: string;
  readonly jobIds: readonly string[];
  /** Puts the load in the queue (a memory child seeds its own). */
  prepare(): Promise<void>;
  spawnWorker(label: string, worker: WorkerSettings): Child;
  /**
   * Memory: the queue died with the child, so what it held is read from its `left-in-queue`
   * notes. Others: a fresh worker runs what the drained one released.
   */
  readonly queueDiesWithWorker: boolean;
  buried(): Promise<BuriedRecord[]>;
  close(): Promise<void>;
}

export interface DrainOptions {
  concurrency: number;
  shutdownGraceMs: number;
  /** The platform's kill comes this long after SIGTERM (shutdownGraceMs + a margin for the releases). */
  platformGraceMs: number;
  timeoutMs: number;
}

export interface DrainFigures {
  readonly transport: string;
  readonly inFlightAtSignal: number;
  readonly finished: number;
  readonly released: number;
  /** Jobs reserved or running at the signal that were neither finished nor released before exit. */
  readonly unaccounted: number;
  readonly reservesAfterSignal: number;
  readonly exitMs: number;
  readonly exitCode: number | null;
  readonly shutdownGraceMs: number;
  readonly platformGraceMs: number;
  readonly lost: number;
  readonly lostIds: readonly string[];
  readonly unhandled: number;
}

export async function runDrain(rig: DrainRig, options: DrainOptions): Promise<DrainFigures> {
  await rig.prepare();
  const worker: WorkerSettings = { concurrency: options.concurrency, waitMs: 1_000, shutdownGraceMs: options.shutdownGraceMs, batchSize: options.concurrency };
  const child = rig.spawnWorker(`${rig.name.replace(/\W+/g, '-')}-drain`, worker);
  const helpers: Child[] = [];
  try {
    await within(child.ready, 30_000, `${rig.name}: the worker starting`);
    // Under load: every slot busy.
    await until(
      async () => {
        child.send({ type: 'status' });
        const status = await child.next('status', 5_000);
        return status.inFlight >= options.concurrency;
      },
      { timeoutMs: 20_000, everyMs: 50, what: `${rig.name}: the worker running ${options.concurrency} jobs at once` },
    );
    const stoppedMessage = child.next('stopped', options.platformGraceMs + 10_000);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const stopped = await stoppedMessage;
    const exit = await within(child.exited, options.platformGraceMs + 10_000, `${rig.name}: the worker exiting after SIGTERM`);
    const exitMs = exit.at - signalledAt;

    const reader = createLedgerReader(rig.ledgerDir);
    const own = reader.poll().filter((e) => e.pid === child.pid);
    const afterSignal = entriesAfterSignal(own);
    const reservesAfterSignal = afterSignal.filter((e) => e.kind === 'reserve-call').length;
    const unaccounted = unsettledAtExit(own);

    if (!rig.queueDiesWithWorker) {
      // The released jobs and the ones never reserved are still in the queue: a fresh worker runs them.
      const helper = rig.spawnWorker(`${rig.name.replace(/\W+/g, '-')}-after-drain`, { concurrency: options.concurrency, waitMs: 1_000, shutdownGraceMs: 5_000 });
      helpers.push(helper);
      await within(helper.ready, 30_000, `${rig.name}: the second worker starting`);
      const done = new Set<string>();
      for (const e of reader.entries) if (e.kind === 'effect' || e.kind === 'bury') done.add(e.jobId);
      await until(
        () => {
          for (const e of reader.poll()) if (e.kind === 'effect' || e.kind === 'bury') done.add(e.jobId);
          return rig.jobIds.every((id) => done.has(id));
        },
        { timeoutMs: options.timeoutMs, everyMs: 100, what: `${rig.name}: the jobs left after the drain running`, describe: () => `${done.size}/${rig.jobIds.length}` },
      );
      helper.kill('SIGTERM');
      await within(helper.exited, 15_000, `${rig.name}: the second worker exiting`);
    }
    reader.poll();
    const leftInQueue = new Set(reader.entries.filter((e) => e.kind === 'note' && e.detail === 'left-in-queue').map((e) => e.jobId));
    const buried = [...(await rig.buried()), ...[...leftInQueue].map((jobId) => ({ jobId, reason: 'left in the queue at exit' }))];
    const figures = countLedger(rig.jobIds, reader.entries, buried);
    return {
      transport: rig.name,
      inFlightAtSignal: stopped.report.inFlightAtStop,
      finished: stopped.report.finished,
      released: stopped.report.released,
      unaccounted,
      reservesAfterSignal,
      exitMs,
      exitCode: exit.code,
      shutdownGraceMs: options.shutdownGraceMs,
      platformGraceMs: options.platformGraceMs,
      lost: figures.lost,
      lostIds: figures.lostIds,
      unhandled: figures.unhandled,
    };
  } finally {
    for (const c of [child, ...helpers]) c.kill('SIGKILL');
    await rig.close().catch(() => {});
  }
}

/** The child's entries after its `signal` line (file order is the child's own order). */
function entriesAfterSignal(own: readonly Entry[]): Entry[] {
  const at = own.findIndex((e) => e.kind === 'signal');
  return at === -1 ? [] : own.slice(at + 1);
}

/** Deliveries the child reserved or started that it neither acknowledged, released nor buried before it exited. */
function unsettledAtExit(own: readonly Entry[]): number {
  const open = new Set<string>();
  for (const e of own) {
    const key = `${e.jobId}@${e.attempt}`;
    if (e.kind === 'start' || e.kind === 'reserved') open.add(key);
    else if (e.kind === 'complete' || e.kind === 'release' || e.kind === 'bury') open.delete(key);
  }
  return open.size;
}
