/**
 * `npm run reliability`: every reliability suite at full size, then one table of figures per
 * adapter (memory, sqs, cloud-tasks pull, lambda push, cloud-tasks push) on stdout; progress
 * goes to stderr.
 *
 *   npm run reliability                          # full run (10,000 jobs per kill run, 30 min soak)
 *   npm run reliability -- --soak-minutes 5      # a shorter soak
 *   npm run reliability -- --only kill,drain     # some suites (kill, drain, heartbeat, faults, soak, hazards)
 *   npm run reliability -- --profile ci          # the CI sizes, to try the runner quickly
 *   npm run reliability -- --json out.json       # the figures as JSON too
 *   npm run reliability -- --table-from out.json # print the table of a saved run again, run nothing
 *
 * Each kill run is made three times: idempotency at least once (ifAbandoned 'run'), at most once
 * ('bury', the jobs in doubt settled as an operator would), and off.
 *
 * It exits 1 when a suite failed to run or a figure missed its target (lost > 0; at least once, a
 * duplicate side effect outside the crash window or one a key-honouring downstream would apply;
 * at most once, any duplicate side effect or no job in doubt; a failed check, a soak slope over
 * 5 MB/h, a pollution, a crash, a RangeError, a leaked secret), after printing the table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSqsEmulator } from '../../adapters/sqs/emulator.ts';
import type { IdempotencyConfig } from './harness/child-config.ts';
import { startIdempotencyBackend } from './harness/dynalite.ts';
import type { KillFigures } from './harness/kill-harness.ts';
import { startCloudTasksBackend } from './harness/rigs/cloud-tasks-rig.ts';
import { HAZARD_CHECKS, renderTable, type Adapter, type Cell, type RunResults } from './harness/table.ts';
import type { HazardCheck, HazardPath } from '../hazards/figures.ts';
import { within } from './harness/wait.ts';
import { drainCloudTasks, drainMemory, drainSqs } from './suites/drain.ts';
import { faultsCloudTasks, faultsLambda, faultsSqs } from './suites/faults.ts';
import { runHazards } from './suites/hazards.ts';
import { heartbeatCloudTasks, heartbeatMemory, heartbeatSqs } from './suites/heartbeat.ts';
import { killCloudTasks, killLambda, killSqsPull } from './suites/kill.ts';
import { soakSettings, type Profile } from './suites/profile.ts';
import { soakCloudTasks, soakMemory, soakSqs } from './suites/soak.ts';

const SUITES = ['kill', 'drain', 'heartbeat', 'faults', 'soak', 'hazards'] as const;
type Suite = (typeof SUITES)[number];

const { values } = parseOptions();

function parseOptions() {
  try {
    return parseArgs({
      options: {
        'soak-minutes': { type: 'string', default: '30' },
        only: { type: 'string' },
        profile: { type: 'string', default: 'full' },
        json: { type: 'string' },
        'table-from': { type: 'string' },
      },
    });
  } catch (error) {
    // A wrong flag is a usage error, not a crash with a stack trace.
    return fail(`${error instanceof Error ? error.message : String(error)} (options: --soak-minutes N, --only kill,drain,..., --profile full|ci, --json FILE, --table-from FILE)`);
  }
}
const profile = values.profile as Profile;
if (profile !== 'full' && profile !== 'ci') fail(`--profile must be full or ci, got ${values.profile}`);
const soakMinutes = Number(values['soak-minutes']);
if (!(soakMinutes > 0)) fail(`--soak-minutes must be a number > 0, got ${values['soak-minutes']}`);
const only = values.only === undefined ? [...SUITES] : values.only.split(',').map((s) => s.trim());
for (const s of only) if (!(SUITES as readonly string[]).includes(s)) fail(`--only: unknown suite ${s} (known: ${SUITES.join(', ')})`);
const runs = (suite: Suite) => only.includes(suite);

if (values['table-from'] !== undefined) {
  const saved = JSON.parse(readFileSync(values['table-from'], 'utf8')) as RunResults;
  report(saved, `Reliability run from ${values['table-from']}`);
}

const log = (line: string) => process.stderr.write(`[reliability ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const results: RunResults = { kill: {}, drain: {}, heartbeat: {}, faults: {}, soak: {} };
const started = Date.now();

/** One suite on the adapters it applies to, side by side; the others get their reason for n/a. */
async function sideBySide<T>(suite: string, limitMs: number, runs: Partial<Record<Adapter, () => Promise<T>>>, notApplicable: Partial<Record<Adapter, string>>): Promise<Partial<Record<Adapter, Cell<T>>>> {
  const ran = await Promise.all((Object.entries(runs) as Array<[Adapter, () => Promise<T>]>).map(async ([adapter, run]) => [adapter, await cell(`${suite} ${adapter}`, limitMs, run)] as const));
  const na = Object.entries(notApplicable).map(([adapter, why]) => [adapter, { na: why }] as const);
  return Object.fromEntries([...ran, ...na]) as Partial<Record<Adapter, Cell<T>>>;
}

