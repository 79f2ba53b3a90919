/**
 * One esbuild bundle of a deployable entry, and what it is made of: the bytes of each input
 * that lands in the output (metafile, output side: bytesInOutput > 0), the external imports,
 * and which cloud's code it carries. Used by the bundle test (test/packaging) and by
 * bench/functions.bench.ts, so both judge the same bundles.
 */
import { join, relative, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { REPOSITORY_ROOT } from './build.ts';

export interface EntryBundleOptions {
  /** Packages left out of the bundle (e.g. `@aws-sdk/*`, which the Lambda runtime ships). Default none. */
  external?: readonly string[];
  /**
   * Code splitting into `outdir`: what loads with the entry (its chunk and the chunks it imports
   * statically) is told apart from what loads only through import(). Default false: one file,
   * every reachable module in it (the strictest view for the cloud check).
   */
  outdir?: string;
}

export interface EntryBundle {
  readonly entry: string;
  /** The whole output's bytes (all chunks). */
  readonly bytes: number;
  /** Bytes loaded with the entry; the rest loads on first use (code splitting only, else = bytes). */
  readonly eagerBytes: number;
  readonly lazyBytes: number;
  /** The output text (all chunks, concatenated). */
  readonly text: string;
  /** Inputs whose code is in the output, relative to the repository root, with their bytes. */
  readonly inputs: ReadonlyMap<string, number>;
  /** The same, for the chunks that load with the entry only. */
  readonly eagerInputs: ReadonlyMap<string, number>;
  /** External imports (packages and node built-ins) of the output. */
  readonly externalImports: readonly string[];
  /** The entry chunk's path (code splitting) or undefined. */
  readonly entryFile: string | undefined;
}

export async function bundleEntry(entry: string, options: EntryBundleOptions = {}): Promise<EntryBundle> {
  const splitting = options.outdir !== undefined;
  const result = await build({
    entryPoints: [resolve(REPOSITORY_ROOT, entry)],
    absWorkingDir: REPOSITORY_ROOT,
    // Entries outside the repository (a benchmark's baseline) resolve packages from it too.
    nodePaths: [join(REPOSITORY_ROOT, 'node_modules')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    legalComments: 'none',
    // Prefer the ESM build of dual packages, as infra/aws/bundle.ts does.
    mainFields: ['module', 'main'],
    external: [...(options.external ?? [])],
    metafile: true,
    logLevel: 'silent',
    ...(splitting ? { splitting: true, outdir: options.outdir, write: true } : { write: false, outfile: join(REPOSITORY_ROOT, 'out.mjs') }),
  });
  const outputs = result.metafile.outputs;
  // With splitting, every import() target is an entry point of its own: find ours by its path.
  const entryPoint = relative(REPOSITORY_ROOT, resolve(REPOSITORY_ROOT, entry));
  const entryPath = Object.keys(outputs).find((p) => outputs[p]!.entryPoint === entryPoint);
  const eager = splitting ? eagerOutputs(outputs, entryPath) : new Set(Object.keys(outputs));
  const inputs = new Map<string, number>();
  const eagerInputs = new Map<string, number>();
  const externals = new Set<string>();
  let text = '';
  for (const [outputPath, output] of Object.entries(outputs)) {
    for (const [path, contribution] of Object.entries(output.inputs)) {
      if (contribution.bytesInOutput === 0) continue;
      inputs.set(path, (inputs.get(path) ?? 0) + contribution.bytesInOutput);
      if (eager.has(outputPath)) eagerInputs.set(path, (eagerInputs.get(path) ?? 0) + contribution.bytesInOutput);
    }
    for (const i of output.imports) if (i.external) externals.add(i.path);
  }
  if (splitting) {
    const { readFileSync } = await import('node:fs');
    for (const path of Object.keys(outputs)) text += readFileSync(join(REPOSITORY_ROOT, path), 'utf8');
  } else {
    text = result.outputFiles!.map((f) => f.text).join('');
  }
  const bytes = Object.values(outputs).reduce((sum, o) => sum + o.bytes, 0);
  const eagerBytes = [...eager].reduce((sum, p) => sum + outputs[p]!.bytes, 0);
  return { entry, bytes, eagerBytes, lazyBytes: bytes - eagerBytes, text, inputs, eagerInputs, externalImports: [...externals].sort(), entryFile: splitting && entryPath ? join(REPOSITORY_ROOT, entryPath) : undefined };
}

/** The entry chunk and every chunk it reaches through static imports. */
function eagerOutputs(outputs: Metafile['outputs'], entry: string | undefined): Set<string> {
  const eager = new Set<string>(entry === undefined ? [] : [entry]);
  for (const path of eager) for (const i of outputs[path]!.imports) if (!i.external && i.kind === 'import-statement') eager.add(i.path);
  return eager;
}

/** Inputs that are AWS code: the AWS SDK and what it brings, jobferry's AWS adapters. */
export const AWS_INPUT = /(^|\/)(adapters\/(sqs|dynamodb)\/|node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws|@aws-lambda-powertools)\/)/;
/** Inputs that are Google code: the Cloud Tasks SDK, gax, gRPC, Google auth, jobferry's Cloud Tasks adapter. */
export const GOOGLE_INPUT = /(^|\/)(adapters\/cloud-tasks\/|node_modules\/(@google-cloud|google-gax|google-auth-library|gcp-metadata|gtoken|google-logging-utils|@grpc|protobufjs|proto3-json-serializer)\/)/;
/** Strings only AWS code carries (google-auth-library mentions amazonaws.com and x-amz-* itself: not used). */
export const AWS_MARKERS: readonly string[] = ['AmazonSQS', '@aws-sdk/', 'ApproximateReceiveCount'];
/** Strings only Google code carries (matched case-insensitively). */
export const GOOGLE_MARKERS: readonly string[] = ['google.cloud.tasks', 'cloudtasks.googleapis.com', '@google-cloud/', 'google-gax', 'x-cloudtasks-'];

export interface CloudCode {
  /** AWS inputs and markers found. */
  readonly aws: readonly string[];
  readonly google: readonly string[];
}

/** Which cloud's code a bundle holds: inputs with bytes in the output, external imports, marker strings. */
export function cloudCodeIn(bundle: EntryBundle): CloudCode {
  const lower = bundle.text.toLowerCase();
  const find = (input: RegExp, markers: readonly string[], packages: RegExp) => [
    ...[...bundle.inputs.keys()].filter((path) => input.test(path)).map((path) => `input ${path}`),
    ...bundle.externalImports.filter((spec) => packages.test(spec)).map((spec) => `import ${spec}`),
    ...markers.filter((m) => lower.includes(m.toLowerCase())).map((m) => `text ${JSON.stringify(m)}`),
  ];
  return {
    aws: find(AWS_INPUT, AWS_MARKERS, /^@aws-sdk\/|^@smithy\//),
    google: find(GOOGLE_INPUT, GOOGLE_MARKERS, /^@google-cloud\/|^google-gax$|^google-auth-library$|^@grpc\//),
  };
}
