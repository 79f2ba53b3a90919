/**
 * The deployable entries of the reference app (functions/), next to the entries the SQS and
 * Cloud Tasks benchmarks measure (the Lambda wrapper, adapters/sqs/lambda.ts, and the push
 * handler, adapters/cloud-tasks/push.ts), all measured here the same way:
 *
 * 1. Bundle size: esbuild, minified, ESM, node24, code splitting, ESM builds of dual packages
 *    first (infra/package/entry-bundle.ts, as infra/aws/bundle.ts). "Eager" is what loads with
 *    the entry (its chunk and the chunks it imports statically), "lazy" what loads on first use
 *    (the SDKs, behind import()). Lambda entries leave `@aws-sdk/*` to the runtime, as
 *    infra/aws/bundle.ts does; the others bundle everything. The eager bytes are split into
 *    the app's jobs, jobferry's core, its adapters, zod and the rest.
 * 2. Import time: `import(bundle)` in a fresh Node process, median of interleaved rounds, net
 *    of an empty module (the process itself), and net of zod alone (the schema library every
 *    entry loads: what remains is jobferry's and the app's own cost); the Cloud Run entry also
 *    net of zod and node:http together (what any Node HTTP server with zod schemas loads). The Lambda entry is
 *    imported with the JOBFERRY_SQS_* environment infra/aws sets, so reading its configuration
 *    counts. The Cloud Run entry is also timed to listening (import + startCloudRun). The pull
 *    worker runs its main at import (it starts working), so it is timed to `worker.started` on
 *    the memory transport instead.
 *
 *   npx node bench/functions.bench.ts [--quick]
 *
 * Targets (the ones of the SQS and Cloud Tasks issues, applied to the reference app's entries,
 * whose jobs bring six schemas): the Lambda entry's eager bytes without zod <= 20 KB and its
 * import net of zod <= 5 ms; the Cloud Run entry's import net of zod and node:http <= 15 ms.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleEntry, type EntryBundle } from '../infra/package/entry-bundle.ts';
import { median, printResult, printTargets, quick, round, target } from './lib.ts';

interface Measured {
  readonly name: string;
  readonly entry: string;
  /** How it is timed: import, import + start to listening, or start to worker.started. */
  readonly timing: 'import' | 'main';
  readonly external?: readonly string[];
  readonly env?: Record<string, string>;
  /** `function`: an entry of functions/; `peer`: the entry the SQS or Cloud Tasks benchmark measures. */
  readonly kind: 'function' | 'peer';
}

const LAMBDA_ENV = {
  JOBFERRY_ADAPTER: 'sqs',
  JOBFERRY_SQS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobferry-reference',
  JOBFERRY_SQS_DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobferry-reference-dead-letter',
};
const CLOUD_RUN_ENV = {
  PORT: '0',
  JOBFERRY_ADAPTER: 'cloud-tasks',
  JOBFERRY_CLOUD_TASKS_PROJECT: 'bench-project',
  JOBFERRY_CLOUD_TASKS_LOCATION: 'europe-west1',
  JOBFERRY_CLOUD_TASKS_QUEUE_ID: 'jobferry-reference',
  JOBFERRY_CLOUD_TASKS_DEAD_LETTER_QUEUE_ID: 'jobferry-reference-dead-letter',
  JOBFERRY_CLOUD_TASKS_HANDLER_URL: 'https://jobferry-reference-123.europe-west1.run.app/',
  JOBFERRY_CLOUD_TASKS_SERVICE_ACCOUNT_EMAIL: 'tasks@bench-project.iam.gserviceaccount.com',
  JOBFERRY_CLOUD_TASKS_QUEUE_MAX_ATTEMPTS: '8',
};

const ENTRIES: readonly Measured[] = [
  { name: 'Lambda entry (functions/aws-lambda.ts)', entry: 'functions/aws-lambda.ts', timing: 'import', external: ['@aws-sdk/*'], env: LAMBDA_ENV, kind: 'function' },
  { name: 'Cloud Run entry (functions/cloud-run.ts)', entry: 'functions/cloud-run.ts', timing: 'import', env: CLOUD_RUN_ENV, kind: 'function' },
  { name: 'pull worker (functions/worker.ts)', entry: 'functions/worker.ts', timing: 'main', env: { JOBFERRY_ADAPTER: 'memory' }, kind: 'function' },
  { name: 'peer: Lambda wrapper (adapters/sqs/lambda.ts)', entry: 'adapters/sqs/lambda.ts', timing: 'import', external: ['@aws-sdk/*'], kind: 'peer' },
  { name: 'peer: push handler (adapters/cloud-tasks/push.ts)', entry: 'adapters/cloud-tasks/push.ts', timing: 'import', kind: 'peer' },
];

