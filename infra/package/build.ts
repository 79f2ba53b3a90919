/**
 * The publishable build of jobferry: JavaScript and type declarations in `dist/`, with a
 * package.json whose exports point at them. The repository itself keeps exporting its `.ts`
 * sources (Node 24 runs them for development); Node refuses TypeScript under node_modules, so
 * what npm publishes is this build.
 *
 *   npm run build                                  # dist/
 *   npx node infra/package/build.ts --outdir DIR   # elsewhere (outside the repository)
 *   npm publish dist                               # or: npm pack dist
 *
 * 1. tsc compiles every module the exports map and the bin reach (and only those) to `.js` +
 *    `.d.ts`, rewriting relative `.ts` imports to `.js` (rewriteRelativeImportExtensions);
 *    declaration imports are rewritten the same way, for consumers on older TypeScript.
 * 2. `<outdir>/package.json`: the repository's manifest with each export as `{ types, default }`
 *    into the build, `bin` on the built CLI, no scripts, no devDependencies.
 * 3. README.md and the envelope's JSON Schema are copied along.
 *
 * It lives in infra/ because it is a release step of the repository, like the Lambda bundle
 * (infra/aws/bundle.ts): nothing of it is published, and src/ stays the library alone.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { JobferryError } from '../../src/errors.ts';

/** The repository root (infra/package/../..). */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BuildOptions {
  /** Emptied, then written. `<repo>/dist` or a directory outside the repository. Default `<repo>/dist`. */
  outdir?: string;
}

export interface BuildResult {
  readonly outdir: string;
  /** The published manifest, as written. */
  readonly manifest: PublishedManifest;
  /** Emitted files, relative to outdir. */
  readonly files: readonly string[];
}

