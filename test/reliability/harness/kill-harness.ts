/**
 * The kill harness: N jobs on a real transport, a fleet of worker children, a random one
 * SIGKILLed every ~200 ms and replaced, every side effect in the ledger. When every job has
 * its effect (or is buried with a reason) the killing stops, the queue is left to settle (jobs
 * a killed worker had finished but not acknowledged come back after their lease and show up
 * as duplicates, or as skips with idempotency on), the fleet stops gracefully, and the ledger
 * is counted.
 *
 * At most once (`settleInDoubt`: the job's ifAbandoned is 'bury'), a job whose run was killed
 * holding its claim is buried as `idempotency-in-doubt` instead of running again. Once the queue
 * has settled, the harness does what the operator would: for each job in doubt it looks for the
 * effect downstream (the ledger); where there is none it forgets the job's key; then it kicks
 * every buried job. The forgotten ones run; the others must be buried in doubt again.
 */
import type { Child } from './child.ts';
import { createFleet, startKiller, type Fleet } from './fleet.ts';
import { storeKeyOf } from './idempotency.ts';
import { jobIdOf, type LedgerPayload } from './jobs.ts';
import { createLedgerReader, type Entry, type LedgerReader } from './ledger.ts';
import { countLedger, type BuriedRecord, type LedgerFigures } from './ledger-figures.ts';
import { seededRandom } from './random.ts';
import { until } from './wait.ts';

export interface KillRig {
  /** `sqs`, `cloud-tasks pull`, `lambda push`. */
  readonly name: string;
  readonly ledgerDir: string;
  /** Spawns one worker child (a pull worker, or a Lambda runtime). */
  spawnWorker(label: string): Child;
  enqueue(jobs: ReadonlyArray<{ id: string; payload: LedgerPayload }>): Promise<void>;
  /** Parent-side consumers (the Lambda event source mapping), started once the fleet is ready. */
  start?(fleet: Fleet): void;
  stopConsumers?(): Promise<void>;
  /** Jobs still in the live queue (ready, delayed or leased); 0 once settled. */
  pending(): Promise<number>;
  /** What the dead-letter store holds, with the reasons. */
  buried(): Promise<BuriedRecord[]>;
  /** Moves up to `max` buried jobs back to the live queue. */
  kick(max: number): Promise<number>;
  close(): Promise<void>;
}

export interface KillOptions {
  jobs: number;
  workers: number;
  killEveryMs: number;
  /** The floor of kills: a run with fewer (the jobs ran out first) proves less than it claims; reported as `minKills`. */
  minKills: number;
  /** The killer stops after this many kills (CI: a few); default: it kills until every job is done. */
  maxKills?: number;
  /** Work per job, uniformly in [min, max] ms. */
  workMs: readonly [number, number];
  /** Longest the whole run may take. */
  timeoutMs: number;
  /** Longest the queue may take to settle after the last effect (a lease or two). */
  settleTimeoutMs: number;
  seed?: number;
  /** Idempotency is on in the children: duplicates are judged by the store's completion records. */
  idempotency?: boolean;
  /** At most once: the operator's side of settling jobs buried in doubt (the children's store). */
  settleInDoubt?: { forget(storeKey: string): Promise<boolean> };
  /** Progress lines (every few seconds). */
  progress?: (line: string) => void;
}

export interface KillFigures extends LedgerFigures {
  readonly transport: string;
  readonly kills: number;
  /** The options' floor of kills (the run's checks compare `kills` with it). */
  readonly minKills: number;
  /** How long the killer ran (from the first worker ready to its last kill, or the last job done). */
  readonly killingMs: number;
  /** Jobs that had their effect (or a bury) while the killer ran. */
  readonly doneWhileKilling: number;
  readonly spawned: number;
  readonly respawns: number;
  readonly durationMs: number;
  readonly settled: boolean;
  /**
   * At most once: jobs buried in doubt; of them, those that had had their effect (left alone) and
   * those that had not (forgotten, kicked, run); `reburied`: of those left alone, how many a kick
   * alone buried in doubt again (all of them, or a kick ran an effect twice).
   */
  readonly inDoubt?: { readonly jobs: number; readonly hadEffect: number; readonly rerun: number; readonly reburied: number };
}

