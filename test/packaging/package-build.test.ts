/**
 * The published package, as a user gets it: the build (infra/package/build.ts) into a temp
 * directory, `npm pack`, `npm install <tarball>` into a fresh project (offline: its
 * dependencies and the optional peers are taken from this repository's node_modules), then
 * every subpath of the exports map imported with plain Node (type stripping off: Node refuses
 * TypeScript under node_modules anyway), its types resolved by tsc, and the bin run.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT, type PublishedManifest } from '../../infra/package/build.ts';
import { runJsonLines } from '../functions/helpers.ts';

const repoModules = join(REPOSITORY_ROOT, 'node_modules');
const nodeBin = dirname(process.execPath);
let work: string;
let app: string;
let installed: string;
let manifest: PublishedManifest;
let packed: { filename: string; files: Array<{ path: string }> };

function run(command: string, args: readonly string[], cwd: string, extraEnv: Record<string, string> = {}): SpawnSyncReturns<string> {
  // The project's Node first on PATH: npm, the bin's `#!/usr/bin/env node` and tsc run on it.
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH: `${nodeBin}:${process.env.PATH}`, ...extraEnv } });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) throw new Error(`${what} exited with ${String(result.status)}: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** Runs ESM code in the installed project with plain Node: no TypeScript loader. */
function node(code: string) {
  return run(process.execPath, ['--no-experimental-strip-types', '--input-type=module', '-e', code], app);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'jobferry-package-'));
  const dist = join(work, 'dist');
  ok(run(process.execPath, [join(REPOSITORY_ROOT, 'infra/package/build.ts'), '--outdir', dist], REPOSITORY_ROOT), 'the build');
  manifest = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8')) as PublishedManifest;
  [packed] = JSON.parse(ok(run('npm', ['pack', dist, '--pack-destination', work, '--json', '--ignore-scripts'], work), 'npm pack')) as [typeof packed];

  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'jobferry-consumer', private: true, type: 'module' }));
  // Offline: the dependencies come from this repository's node_modules, linked, at the versions it runs.
  const deps = Object.keys(manifest.dependencies ?? {}).map((name) => `file:${join(repoModules, name)}`);
  ok(run('npm', ['install', join(work, packed.filename), ...deps, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app), 'npm install');
  installed = join(app, 'node_modules', 'jobferry');
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Links the optional peers the repository has into the project, as a user installs them. */
function linkPeers(): string[] {
  const linked: string[] = [];
  for (const name of Object.keys(manifest.peerDependencies ?? {})) {
    const target = join(repoModules, name);
    const link = join(app, 'node_modules', name);
    if (!existsSync(target) || existsSync(link)) continue;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
    linked.push(name);
  }
  return linked;
}

const subpaths = () => Object.keys(manifest.exports).map((s) => (s === '.' ? 'jobferry' : `jobferry/${s.slice(2)}`));

/** What each subpath must at least export: a sample, so an empty or wrong module fails. */
const SAMPLE_EXPORTS: Record<string, string[]> = {
  jobferry: ['defineJob', 'createQueue', 'createWorker', 'createPipeline', 'loadConfig', 'createService', 'PermanentError'],
  'jobferry/memory': ['createMemoryService'],
  'jobferry/sqs': ['createSqsService'],
  'jobferry/sqs/lambda': ['createSqsHandler'],
  'jobferry/cloud-tasks': ['createCloudTasksService'],
  'jobferry/cloud-tasks/push': ['createNodePushHandler', 'createPushHandler'],
  'jobferry/dynamodb': [],
  'jobferry/testing': [],
  'jobferry/testing/contract': ['runContractSuite'],
  'jobferry/testing/idempotency': [],
  'jobferry/testing/sqs': ['startSqsEmulator', 'createEventSourceMapping', 'sqsRecord'],
  'jobferry/testing/cloud-tasks': ['startCloudTasksEmulator'],
};

/** Imports each subpath; resolves to { subpath: export names } or { subpath: 'ERROR ...' }. */
function importAll(list: readonly string[]): Record<string, string[] | string> {
  const code = `
    const out = {};
    for (const s of ${JSON.stringify(list)}) {
      try {
        const m = s.endsWith('/package.json') ? await import(s, { with: { type: 'json' } }) : await import(s);
        out[s] = Object.keys(m).sort();
      } catch (error) {
        out[s] = 'ERROR ' + (error.code ?? '') + ' ' + error.message;
      }
    }
    process.stdout.write(JSON.stringify(out));`;
  return JSON.parse(ok(node(code), 'the import script')) as Record<string, string[] | string>;
}

describe('the published package (build -> npm pack -> npm install)', () => {
  it('holds the build only: JavaScript, declarations, the manifest, README and the envelope schema', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain('package.json');
    expect(paths).toContain('README.md');
    expect(paths).toContain('src/envelope.schema.json');
    const other = paths.filter((p) => !/\.(js|d\.ts)$/.test(p) && !['package.json', 'README.md', 'src/envelope.schema.json'].includes(p));
    expect(other, 'files that are neither built code nor listed assets').toEqual([]);
    expect(paths.filter((p) => /\.ts$/.test(p) && !p.endsWith('.d.ts')), 'TypeScript sources').toEqual([]);
    expect(paths.filter((p) => /^(functions|bench|infra)\/|\.test\./.test(p)), 'the reference app, benchmarks, infra or tests').toEqual([]);
    for (const p of paths.filter((p) => p.endsWith('.js'))) expect(paths, `${p} has no declarations`).toContain(p.replace(/\.js$/, '.d.ts'));
  });

  it('maps every export to { types, default } files that exist in the installed package', () => {
    const source = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string> };
    expect(Object.keys(manifest.exports)).toEqual(Object.keys(source.exports));
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') {
        expect(subpath).toBe('./package.json');
        continue;
      }
      expect(Object.keys(target), `${subpath}: types must come first`).toEqual(['types', 'default']);
      expect(existsSync(join(installed, target.types)), `${subpath} -> ${target.types}`).toBe(true);
      expect(existsSync(join(installed, target.default)), `${subpath} -> ${target.default}`).toBe(true);
    }
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(manifest).not.toHaveProperty('scripts');
  });

  it('declares every package its code imports: a dependency, an optional peer, or Node itself', () => {
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const builtins = new Set(builtinModules);
    const undeclared = new Map<string, string>();
    for (const file of packed.files.map((f) => f.path).filter((p) => p.endsWith('.js'))) {
      const text = readFileSync(join(installed, file), 'utf8');
      for (const line of text.split('\n')) {
        if (/^\s*(\*|\/\/)/.test(line)) continue;
        for (const m of line.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'".][^'"]*)['"]/g)) {
          const spec = m[1]!;
          if (spec.startsWith('node:') || builtins.has(spec)) continue;
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          if (!declared.has(name) && name !== 'jobferry') undeclared.set(name, file);
        }
      }
    }
    expect(Object.fromEntries(undeclared), 'imported by (package -> file) but not in dependencies or peerDependencies').toEqual({});
  });

  it('without any optional peer installed, the core and every SDK-free subpath import (the SDKs load lazily)', () => {
    const free = ['jobferry', 'jobferry/memory', 'jobferry/sqs', 'jobferry/sqs/lambda', 'jobferry/cloud-tasks', 'jobferry/cloud-tasks/push', 'jobferry/dynamodb', 'jobferry/testing', 'jobferry/testing/sqs'];
    const topLevel = (name: string) => (name.startsWith('@') ? name.split('/')[0]! : name);
    const expected = [...new Set(['jobferry', ...Object.keys(manifest.dependencies ?? {}).map(topLevel)])].sort();
    expect(readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.')).sort(), 'only jobferry and its dependencies').toEqual(expected);
    const imported = importAll(free);
    for (const s of free) expect(Array.isArray(imported[s]), `${s}: ${String(imported[s])}`).toBe(true);
  });

  it('with the peers installed, every subpath of the exports map imports with plain Node', () => {
    linkPeers();
    const all = subpaths();
    const imported = importAll(all);
    for (const s of all) {
      expect(Array.isArray(imported[s]), `${s}: ${String(imported[s])}`).toBe(true);
      if (s === 'jobferry/package.json') expect(imported[s]).toEqual(['default']);
      else expect((imported[s] as string[]).length, `${s} exports nothing`).toBeGreaterThan(0);
      for (const name of SAMPLE_EXPORTS[s] ?? []) expect(imported[s], `${s} lacks ${name}`).toContain(name);
    }
    expect(Object.keys(SAMPLE_EXPORTS).filter((s) => !all.includes(s)), 'samples for subpaths that are gone').toEqual([]);
  });

  it('TypeScript (nodenext) finds the declarations of every subpath and type-checks a consumer against them', () => {
    linkPeers();
    const typesLink = join(app, 'node_modules', '@types', 'node');
    if (!existsSync(typesLink)) {
      mkdirSync(dirname(typesLink), { recursive: true });
      symlinkSync(join(repoModules, '@types', 'node'), typesLink, 'dir');
    }
    const imports = subpaths()
      .filter((s) => !s.endsWith('/package.json'))
      .map((s, i) => `import type * as m${i} from '${s}';\nexport type T${i} = keyof typeof m${i};`)
      .join('\n');
    writeFileSync(
      join(app, 'consumer.ts'),
      `${imports}
import { z } from 'zod';
import { createQueue, defineJob, PermanentError } from 'jobferry';
import { createMemoryService } from 'jobferry/memory';
export const job = defineJob({ name: 'welcome', schema: z.object({ to: z.email() }), handler: (payload) => {
  const to: string = payload.to;
  if (to === '') throw new PermanentError('no address');
  return { to };
} });
export const sent = createQueue({ service: createMemoryService(), jobs: [job] }).enqueue(job, { to: 'a@example.com' });
// @ts-expect-error the payload is checked against the schema's type
export const wrong = createQueue({ service: createMemoryService(), jobs: [job] }).enqueue(job, { to: 42 });
`,
    );
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2024', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['consumer.ts'] }));
    const result = run(process.execPath, [join(repoModules, 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('the built `jobferry dev --adapter sqs` runs a user\'s jobs module on the in-process emulator, through the Lambda simulator', { timeout: 30_000 }, async () => {
    linkPeers();
    writeFileSync(
      join(app, 'jobs.js'),
      `import { z } from 'zod';\nimport { defineJob } from 'jobferry';\nexport const hello = defineJob({ name: 'hello', schema: z.object({ who: z.string() }), handler: (p) => ({ greeted: p.who }) });\n`,
    );
    const { child, line, exited } = runJsonLines(join(app, 'node_modules', '.bin', 'jobferry'), ['dev', '--adapter', 'sqs', '--jobs', 'jobs.js', '--port', '0'], { cwd: app, env: { PATH: `${nodeBin}:${process.env.PATH}` } });
    const listening = await line((l) => l.event === 'app.listening');
    expect(listening).toMatchObject({ adapter: 'sqs', delivery: 'lambda' });
    const sent = (await (await fetch(`${String(listening.url)}/jobs/hello`, { method: 'POST', body: '{"who":"npm"}' })).json()) as { id: string };
    expect(await line((l) => l.event === 'job.completed' && l.jobId === sent.id)).toMatchObject({ job: 'hello', attempt: 1 });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('the bin runs from the build: `jobferry --help` exits 0, a bad command exits 2 naming it', () => {
    const bin = join(app, 'node_modules', '.bin', 'jobferry');
    const help = run(bin, ['--help'], app);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^jobferry: background jobs for serverless workers/);
    const bad = run(bin, ['frobnicate'], app);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