const work = mkdtempSync(join(tmpdir(), 'jobferry-functions-bench-'));
try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const bundles = new Map<string, EntryBundle>();
  for (const [i, e] of ENTRIES.entries()) bundles.set(e.entry, await bundleEntry(e.entry, { outdir: join(work, `b${i}`), ...(e.external ? { external: e.external } : {}) }));
  // Baselines: an empty module, and zod alone (bundled the same way).
  const empty = join(work, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  const zodEntry = join(work, 'zod-only.ts');
  writeFileSync(zodEntry, "export { z } from 'zod';\n");
  const zod = await bundleEntry(zodEntry, { outdir: join(work, 'zod') });
  // What any HTTP server on Node loads too: the Cloud Run entry's own cost is beyond it.
  const zodHttpEntry = join(work, 'zod-http.ts');
  writeFileSync(zodHttpEntry, "export { z } from 'zod';\nexport { createServer } from 'node:http';\n");
  const zodHttp = await bundleEntry(zodHttpEntry, { outdir: join(work, 'zod-http') });

  const rounds = quick ? 3 : 25;
  const samples = new Map<string, number[]>([['empty', []], ['zod', []], ['zod+http', []], ...ENTRIES.map((e) => [e.entry, []] as [string, number[]])]);
  const startSamples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ENTRIES : [...ENTRIES].reverse();
    samples.get('empty')!.push(timeImport(empty));
    samples.get('zod')!.push(timeImport(zod.entryFile!));
    samples.get('zod+http')!.push(timeImport(zodHttp.entryFile!));
    for (const e of order) {
      const file = bundles.get(e.entry)!.entryFile!;
      samples.get(e.entry)!.push(e.timing === 'main' ? timeWorkerStart(file, e.env ?? {}) : timeImport(file, e.env ?? {}));
      if (e.entry === 'functions/cloud-run.ts') startSamples.push(timeCloudRunListening(file, e.env ?? {}));
    }
  }

  const perRound = (name: string, base: string) => median(samples.get(name)!.map((v, i) => v - samples.get(base)![i]!));
  const rows = ENTRIES.map((e) => {
    const b = bundles.get(e.entry)!;
    return {
      ...e,
      eagerBytes: b.eagerBytes,
      lazyBytes: b.lazyBytes,
      parts: composition(b.eagerInputs),
      ms: median(samples.get(e.entry)!),
      netMs: perRound(e.entry, 'empty'),
      // Only where zod loads with the entry (the app's schemas): the peers' entries load it lazily, if at all.
      netOfZodMs: composition(b.eagerInputs).zod === undefined ? undefined : perRound(e.entry, 'zod'),
    };
  });
  const listeningNetMs = median(startSamples.map((v, i) => v - samples.get('empty')![i]!));
  const cloudRunNetOfZodAndHttpMs = perRound('functions/cloud-run.ts', 'zod+http');

  console.log(`function entries and their peers (esbuild minified, code splitting; fresh-process timings, median of ${rounds} interleaved rounds):`);
  console.log(`  baselines: empty module ${round(median(samples.get('empty')!), 2)} ms; zod alone ${round(median(samples.get('zod')!), 2)} ms (${zod.eagerBytes} bytes); zod + node:http ${round(median(samples.get('zod+http')!), 2)} ms`);
  for (const r of rows) {
    console.log(`  ${r.name}`);
    console.log(`    bundle: ${r.eagerBytes} bytes eager (${Object.entries(r.parts).map(([k, v]) => `${k} ${v}`).join(', ')}), ${r.lazyBytes} bytes lazy${r.external ? `; external: ${r.external.join(', ')}` : ''}`);
    const what = r.timing === 'main' ? 'start to worker.started' : 'import';
    console.log(`    ${what}: ${round(r.ms, 2)} ms; net of an empty module ${round(r.netMs, 2)} ms; ${r.netOfZodMs === undefined ? 'zod does not load with it' : `net of zod ${round(r.netOfZodMs, 2)} ms`}`);
    if (r.entry === 'functions/cloud-run.ts') {
      console.log(`    import net of zod and node:http (what any Node HTTP server with zod schemas loads): ${round(cloudRunNetOfZodAndHttpMs, 2)} ms`);
      console.log(`    import + startCloudRun to listening: net of an empty module ${round(listeningNetMs, 2)} ms`);
    }
  }

  const row = (entry: string) => rows.find((r) => r.entry === entry)!;
  const lambda = row('functions/aws-lambda.ts');
  const targets = [
    target('Lambda entry eager KB without zod', (lambda.eagerBytes - (lambda.parts.zod ?? 0)) / 1024, '<=', 20),
    target('Lambda entry import ms, net of zod', lambda.netOfZodMs ?? lambda.netMs, '<=', 5),
    target('Cloud Run entry import ms, net of zod and node:http', cloudRunNetOfZodAndHttpMs, '<=', 15),
  ];
  printTargets(targets);
  printResult(
    'functions',
    {
      rounds,
      baselineMs: { empty: round(median(samples.get('empty')!), 2), zod: round(median(samples.get('zod')!), 2), zodAndHttp: round(median(samples.get('zod+http')!), 2) },
      entries: Object.fromEntries(
        rows.map((r) => [
          r.entry,
          { kind: r.kind, timing: r.timing === 'main' ? 'start-to-worker.started' : 'import', eagerBytes: r.eagerBytes, lazyBytes: r.lazyBytes, eagerParts: r.parts, ms: round(r.ms, 2), netMs: round(r.netMs, 2), netOfZodMs: r.netOfZodMs === undefined ? null : round(r.netOfZodMs, 2) },
        ]),
      ),
      cloudRunListeningNetMs: round(listeningNetMs, 2),
      cloudRunNetOfZodAndHttpMs: round(cloudRunNetOfZodAndHttpMs, 2),
    },
    targets,
  );
}