/** One suite's run for one adapter, bounded: an error (or a timeout) becomes its cells. */
async function cell<T>(what: string, limitMs: number, run: () => Promise<T>): Promise<Cell<T>> {
  const t = Date.now();
  log(`${what}: started`);
  try {
    const ok = await within(run(), limitMs, what);
    log(`${what}: done in ${Math.round((Date.now() - t) / 1000)} s`);
    return { ok };
  } catch (error) {
    log(`${what}: FAILED: ${(error as Error).message}`);
    return { error: (error as Error).message };
  }
}

const [sqs, cloudTasks, faultyCloudTasks, store] = await Promise.all([
  startSqsEmulator(),
  startCloudTasksBackend(),
  // The real service keeps a deleted queue's name for 7 days; the fault suite makes it again at once.
  startCloudTasksBackend({ queueRecreateDelayMs: 0 }),
  startIdempotencyBackend(),
]);
const minutes = (n: number) => n * 60_000;
/** Why a suite has no cell for the Cloud Tasks push handler (the queue pushes each task to it). */
const PUSH_NA = {
  kill: 'no worker to kill: the queue holds each task and dispatches it again when a request fails',
  drain: 'the platform (Cloud Run) stops the server, not jobferry',
  heartbeat: 'no lease to extend: the dispatch deadline bounds each request',
  faults: 'not driven: the handler calls Cloud Tasks only to bury or re-enqueue',
  soak: 'no polling: the queue pushes',
} as const;

try {
  if (runs('kill')) {
    const na = { na: 'the queue lives in the worker process: a kill takes it away' } as const;
    results.kill.memory = { on: na, off: na, once: na };
    const pushNa = { na: PUSH_NA.kill } as const;
    results.kill['cloud-tasks push'] = { on: pushNa, off: pushNa, once: pushNa };
    // CPU-bound: one run at a time.
    const kill = async (adapter: Adapter, run: (idempotency: IdempotencyConfig | undefined) => Promise<KillFigures>) => {
      const on = await cell(`kill ${adapter}, idempotency on (at least once)`, minutes(30), async () => run(await store.table()));
      const once = await cell(`kill ${adapter}, idempotency at most once`, minutes(30), async () => run({ ...(await store.table()), ifAbandoned: 'bury' }));
      const off = await cell(`kill ${adapter}, idempotency off`, minutes(30), () => run(undefined));
      results.kill[adapter] = { on, off, once };
    };
    const progress = (line: string) => log(line);
    await kill('sqs', (idempotency) => killSqsPull(sqs, profile, { idempotency, progress }));
    await kill('cloud-tasks pull', (idempotency) => killCloudTasks(cloudTasks, profile, { idempotency, progress }));
    await kill('lambda push', (idempotency) => killLambda(sqs, profile, { idempotency, progress }));
  }

  if (runs('drain')) {
    // Timer-bound: side by side (so are heartbeat, faults and soak).
    const drain = { memory: () => drainMemory(profile), sqs: () => drainSqs(sqs, profile), 'cloud-tasks pull': () => drainCloudTasks(cloudTasks, profile) };
    Object.assign(results.drain, await sideBySide('drain', minutes(5), drain, { 'lambda push': 'the platform stops a Lambda, not jobferry', 'cloud-tasks push': PUSH_NA.drain }));
  }

  if (runs('heartbeat')) {
    const heartbeat = { memory: () => heartbeatMemory(profile), sqs: () => heartbeatSqs(sqs, profile), 'cloud-tasks pull': () => heartbeatCloudTasks(cloudTasks, profile) };
    Object.assign(results.heartbeat, await sideBySide('heartbeat', minutes(5), heartbeat, { 'lambda push': 'no lease to extend: the invocation holds the batch', 'cloud-tasks push': PUSH_NA.heartbeat }));
  }

  if (runs('faults')) {
    const faults = { sqs: () => faultsSqs(sqs, profile), 'cloud-tasks pull': () => faultsCloudTasks(faultyCloudTasks, profile), 'lambda push': () => faultsLambda(sqs, profile) };
    Object.assign(results.faults, await sideBySide('faults', minutes(10), faults, { memory: 'no network between the worker and its queue', 'cloud-tasks push': PUSH_NA.faults }));
  }

  if (runs('soak')) {
    const settings = soakSettings(profile, soakMinutes);
    const soak = { memory: () => soakMemory(settings), sqs: () => soakSqs(sqs, settings), 'cloud-tasks pull': () => soakCloudTasks(cloudTasks, settings) };
    Object.assign(results.soak, await sideBySide('soak', settings.durationMs + minutes(2), soak, { 'lambda push': 'the platform polls, not jobferry', 'cloud-tasks push': PUSH_NA.soak }));
  }

  if (runs('hazards')) {
    // The suites of test/hazards, by vitest in a child process, every property run 10x (full).
    results.hazards = await cell('hazards and redaction', minutes(20), () => runHazards(profile, minutes(19)));
  }
} finally {
  await Promise.allSettled([sqs.stop(), cloudTasks.close(), faultyCloudTasks.close(), store.close()]);
}

