/**
 * Bundles the Lambda entry (functions/aws-lambda.ts) into one ESM file, `index.mjs`, in a
 * directory of its own: the asset the stack deploys (`Code.fromAsset(bundle.directory)`,
 * handler `index.handler`). Minified, for Node 24, with `@aws-sdk/*` left out: the nodejs24.x
 * runtime ships the v3 SDK, and a bundled copy would only add cold-start time.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { JobferryError } from '../../src/errors.ts';

/** The repository root (infra/aws/../..). */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The reference app's Lambda entry. */
export const LAMBDA_ENTRY = join(REPOSITORY_ROOT, 'functions', 'aws-lambda.ts');

export interface BundleLambdaOptions {
  /** Default: functions/aws-lambda.ts. */
  entry?: string;
  /** Emptied, then written. Default: infra/aws/.build/lambda. */
  outdir?: string;
}

export interface LambdaBundle {
  /** The asset directory: holds index.mjs only. */
  readonly directory: string;
  readonly file: string;
  /**
   * Source files whose code is in the bundle, relative to the repository root (esbuild's
   * metafile, output side): files esbuild only read and then tree-shook away are not listed.
   */
  readonly inputs: readonly string[];
}

// Bundled CommonJS packages may call require() for Node built-ins; an ESM file has none.
const REQUIRE_SHIM = "import { createRequire as __jobferryCreateRequire } from 'node:module'; const require = __jobferryCreateRequire(import.meta.url);";

export async function bundleLambda(options: BundleLambdaOptions = {}): Promise<LambdaBundle> {
  const entry = resolve(options.entry ?? LAMBDA_ENTRY);
  const directory = resolve(options.outdir ?? join(REPOSITORY_ROOT, 'infra', 'aws', '.build', 'lambda'));
  if (!existsSync(entry)) {
    throw new JobferryError(`[infra] bundling the Lambda failed: its entry ${display(entry)} does not exist (the Lambda SQS handler, exporting \`handler\`)`);
  }
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  const file = join(directory, 'index.mjs');
  let result;
  try {
    result = await build({
      entryPoints: [entry],
      outfile: file,
      absWorkingDir: REPOSITORY_ROOT,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      external: ['@aws-sdk/*'],
      // Prefer the ESM build of dual packages: smaller, and no CommonJS wrapper to run.
      mainFields: ['module', 'main'],
      banner: { js: REQUIRE_SHIM },
      legalComments: 'none',
      metafile: true,
      logLevel: 'silent',
    });
  } catch (error) {
    throw new JobferryError(`[infra] bundling the Lambda failed: esbuild could not bundle ${display(entry)}: ${(error as Error).message}`, { cause: error });
  }
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(output?.inputs ?? {}).flatMap(([path, contribution]) => (contribution.bytesInOutput > 0 ? [path] : []));
  return { directory, file, inputs };
}

function display(path: string): string {
  const rel = relative(REPOSITORY_ROOT, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