export async function runKillHarness(rig: KillRig, options: KillOptions): Promise<KillFigures> {
  const random = seededRandom(options.seed ?? 42);
  const [minWork, maxWork] = options.workMs;
  const ids = Array.from({ length: options.jobs }, (_, n) => jobIdOf(n));
  await rig.enqueue(ids.map((id, n) => ({ id, payload: { n, workMs: minWork + Math.floor(random() * (maxWork - minWork + 1)) } })));

  const reader = createLedgerReader(rig.ledgerDir);
  const done = new Set<string>();
  const killed = new Set<number>();
  const fleet = createFleet({ size: options.workers, prefix: rig.name.replace(/\W+/g, '-'), spawn: (label) => rig.spawnWorker(label) });
  const started = Date.now();
  fleet.start();
  let killer: ReturnType<typeof startKiller> | undefined;
  try {
    await fleet.ready(options.workers, 30_000);
    rig.start?.(fleet);
    const killingFrom = Date.now();
    killer = startKiller(fleet, { everyMs: options.killEveryMs, random, max: options.maxKills, onKill: (child) => killed.add(child.pid) });
    let lastProgress = Date.now();
    let killingMs: number | undefined;
    let doneWhileKilling = 0;
    const remaining = Math.max(1_000, options.timeoutMs - (Date.now() - started));
    await until(
      () => {
        for (const e of reader.poll()) if (e.kind === 'effect' || e.kind === 'bury') done.add(e.jobId);
        if (killingMs === undefined && killer!.kills >= (options.maxKills ?? Infinity)) {
          killingMs = Date.now() - killingFrom;
          doneWhileKilling = done.size;
        }
        if (options.progress && Date.now() - lastProgress > 5_000) {
          lastProgress = Date.now();
          options.progress(`${rig.name}: ${done.size}/${options.jobs} done, ${killer!.kills} kills, ${fleet.spawned} spawned`);
        }
        return done.size >= options.jobs;
      },
      { timeoutMs: remaining, everyMs: 200, what: `${rig.name}: every job's side effect`, describe: () => `${done.size}/${options.jobs} done, ${killer!.kills} kills, alive ${fleet.children.map((c) => c.pid).join(',')}; ${historyOfMissing(ids, done, reader.entries)}` },
    );
    killer.stop();
    if (killingMs === undefined) {
      killingMs = Date.now() - killingFrom;
      doneWhileKilling = done.size;
    }
    // Finished but unacknowledged jobs of killed workers come back when their lease ends.
    let settled = true;
    try {
      await until(async () => (await rig.pending()) === 0, { timeoutMs: options.settleTimeoutMs, everyMs: 250, what: `${rig.name}: the queue settling` });
    } catch {
      settled = false;
    }
    const inDoubt = options.settleInDoubt && settled ? await settleInDoubt(rig, reader, options.settleInDoubt, options.settleTimeoutMs) : undefined;
    await rig.stopConsumers?.();
    await fleet.stop(15_000);
    const durationMs = Date.now() - started;
    reader.poll();
    const figures = countLedger(ids, reader.entries, await rig.buried(), { killed, storeKeyOf: options.idempotency ? storeKeyOf : undefined });
    return { transport: rig.name, kills: killer.kills, minKills: options.minKills, killingMs, doneWhileKilling, spawned: fleet.spawned, respawns: fleet.spawned - options.workers, durationMs, settled, ...figures, ...(inDoubt ? { inDoubt } : {}) };
  } finally {
    killer?.stop();
    await rig.stopConsumers?.().catch(() => {});
    await fleet.stop(5_000).catch(() => {});
  }
}

/**
 * The operator's pass over the jobs in doubt: the ledger stands for the downstream system (a
 * payment provider's dashboard) where the operator checks whether an effect happened.
 */
async function settleInDoubt(rig: KillRig, reader: LedgerReader, operator: NonNullable<KillOptions['settleInDoubt']>, timeoutMs: number) {
  const buried = await rig.buried();
  const doubted = [...new Set(buried.filter((b) => b.reason === 'idempotency-in-doubt').map((b) => b.jobId))];
  if (doubted.length === 0) return { jobs: 0, hadEffect: 0, rerun: 0, reburied: 0 };
  reader.poll();
  const hasEffect = new Set(reader.entries.filter((e) => e.kind === 'effect').map((e) => e.jobId));
  const rerun = doubted.filter((id) => !hasEffect.has(id));
  const hadEffect = doubted.filter((id) => hasEffect.has(id));
  for (const id of rerun) {
    if (!(await operator.forget(storeKeyOf(id)))) throw new Error(`settling ${id} in doubt: its key held no abandoned claim to forget`);
  }
  // Every buried job is kicked, those left alone included: a kick alone must bury them again.
  let kicked = 0;
  while (kicked < buried.length) {
    const n = await rig.kick(buried.length - kicked);
    if (n === 0) break;
    kicked += n;
  }
  if (kicked < buried.length) throw new Error(`settling jobs in doubt: kicked ${kicked} of ${buried.length} buried jobs`);
  await until(
    () => {
      for (const e of reader.poll()) if (e.kind === 'effect') hasEffect.add(e.jobId);
      return rerun.every((id) => hasEffect.has(id));
    },
    { timeoutMs, everyMs: 200, what: `${rig.name}: the ${rerun.length} forgotten jobs in doubt running after the kick`, describe: () => `${rerun.filter((id) => !hasEffect.has(id)).length} without an effect` },
  );
  await until(async () => (await rig.pending()) === 0, { timeoutMs, everyMs: 250, what: `${rig.name}: the queue settling after the kick` });
  // What the dead-letter store holds now: the jobs left alone, in doubt again; none of the forgotten.
  const after = await rig.buried();
  const inDoubtAfter = new Set(after.filter((b) => b.reason === 'idempotency-in-doubt').map((b) => b.jobId));
  const stillBuried = new Set(after.map((b) => b.jobId));
  const forgottenStillBuried = rerun.filter((id) => stillBuried.has(id));
  if (forgottenStillBuried.length > 0) throw new Error(`settling jobs in doubt: ${forgottenStillBuried.length} forgotten jobs are buried again (${forgottenStillBuried.slice(0, 3).join(', ')})`);
  return { jobs: doubted.length, hadEffect: hadEffect.length, rerun: rerun.length, reburied: hadEffect.filter((id) => inDoubtAfter.has(id)).length };
}

/** What the ledger says about the first few jobs still without an effect: for a stuck run's error. */
function historyOfMissing(ids: readonly string[], done: ReadonlySet<string>, entries: readonly Entry[]): string {
  const missing = ids.filter((id) => !done.has(id)).slice(0, 3);
  const now = Date.now();
  return missing
    .map((id) => {
      const own = entries.filter((e) => e.jobId === id);
      const last = own.at(-1);
      return `${id}: ${own.filter((e) => e.kind === 'reserved').length} deliveries, ${own.filter((e) => e.kind === 'start').length} runs, last ${last ? `${last.kind}@${last.attempt} by ${last.pid} ${now - last.at} ms ago` : 'none'}`;
    })
    .join('; ');
}
