/**
 * The one table: every figure of the reliability run, one column per adapter, in Markdown (the
 * README keeps the last one). A suite that failed to run shows its error in its cells.
 */
import type { DrainFigures } from './drain.ts';
import type { FaultFigures } from './faults.ts';
import type { HeartbeatFigures } from './heartbeat.ts';
import type { KillFigures } from './kill-harness.ts';
import type { HazardFigures } from '../suites/hazards.ts';
import type { HazardCheck, HazardPath } from '../../hazards/figures.ts';
import type { SoakFigures } from './soak.ts';

export const ADAPTERS = ['memory', 'sqs', 'cloud-tasks pull', 'lambda push', 'cloud-tasks push'] as const;
export type Adapter = (typeof ADAPTERS)[number];

/** A suite's result for one adapter: its figures, an error, or not applicable (with why). */
export type Cell<T> = { ok: T } | { error: string } | { na: string };

export interface RunResults {
  /** on: idempotency at least once (ifAbandoned 'run'); once: at most once ('bury', absent in runs made before it); off: no idempotency. */
  kill: Partial<Record<Adapter, { on: Cell<KillFigures>; off: Cell<KillFigures>; once?: Cell<KillFigures> }>>;
  drain: Partial<Record<Adapter, Cell<DrainFigures>>>;
  heartbeat: Partial<Record<Adapter, Cell<HeartbeatFigures>>>;
  faults: Partial<Record<Adapter, Cell<FaultFigures>>>;
  soak: Partial<Record<Adapter, Cell<SoakFigures>>>;
  /** One run of the hazard suites (test/hazards) for every column; absent in runs made before it was added. */
  hazards?: Cell<HazardFigures>;
}

/** The paths test/hazards drives, by column. */
export const HAZARD_PATHS: Record<Adapter, readonly HazardPath[]> = {
  memory: ['pipeline', 'memory', 'http-api'],
  sqs: ['sqs'],
  'cloud-tasks pull': ['cloud-tasks-pull'],
  'lambda push': ['lambda'],
  'cloud-tasks push': ['cloud-tasks-push'],
};

/** The checks each path must report: the shared pipeline's paths all four, the transports redaction. */
const ALL_CHECKS: readonly HazardCheck[] = ['pollution', 'depth-bomb', 'size-limit', 'redaction'];
export const HAZARD_CHECKS: Record<HazardPath, readonly HazardCheck[]> = {
  pipeline: ALL_CHECKS,
  memory: ALL_CHECKS,
  'http-api': ALL_CHECKS,
  sqs: ['redaction'],
  lambda: ['redaction'],
  'cloud-tasks-pull': ['redaction'],
  'cloud-tasks-push': ['redaction'],
};

const SHARED_PIPELINE = 'one pipeline decodes and size-checks the bodies of every transport: hazards are driven through it, the memory transport and the local HTTP API';
const HAZARD_NOT_DRIVEN: Record<HazardCheck, string> = {
  pollution: SHARED_PIPELINE,
  'depth-bomb': SHARED_PIPELINE,
  'size-limit': SHARED_PIPELINE,
  redaction: 'not driven',
};

type Row = [label: string, cells: string[]];

