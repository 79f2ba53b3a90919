/**
 * Runs every benchmark in bench/ (files named `*.bench.ts`), one child process each, one after
 * the other so they never compete for the CPU. Each benchmark prints what it measured and ends
 * with one line of JSON holding its figures, ratios and targets; this runner collects those
 * lines and prints them together at the end.
 *
 *   npm run bench                 full runs
 *   npm run bench -- --quick      shortened runs (CI): the same code paths, fewer iterations
 *   npm run bench -- memory       only benchmarks whose file name contains "memory"
 *
 * A missed target is reported as missed; only a crashed benchmark makes the exit code non-zero.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const filters = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .sort();

interface Summary {
  file: string;
  code: number | null;
  result: Record<string, unknown> | undefined;
  ms: number;
}

function runOne(file: string): Promise<Summary> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, file), ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last: string | undefined;
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      process.stdout.write(chunk);
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trimStart().startsWith('{')) last = line;
    });
    child.on('close', (code) => {
      if (buffered.trimStart().startsWith('{')) last = buffered;
      let result: Record<string, unknown> | undefined;
      try {
        result = last === undefined ? undefined : (JSON.parse(last) as Record<string, unknown>);
      } catch {
        result = undefined;
      }
      resolve({ file, code, result, ms: Date.now() - started });
    });
  });
}

const summaries: Summary[] = [];
for (const file of files) {
  console.log(`\n== ${file} ${flags.join(' ')}`);
  summaries.push(await runOne(file));
}

console.log('\n== summary');
let crashed = 0;
for (const s of summaries) {
  if (s.code !== 0 || s.result === undefined) {
    crashed++;
    console.log(`${s.file}: FAILED (exit ${String(s.code)}${s.result === undefined ? ', no JSON result line' : ''})`);
    continue;
  }
  console.log(`${s.file} (${(s.ms / 1000).toFixed(1)} s): ${JSON.stringify(s.result)}`);
}
if (files.length === 0) console.log(`no benchmark matched ${filters.join(', ')}`);
process.exitCode = crashed > 0 ? 1 : 0;