type ExportTarget = string | { types: string; default: string };
export interface PublishedManifest {
  name: string;
  version: string;
  exports: Record<string, ExportTarget>;
  bin?: Record<string, string>;
  types?: string;
  files: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface SourceManifest {
  exports: Record<string, string>;
  bin?: Record<string, string>;
  [field: string]: unknown;
}

/** Fields of the repository's manifest that the published one keeps as they are. */
const KEPT_FIELDS = ['name', 'version', 'description', 'keywords', 'homepage', 'bugs', 'repository', 'author', 'license', 'type', 'sideEffects', 'engines', 'dependencies', 'peerDependencies', 'peerDependenciesMeta'];
/** Copied next to the build, as they are. */
const ASSETS = ['README.md', 'src/envelope.schema.json'];

const fail = (what: string): never => {
  throw new JobferryError(`[build] building the package failed: ${what}`);
};

export async function buildPackage(options: BuildOptions = {}): Promise<BuildResult> {
  const outdir = checkedOutdir(options.outdir);
  const source = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as SourceManifest;
  const entries = [...Object.values(source.exports).filter((target) => target.endsWith('.ts')), ...Object.values(source.bin ?? {})];
  for (const entry of entries) if (!existsSync(join(REPOSITORY_ROOT, entry))) fail(`package.json names ${entry}, which does not exist`);

  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  compile(entries, outdir);
  const files = listFiles(outdir);
  rewriteDeclarationImports(outdir, files);
  const leftovers = files.filter((f) => f.endsWith('.js')).flatMap((f) => tsImportsIn(readFileSync(join(outdir, f), 'utf8')).map((spec) => `${f}: ${spec}`));
  if (leftovers.length > 0) fail(`relative .ts imports left in the JavaScript (an import tsc does not rewrite, e.g. a computed one): ${leftovers.slice(0, 5).join(', ')}`);

  for (const asset of ASSETS) {
    mkdirSync(dirname(join(outdir, asset)), { recursive: true });
    copyFileSync(join(REPOSITORY_ROOT, asset), join(outdir, asset));
  }
  const manifest = publishedManifest(source, outdir);
  writeFileSync(join(outdir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const bin of Object.values(manifest.bin ?? {})) chmodSync(join(outdir, bin), 0o755);
  return { outdir, manifest, files: listFiles(outdir) };
}

/** Only `<repo>/dist` or a directory outside the repository is ever emptied. */
function checkedOutdir(given: string | undefined): string {
  const outdir = resolve(given ?? join(REPOSITORY_ROOT, 'dist'));
  const inRepo = relative(REPOSITORY_ROOT, outdir);
  const inside = inRepo === '' || (!inRepo.startsWith('..') && !isAbsolute(inRepo));
  if (inside && inRepo !== 'dist') fail(`--outdir must be dist/ or a directory outside the repository, got ${outdir}`);
  if (relative(outdir, REPOSITORY_ROOT) === '' || !relative(outdir, REPOSITORY_ROOT).startsWith('..')) fail(`--outdir must not contain the repository, got ${outdir}`);
  return outdir;
}

function compile(entries: readonly string[], outdir: string): void {
  // A throwaway tsconfig: the repository's settings, emitting, for these entries only.
  const work = mkdtempSync(join(tmpdir(), 'jobferry-build-'));
  const tsconfig = join(work, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(REPOSITORY_ROOT, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        rootDir: REPOSITORY_ROOT,
        outDir: outdir,
        typeRoots: [join(REPOSITORY_ROOT, 'node_modules', '@types')],
        // Written for users: keep the doc comments, no source maps into files that are not shipped.
        removeComments: false,
        sourceMap: false,
      },
      files: entries.map((entry) => join(REPOSITORY_ROOT, entry)),
      include: [],
    }),
  );
  try {
    const tsc = join(REPOSITORY_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', tsconfig], { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
    if (run.status !== 0) fail(`tsc exited with ${String(run.status)}:\n${(run.stdout + run.stderr).trim().slice(0, 4000)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function listFiles(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base), { withFileTypes: true }).flatMap((d) => {
    const path = base === '' ? d.name : `${base}/${d.name}`;
    return d.isDirectory() ? listFiles(dir, path) : [path];
  });
}

// `from './x.ts'` and `import('./x.ts')`, relative only, outside comments.
const TS_IMPORT = /(\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"\n]*?)(?<!\.d)\.ts\2/g;

function tsImportsIn(text: string): string[] {
  return codeLines(text).flatMap((line) => [...line.matchAll(TS_IMPORT)].map((m) => `${m[3]}.ts`));
}

function codeLines(text: string): string[] {
  return text.split('\n').filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line));
}

/** tsc keeps `.ts` in declaration imports; `.js` resolves for every TypeScript that reads exports maps. */
function rewriteDeclarationImports(outdir: string, files: readonly string[]): void {
  for (const file of files) {
    if (!file.endsWith('.d.ts')) continue;
    const path = join(outdir, file);
    const text = readFileSync(path, 'utf8');
    const rewritten = text
      .split('\n')
      .map((line) => (/^\s*(\*|\/\/|\/\*)/.test(line) ? line : line.replace(TS_IMPORT, (_m, lead: string, quote: string, spec: string) => `${lead}${quote}${spec}.js${quote}`)))
      .join('\n');
    if (rewritten !== text) writeFileSync(path, rewritten);
  }
}

function publishedManifest(source: SourceManifest, outdir: string): PublishedManifest {
  const kept = Object.fromEntries(KEPT_FIELDS.filter((f) => source[f] !== undefined).map((f) => [f, source[f]]));
  const built = (target: string, ext: '.js' | '.d.ts') => target.replace(/\.ts$/, ext);
  const exports: Record<string, ExportTarget> = {};
  for (const [subpath, target] of Object.entries(source.exports)) {
    if (!target.endsWith('.ts')) {
      exports[subpath] = target;
      continue;
    }
    const types = built(target, '.d.ts');
    const js = built(target, '.js');
    for (const file of [types, js]) if (!existsSync(join(outdir, file))) fail(`export ${subpath}: ${file} was not emitted`);
    // `types` first: TypeScript takes the first condition that matches.
    exports[subpath] = { types, default: js };
  }
  const bin = source.bin === undefined ? undefined : Object.fromEntries(Object.entries(source.bin).map(([name, target]) => [name, built(target, '.js')]));
  const root = exports['.'];
  const files = readdirSync(outdir).filter((name) => name !== 'package.json').sort();
  return {
    ...(kept as { name: string; version: string }),
    exports,
    ...(bin === undefined ? {} : { bin }),
    ...(typeof root === 'object' ? { types: root.types } : {}),
    files,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } }, strict: true });
  try {
    const result = await buildPackage(values.outdir === undefined ? {} : { outdir: values.outdir });
    const js = result.files.filter((f) => f.endsWith('.js')).length;
    const dts = result.files.filter((f) => f.endsWith('.d.ts')).length;
    process.stdout.write(`built ${result.manifest.name}@${result.manifest.version} in ${result.outdir}: ${js} .js, ${dts} .d.ts, ${Object.keys(result.manifest.exports).length} exports\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