/** The table, then the reasons of its n/a cells (one line per adapter and reason). */
export function renderTable(results: RunResults): string {
  const rows: Row[] = [];
  const notApplicable = new Map<string, Set<string>>(); // reason -> suites
  let suite = '';
  const per = <T>(get: (a: Adapter) => Cell<T> | undefined, show: (value: T) => string): string[] =>
    ADAPTERS.map((a) => {
      const cell = get(a);
      if (cell === undefined) return 'not run';
      if ('na' in cell) {
        const key = `${a}: ${cell.na}`;
        if (!notApplicable.has(key)) notApplicable.set(key, new Set());
        notApplicable.get(key)!.add(suite);
        return 'n/a';
      }
      if ('error' in cell) return `**error**: ${escape(cell.error).slice(0, 160)}`;
      return show(cell.ok);
    });
  const both = (show: (on: KillFigures, off: KillFigures | undefined) => string) =>
    per(
      (a) => {
        const k = results.kill[a];
        if (k === undefined) return undefined;
        if (!('ok' in k.on)) return k.on;
        return { ok: { on: k.on.ok, off: 'ok' in k.off ? k.off.ok : undefined } };
      },
      (v: { on: KillFigures; off: KillFigures | undefined }) => show(v.on, v.off),
    );

  // Runs saved before at most once existed have no `once`: their cells say 'not run'.
  const once = (show: (f: KillFigures) => string) => per((a) => results.kill[a]?.once, show);

  const row = (label: string, cells: () => string[]) => {
    suite = label.slice(0, label.indexOf(':'));
    rows.push([label, cells()]);
  };
  row('kill: jobs, SIGKILLs (mean interval), respawns (idempotency on / off)', () => both((on, off) => `${on.jobs}, ${on.kills} (${interval(on)}), ${on.respawns}${off ? ` / ${off.jobs}, ${off.kills} (${interval(off)}), ${off.respawns}` : ''}`));
  row('kill: jobs done while the killer ran (on / off)', () => both((on, off) => `${on.doneWhileKilling} / ${off?.doneWhileKilling ?? '?'}`));
  row('kill: lost (idempotency on / off)', () => both((on, off) => `${on.lost} / ${off?.lost ?? '?'}`));
  row('kill: redeliveries (on / off)', () => both((on, off) => `${on.redeliveries} / ${off?.redeliveries ?? '?'}`));
  row('kill: duplicate side effects, idempotency on, at least once (in the crash window / outside it)', () => both((on) => `${on.duplicateEffects} (${on.duplicatesInCrashWindow} / ${on.duplicatesOutsideCrashWindow})`));
  row('kill: duplicate side effects, idempotency off', () => both((_on, off) => `${off?.duplicateEffects ?? '?'}`));
  row('kill: duplicates applied by a downstream that honours ctx.idempotencyKey (idempotency on / off)', () => both((on, off) => `${on.duplicatesApplied} / ${off?.duplicatesApplied ?? '?'}`));
  row('kill: buried with a reason (on / off)', () => both((on, off) => `${on.buried} / ${off?.buried ?? '?'}`));
  row("kill: at most once (ifAbandoned 'bury'): jobs, SIGKILLs (mean interval), lost", () => once((f) => `${f.jobs}, ${f.kills} (${interval(f)}), ${f.lost}`));
  row('kill: at most once: duplicate side effects (in the crash window / outside it)', () => once((f) => `${f.duplicateEffects} (${f.duplicatesInCrashWindow} / ${f.duplicatesOutsideCrashWindow})`));
  row('kill: at most once: buried in doubt (had their effect: left alone, buried again by a kick / had not: forgotten, kicked, run once)', () =>
    once((f) => (f.inDoubt ? `${f.inDoubt.jobs} (${f.inDoubt.hadEffect}, ${f.inDoubt.reburied} / ${f.inDoubt.rerun})` : 'not settled')),
  );
  row('kill: acked twice, unhandled rejections (every mode)', () =>
    per(
      (a) => {
        const k = results.kill[a];
        if (k === undefined) return undefined;
        if (!('ok' in k.on)) return k.on;
        const ran = [k.on, k.off, k.once].flatMap((c) => (c !== undefined && 'ok' in c ? [c.ok] : []));
        return { ok: ran };
      },
      (ran: KillFigures[]) => `${ran.reduce((n, f) => n + f.doubleAcks, 0)}, ${ran.reduce((n, f) => n + f.unhandled, 0)}`,
    ),
  );
  row('drain: in flight at SIGTERM', () => per((a) => results.drain[a], (d) => `${d.inFlightAtSignal}`));
  row('drain: finished / released / unaccounted', () => per((a) => results.drain[a], (d) => `${d.finished} / ${d.released} / ${d.unaccounted}`));
  row('drain: reserves after SIGTERM', () => per((a) => results.drain[a], (d) => `${d.reservesAfterSignal}`));
  row('drain: exit after SIGTERM (shutdownGraceMs)', () => per((a) => results.drain[a], (d) => `${d.exitMs} ms (${d.shutdownGraceMs} ms), code ${d.exitCode}`));
  row('drain: lost', () => per((a) => results.drain[a], (d) => `${d.lost}`));
  row('heartbeat: job of 3x its lease, never redelivered', () => per((a) => results.heartbeat[a], (h) => `${pass(h.longRun.passed)} (${h.longRun.deliveries} delivery, ${h.longRun.touches} touches, ${h.longRun.runMs} ms, lease ${h.leaseMs} ms)`));
  row('heartbeat: redelivered within one lease after SIGKILL', () =>
    per((a) => results.heartbeat[a], (h) => ('why' in h.afterKill ? `n/a (${h.afterKill.why})` : `${pass(h.afterKill.passed)} (${h.afterKill.redeliveryMs} ms, lease ${h.leaseMs} ms)`)),
  );
  row('heartbeat: touch error after completion not a failure', () => per((a) => results.heartbeat[a], (h) => `${pass(h.touchAfterCompletion.passed)} (${h.touchAfterCompletion.touchErrors} touch error, ${h.touchAfterCompletion.reportedFailures} reported)`));
  row('heartbeat: late result after a timeout discarded, acked once', () => per((a) => results.heartbeat[a], (h) => `${pass(h.ignoredAbort.passed)} (${h.ignoredAbort.totalAcks} ack, first delivery: ${h.ignoredAbort.firstReleases} release, ${h.ignoredAbort.firstAcks} ack)`));
  row('faults: recovery after throttling / access denied / resets / 5xx / queue made again', () => per((a) => results.faults[a], (f) => f.phases.map((p) => (p.recoveryMs === undefined ? 'never' : `${p.recoveryMs} ms`)).join(' / ')));
  row('faults: backoffs per fault (same order)', () => per((a) => results.faults[a], (f) => f.phases.map((p) => p.backoffs).join(' / ')));
  row('faults: jobs, lost, unhandled rejections, crashes', () => per((a) => results.faults[a], (f) => `${f.jobs}, ${f.lost}, ${f.unhandled}, ${f.crashes}`));
  row('soak: minutes, empty polls', () => per((a) => results.soak[a], (s) => `${(s.durationMs / 60_000).toFixed(1)}, ${s.polls}`));
  row('soak: heap slope after warm-up (limit 5 MB/h)', () => per((a) => results.soak[a], (s) => `${s.slopeMbPerHour} MB/h ${s.underLimit ? '(under)' : '(**over**)'}, heap ${s.heapStartMb} -> ${s.heapEndMb} MB`));

  const hazard = (check: HazardCheck, show: (total: { cases: number; failures: number; secrets: number }, parts: string[]) => string) =>
    per(
      (a) => {
        const h = results.hazards;
        if (h === undefined) return undefined;
        if (!('ok' in h)) return h;
        const paths = HAZARD_PATHS[a].filter((p) => h.ok.checks[p]?.[check] !== undefined);
        return paths.length === 0 ? { na: HAZARD_NOT_DRIVEN[check] } : { ok: { h: h.ok, paths } };
      },
      ({ h, paths }: { h: HazardFigures; paths: HazardPath[] }) => {
        const total = { cases: 0, failures: 0, secrets: 0 };
        for (const p of paths) {
          const c = h.checks[p]![check]!;
          total.cases += c.cases;
          total.failures += c.failures;
          total.secrets += c.secrets;
        }
        return show(total, paths.map((p) => `${p} ${h.checks[p]![check]!.cases}`));
      },
    );
  row('hazards: hostile payloads (`__proto__`, `constructor.prototype` at random depths) driven, prototype pollutions', () => hazard('pollution', (t, parts) => `${t.cases} (${parts.join(', ')}), ${t.failures} polluted`));
  row('hazards: depth bombs (5,000 and 200,000 nested arrays) handled as expected: refused too-deep before parsing as bodies, payloads and requests; bounded when a handler returns, logs or throws one', () => hazard('depth-bomb', (t, parts) => `${t.cases - t.failures} of ${t.cases} (${parts.join(', ')})`));
  row('hazards: bodies at the size limit -1 / at it / +1 run, run, refused before parsing', () => hazard('size-limit', (t, parts) => `${t.cases - t.failures} of ${t.cases} as expected (${parts.join(', ')})`));
  row('redaction: cases (success, retry, bury, refused token), secrets planted, cases with a secret in logs, answers or dead letters', () => hazard('redaction', (t, parts) => `${t.cases} (${parts.join(', ')}), ${t.secrets}, ${t.failures} leaked`));
  row('hazards and redaction: crashes, RangeErrors anywhere (logs included); failed tests of the whole hazard run', () =>
    per(
      (a) => {
        const h = results.hazards;
        if (h === undefined || !('ok' in h)) return h;
        return HAZARD_PATHS[a].some((p) => h.ok.checks[p] !== undefined) ? { ok: { h: h.ok, paths: HAZARD_PATHS[a] } } : { na: HAZARD_NOT_DRIVEN.redaction };
      },
      ({ h, paths }: { h: HazardFigures; paths: readonly HazardPath[] }) => {
        const sum = (of: Partial<Record<HazardPath, number>>) => paths.reduce((n, p) => n + (of[p] ?? 0), 0);
        return `${sum(h.crashes)}, ${sum(h.rangeErrors)}, ${h.failed.length} of ${h.tests} (x${h.scale} runs)`;
      },
    ),
  );

  const header = `| figure | ${ADAPTERS.join(' | ')} |`;
  const line = `|---|${ADAPTERS.map(() => '---').join('|')}|`;
  const table = [header, line, ...rows.map(([label, cells]) => `| ${label} | ${cells.join(' | ')} |`)].join('\n');
  if (notApplicable.size === 0) return table;
  const reasons = [...notApplicable].map(([reason, suites]) => `- n/a, ${reason} (${[...suites].join(', ')})`);
  return `${table}\n\n${reasons.join('\n')}`;
}

function interval(k: KillFigures): string {
  return k.kills > 0 ? `${Math.round(k.killingMs / k.kills)} ms` : 'none';
}

function pass(ok: boolean): string {
  return ok ? 'pass' : '**FAIL**';
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}