if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
report(results, `Reliability run (${profile} profile), ${new Date().toISOString()}, ${Math.round((Date.now() - started) / 60_000)} min, Node ${process.version}`);

/** Prints the table and the missed targets; exits 1 if a target was missed. */
function report(r: RunResults, title: string): never {
  const problems = missedTargets(r);
  process.stdout.write(`\n${title}\n\n${renderTable(r)}\n\n`);
  if (problems.length > 0) process.stdout.write(`Missed targets:\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
  else process.stdout.write('Every target met.\n');
  process.exit(problems.length > 0 ? 1 : 0);
}

function missedTargets(r: RunResults): string[] {
  const out: string[] = [];
  const ran = [r.kill, r.drain, r.heartbeat, r.faults, r.soak].some((cells) => Object.values(cells).some((c) => c !== undefined)) || r.hazards !== undefined;
  if (!ran) out.push('no suite ran');
  const each = <T>(suite: string, cells: Partial<Record<Adapter, Cell<T>>>, check: (adapter: Adapter, value: T) => void) => {
    for (const [adapter, c] of Object.entries(cells) as Array<[Adapter, Cell<T>]>) {
      if ('error' in c) out.push(`${suite} ${adapter}: did not run to the end: ${c.error}`);
      else if ('ok' in c) check(adapter, c.ok);
    }
  };
  for (const [adapter, k] of Object.entries(r.kill) as Array<[Adapter, { on: Cell<KillFigures>; off: Cell<KillFigures>; once?: Cell<KillFigures> }]>) {
    const modes = [['idempotency on', k.on], ['idempotency off', k.off], ...(k.once ? [['at most once', k.once] as const] : [])] as const;
    for (const [mode, c] of modes) {
      if ('error' in c) out.push(`kill ${adapter} (${mode}): did not run to the end: ${c.error}`);
      if (!('ok' in c)) continue;
      const f = c.ok;
      if (f.lost > 0) out.push(`kill ${adapter} (${mode}): ${f.lost} lost (${f.lostIds.join(', ')})`);
      if (!(f.kills >= f.minKills)) out.push(`kill ${adapter} (${mode}): ${f.kills} kills, fewer than ${f.minKills}`);
      if (f.doubleAcks > 0) out.push(`kill ${adapter} (${mode}): ${f.doubleAcks} deliveries acknowledged twice`);
      if (f.unhandled > 0) out.push(`kill ${adapter} (${mode}): ${f.unhandled} unhandled rejections`);
      // As CI asks: late redeliveries show up while the queue settles; a run that did not settle under-counts them.
      if (!f.settled) out.push(`kill ${adapter} (${mode}): the queue did not settle after the last effect`);
      // At least once promises no duplicate outside the crash window (and none applied by a
      // downstream that honours ctx.idempotencyKey); at most once promises none at all.
      if (mode === 'idempotency on' && f.duplicatesOutsideCrashWindow > 0) out.push(`kill ${adapter}: ${f.duplicatesOutsideCrashWindow} duplicate side effects outside the crash window with idempotency on`);
      if (mode === 'idempotency on' && f.duplicatesApplied > 0) out.push(`kill ${adapter}: ${f.duplicatesApplied} duplicate side effects with idempotency on that a downstream honouring ctx.idempotencyKey would apply`);
      if (mode === 'at most once' && f.duplicateEffects > 0) out.push(`kill ${adapter} (at most once): ${f.duplicateEffects} duplicate side effects`);
      if (mode === 'at most once' && f.inDoubt === undefined) out.push(`kill ${adapter} (at most once): the jobs in doubt were not settled`);
      if (mode === 'at most once' && f.inDoubt !== undefined && f.inDoubt.reburied !== f.inDoubt.hadEffect) out.push(`kill ${adapter} (at most once): of ${f.inDoubt.hadEffect} jobs in doubt left alone, a kick buried ${f.inDoubt.reburied} again`);
      if (mode === 'at most once' && f.inDoubt !== undefined && f.inDoubt.jobs === 0) out.push(`kill ${adapter} (at most once): no job in doubt: the kills left no claim behind, so the run proves nothing about at most once`);
    }
  }
  each('drain', r.drain, (a, d) => {
    if (d.lost > 0 || d.unaccounted > 0 || d.reservesAfterSignal > 0 || d.exitMs >= d.platformGraceMs || d.exitCode !== 0) out.push(`drain ${a}: lost ${d.lost}, unaccounted ${d.unaccounted}, reserves after SIGTERM ${d.reservesAfterSignal}, exit ${d.exitMs} ms (code ${d.exitCode})`);
    // As the CI test asks: a drain with nothing in flight proves nothing.
    if (d.inFlightAtSignal === 0 || d.finished + d.released !== d.inFlightAtSignal || d.unhandled > 0) out.push(`drain ${a}: in flight at SIGTERM ${d.inFlightAtSignal}, finished ${d.finished} + released ${d.released}, unhandled ${d.unhandled}`);
  });
  each('heartbeat', r.heartbeat, (a, h) => {
    for (const [name, check] of Object.entries({ longRun: h.longRun, afterKill: h.afterKill, touchAfterCompletion: h.touchAfterCompletion, ignoredAbort: h.ignoredAbort })) {
      if (!check.passed) out.push(`heartbeat ${a}: ${name} failed: ${JSON.stringify(check)}`);
    }
  });
  each('faults', r.faults, (a, f) => {
    if (f.lost > 0 || f.unhandled > 0 || f.crashes > 0) out.push(`faults ${a}: lost ${f.lost}, unhandled ${f.unhandled}, crashes ${f.crashes}`);
    for (const p of f.phases) if (p.recoveryMs === undefined) out.push(`faults ${a}: never recovered after ${p.fault}`);
  });
  const h = r.hazards;
  if (h !== undefined && 'error' in h) out.push(`hazards: did not run to the end: ${h.error}`);
  if (h !== undefined && 'ok' in h) {
    for (const failed of h.ok.failed) out.push(`hazards: failed: ${failed}`);
    // A path and check with no counts ran nothing that counted (a skipped test, one that did not
    // report): a missed target, never an n/a.
    for (const [path, checks] of Object.entries(HAZARD_CHECKS) as Array<[HazardPath, readonly HazardCheck[]]>) {
      for (const check of checks) if (h.ok.checks[path]?.[check] === undefined) out.push(`hazards ${path} ${check}: no counts were written (its tests did not run or did not report)`);
    }
    for (const [path, checks] of Object.entries(h.ok.checks)) {
      for (const [check, c] of Object.entries(checks)) {
        if (c.failures > 0) out.push(`hazards ${path} ${check}: ${c.failures} of ${c.cases} cases went wrong (${check === 'redaction' ? 'a secret leaked' : check === 'pollution' ? 'a prototype was polluted' : 'not refused as expected'})`);
      }
    }
    for (const [path, n] of Object.entries(h.ok.crashes)) if (n > 0) out.push(`hazards ${path}: ${n} crashes`);
    for (const [path, n] of Object.entries(h.ok.rangeErrors)) if (n > 0) out.push(`hazards ${path}: ${n} log lines with a RangeError`);
  }
  each('soak', r.soak, (a, s) => {
    if (!s.underLimit) out.push(`soak ${a}: heap slope ${s.slopeMbPerHour} MB/h, not under ${s.limitMbPerHour} MB/h`);
    if (s.unhandled > 0) out.push(`soak ${a}: ${s.unhandled} unhandled rejections`);
    if (s.polls < 10) out.push(`soak ${a}: only ${s.polls} polls: the worker did not poll`);
    if (s.samplesInSlope < 10) out.push(`soak ${a}: only ${s.samplesInSlope} heap samples after the warm-up: too few for a slope`);
  });
  return out;
}

function fail(message: string): never {
  process.stderr.write(`reliability: ${message}\n`);
  process.exit(2);
}