/** The eager bytes by part: the app's jobs, jobferry's core, its adapters, zod, jose, everything else. */
function composition(inputs: ReadonlyMap<string, number>): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const [path, bytes] of inputs) {
    const part = /(^|\/)functions\//.test(path)
      ? 'app (functions/)'
      : /(^|\/)src\//.test(path) && !path.includes('node_modules')
        ? 'core (src/)'
        : /(^|\/)adapters\//.test(path) && !path.includes('node_modules')
          ? 'adapters/'
          : (/node_modules\/((@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'other');
    parts[part] = (parts[part] ?? 0) + bytes;
  }
  return Object.fromEntries(Object.entries(parts).sort((a, b) => b[1] - a[1]));
}

function child(script: string, env: Record<string, string>): number {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: work, env: { PATH: process.env.PATH, ...env } });
  const value = Number(run.stdout.trim().split('\n').at(-1));
  if (run.status !== 0 || !Number.isFinite(value)) throw new Error(`a timing child failed (exit ${String(run.status)}): ${run.stderr.slice(0, 1000)} ${run.stdout.slice(0, 500)}`);
  return value;
}

/** ms of import(file) in a fresh process. */
function timeImport(file: string, env: Record<string, string> = {}): number {
  return child(`const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`, env);
}

/** ms of import + startCloudRun until the server listens, in a fresh process. */
function timeCloudRunListening(file: string, env: Record<string, string>): number {
  return child(
    `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); const app = await m.startCloudRun({ host: '127.0.0.1', handleSignals: false, logger: { isEnabled: () => false, log() {} } }); const ms = performance.now() - t; await app.close(); console.log(ms);`,
    env,
  );
}

/** ms from import() of the worker bundle to its worker.started line, in a fresh process. */
function timeWorkerStart(file: string, env: Record<string, string>): number {
  return child(
    `const t = performance.now(); const write = process.stdout.write.bind(process.stdout);
     process.stdout.write = (chunk, ...rest) => { if (String(chunk).includes('"worker.started"')) { write(String(performance.now() - t) + '\\n'); process.exit(0); } return true; };
     import(${JSON.stringify(pathToFileURL(file).href)});`,
    env,
  );
}
