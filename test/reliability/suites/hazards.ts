/**
 * Input hazards and log redaction in the reliability run: the suites of test/hazards (the same
 * tests CI runs), run by vitest in a child process with every property's number of runs scaled
 * up, and the counts each test wrote (test/hazards/figures.ts) summed per path. A failed test is
 * named with its first message; the counts stay what the tests observed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HazardCheck, HazardCount, HazardPath } from '../../hazards/figures.ts';
import type { Profile } from './profile.ts';

/** How many times its CI size each property runs. */
const HAZARD_SCALE: Record<Profile, number> = { ci: 1, full: 10 };

export interface CheckFigures {
  cases: number;
  failures: number;
  secrets: number;
}

export interface HazardFigures {
  scale: number;
  tests: number;
  /** Per path, per check: cases driven, cases that went wrong, secrets planted. */
  checks: Partial<Record<HazardPath, Partial<Record<HazardCheck, CheckFigures>>>>;
  crashes: Partial<Record<HazardPath, number>>;
  rangeErrors: Partial<Record<HazardPath, number>>;
  /** `file > test: first line of the failure`, for every test that failed. */
  failed: string[];
}

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface VitestJson {
  numTotalTests: number;
  testResults: Array<{ name: string; message?: string; assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }>;
}

/** Runs test/hazards; the vitest child is killed (and the run rejected) after `limitMs`. */
export async function runHazards(profile: Profile, limitMs: number): Promise<HazardFigures> {
  const scale = HAZARD_SCALE[profile];
  const dir = mkdtempSync(join(tmpdir(), 'jobferry-hazards-'));
  const figuresFile = join(dir, 'figures.jsonl');
  const reportFile = join(dir, 'report.json');
  try {
    // Tests that run their properties `scale` times as often get `scale` times the CI timeout.
    const { code, output } = await runVitest(['run', 'test/hazards', '--reporter=json', `--outputFile=${reportFile}`, `--testTimeout=${20_000 * scale}`], {
      RELIABILITY_HAZARD_SCALE: String(scale),
      RELIABILITY_HAZARD_FIGURES: figuresFile,
    }, limitMs);
    let report: VitestJson;
    try {
      report = JSON.parse(readFileSync(reportFile, 'utf8')) as VitestJson;
    } catch {
      throw new Error(`vitest exited with code ${code} and wrote no report: ${output.slice(-500)}`);
    }
    const failed: string[] = [];
    for (const file of report.testResults) {
      const name = file.name.slice(ROOT.length);
      if (file.assertionResults.length === 0 && file.message) failed.push(`${name}: ${firstLine(file.message)}`);
      for (const test of file.assertionResults) {
        if (test.status === 'failed') failed.push(`${name} > ${test.fullName}: ${firstLine(test.failureMessages[0] ?? '')}`);
      }
    }
    if (code !== 0 && failed.length === 0) failed.push(`vitest exited with code ${code}: ${output.slice(-500)}`);
    const figures: HazardFigures = { scale, tests: report.numTotalTests, checks: {}, crashes: {}, rangeErrors: {}, failed };
    for (const count of readCounts(figuresFile)) add(figures, count);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function add(figures: HazardFigures, count: HazardCount): void {
  const checks = (figures.checks[count.path] ??= {});
  const check = (checks[count.check] ??= { cases: 0, failures: 0, secrets: 0 });
  check.cases += count.cases;
  check.failures += count.failures;
  check.secrets += count.secrets;
  figures.crashes[count.path] = (figures.crashes[count.path] ?? 0) + count.crashes;
  figures.rangeErrors[count.path] = (figures.rangeErrors[count.path] ?? 0) + count.rangeErrors;
}

function readCounts(file: string): HazardCount[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as HazardCount);
}

/** vitest on this Node (the project's), from the repository root; output kept for errors. */
function runVitest(args: string[], env: Record<string, string>, limitMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // vitest runs its tests in worker processes of its own: the whole process group goes, at
    // the time limit and when this process exits or is interrupted (the group is detached, so
    // a Ctrl-C does not reach it by itself).
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const interrupted = (signal: NodeJS.Signals) => {
      killGroup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('exit', killGroup);
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, limitMs);
    const done = () => {
      clearTimeout(timer);
      process.off('exit', killGroup);
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
    };
    child.on('error', (error) => {
      done();
      reject(error);
    });
    child.on('close', (code) => {
      done();
      if (timedOut) reject(new Error(`the hazard suites did not finish within ${Math.round(limitMs / 1000)} s (vitest killed): ${output.slice(-300)}`));
      else resolve({ code: code ?? 1, output });
    });
  });
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 300) ?? '';
}
