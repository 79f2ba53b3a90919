/**
 * The Lambda SQS wrapper, in one run:
 *
 * 1. Per-record overhead against a bare loop, the Powertools BatchProcessor and middy +
 *    sqs-partial-batch-failure, with 0 % and 10 % failing records. Same events (10 records of
 *    realistic ~300-byte envelopes), the same zod schema and the same handler for everyone;
 *    each peer parses the body and validates the payload as jobferry does. jobferry runs with
 *    `applyBackoff: false` here, so like the peers it makes no SQS call for a failed record
 *    (with backoff on, each failing batch costs one ChangeMessageVisibilityBatch request).
 * 2. The bundled size (esbuild, minified) of a Lambda SQS handler entry, with and without the
 *    schema library, and its net import time in fresh processes: import(entry bundle) minus
 *    import(a bundle of zod and the entry's schema alone), median of interleaved pairs.
 *
 *   npx node --expose-gc bench/lambda-wrapper.bench.ts [--quick]
 *
 * Targets: <= 1.10x the bare loop with every record succeeding, <= 1.20x with 10 % failing;
 * the handler entry <= 20 KB minified without the schema library, <= 5 ms net import.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import * as esbuild from 'esbuild';
import { z } from 'zod';
import { createSqsHandler } from '../adapters/sqs/lambda.ts';
import { jobBody, lambdaContext, sqsEvent, sqsRecord } from '../adapters/sqs/fixtures.ts';
import type { SqsEvent, SqsRecord } from '../adapters/sqs/lambda-types.ts';
import { createPipeline, defineJob } from '../src/index.ts';
import { compare, median, printResult, printTable, printTargets, quick, round, target } from './lib.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 10;
const n = quick ? 5_000 : 200_000; // records per round
const rounds = quick ? 3 : 15;

const schema = z.object({
  orderId: z.string(),
  customer: z.object({ id: z.number().int(), email: z.string() }),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
  note: z.string().optional(),
});
type Order = z.output<typeof schema>;

/** The work every contender's handler does; failing orders throw (a retryable error). */
let sink = 0;
const work = async (order: Order) => {
  if (order.note === 'fail') throw new Error(`order ${order.orderId} failed`);
  sink += order.items.length;
};

function events(failEvery: number): SqsEvent[] {
  return Array.from({ length: 100 }, (_, e) =>
    sqsEvent(
      Array.from({ length: BATCH }, (_, r): SqsRecord => {
        const i = e * BATCH + r;
        const payload = { orderId: `order-${i}`, customer: { id: i, email: `customer${i}@example.com` }, items: [{ sku: 'SKU-001', quantity: 1 + (i % 3) }, { sku: 'SKU-002', quantity: 2 }], note: failEvery > 0 && i % failEvery === 0 ? 'fail' : 'leave at the door' };
        return sqsRecord(jobBody('bench.order', payload));
      }),
    ),
  );
}

const job = defineJob({ name: 'bench.order', schema, maxAttempts: 1_000, handler: work });
const context = lambdaContext({ remainingMs: 900_000 });

// Each peer decodes and validates as jobferry does: JSON.parse, then the schema on the payload.
const decode = (record: SqsRecord): Order => {
  const envelope = JSON.parse(record.body) as { payload: unknown };
  const parsed = schema.safeParse(envelope.payload);
  if (!parsed.success) throw new Error(parsed.error.message);
  return parsed.data;
};

const bare = async (event: SqsEvent) => {
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const record of event.Records) {
    try {
      await work(decode(record));
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};

const jobferry = createSqsHandler({ jobs: [job], applyBackoff: false });
// The core pipeline on its own, run as the wrapper runs it (all records of a batch at once):
// the difference to the wrapper is the wrapper's own cost.
const pipeline = createPipeline({ jobs: [job], adapter: 'sqs', queue: 'bench', maxBodyBytes: 1_048_576 });
const pipelineOnly = async (event: SqsEvent) => {
  const outcomes = await Promise.all(event.Records.map((r) => pipeline.run({ body: r.body, attempt: 1, transportId: r.messageId })));
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (let i = 0; i < outcomes.length; i++) if (outcomes[i]!.type !== 'completed') batchItemFailures.push({ itemIdentifier: event.Records[i]!.messageId });
  return { batchItemFailures };
};
const processor = new BatchProcessor(EventType.SQS);
const powertools = (event: SqsEvent) => processPartialResponse(event, async (record: SqsRecord) => work(decode(record)), processor, { context: context as never });
const withMiddy = middy(async (event: SqsEvent) => Promise.allSettled(event.Records.map(async (record) => work(decode(record))))).use(sqsPartialBatchFailure({ logger: false as never }));

async function overhead(failEvery: number) {
  const batches = events(failEvery);
  const expected = failEvery > 0 ? BATCH / failEvery : 0;
  const check = async (name: string, handle: (e: SqsEvent) => Promise<{ batchItemFailures: unknown[] }>) => {
    const response = await handle(batches[0]!);
    if (response.batchItemFailures.length !== expected) throw new Error(`${name}: ${response.batchItemFailures.length} failures in the first batch, expected ${expected}`);
  };
  const contenders: Array<[string, (e: SqsEvent) => Promise<{ batchItemFailures: unknown[] }>]> = [
    ['bare loop', bare],
    ['jobferry createSqsHandler', (e) => jobferry(e, context)],
    ['(jobferry pipeline alone, no wrapper)', pipelineOnly],
    ['Powertools BatchProcessor', powertools],
    ['middy + sqs-partial-batch-failure', (e) => withMiddy(e, context as never) as unknown as Promise<{ batchItemFailures: unknown[] }>],
  ];
  for (const [name, handle] of contenders) await check(name, handle);
  const measured = await compare(
    contenders.map(([name, handle]) => ({
      name,
      async run(records: number) {
        for (let i = 0; i < records / BATCH; i++) await handle(batches[i % batches.length]!);
      },
    })),
    { n, rounds },
  );
  return measured;
}

console.log(`lambda wrapper, per record (${n} records per round, ${rounds} rounds, batches of ${BATCH}):`);
console.log(' all records succeed:');
const ok = await overhead(0);
printTable(ok);
console.log(' 10 % of the records fail:');
const failing = await overhead(10);
printTable(failing);
const ns = (rows: typeof ok, name: string) => rows.find((r) => r.name.startsWith(name))!.nsPerOp;

// --- the bundled handler entry -------------------------------------------------------------
const work_dir = mkdtempSync(join(tmpdir(), 'jobferry-lambda-bench-'));
const entry = join(work_dir, 'handler.ts');
writeFileSync(
  entry,
  `import { z } from 'zod';
import { defineJob } from 'jobferry';
import { createSqsHandler } from 'jobferry/sqs/lambda';

const sendEmail = defineJob({
  name: 'send-email',
  schema: z.object({ to: z.string(), subject: z.string(), body: z.string().optional() }),
  maxAttempts: 5,
  async handler(payload, ctx) {
    ctx.logger.log('info', { event: 'email.sent', to: payload.to });
  },
});

export const handler = createSqsHandler({ jobs: [sendEmail] });
`,
);

/**
 * Resolves `jobferry` and `jobferry/<sub>` through the package's own exports map. A relative
 * import of a file that does not exist in this tree (the registry's lazy import of an adapter
 * not written yet) stays external: an SQS Lambda never takes that import, and it is reported.
 */
const exportsMap = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, string> }).exports;
const absent: string[] = [];
const selfPlugin: esbuild.Plugin = {
  name: 'jobferry-exports',
  setup(build) {
    build.onResolve({ filter: /^jobferry(\/.*)?$/ }, (args) => {
      const target = exportsMap[args.path === 'jobferry' ? '.' : `.${args.path.slice('jobferry'.length)}`];
      return target === undefined ? { errors: [{ text: `jobferry has no export ${args.path}` }] } : { path: join(repo, target) };
    });
    build.onResolve({ filter: /^\.\.?\/.*\.ts$/ }, (args) => {
      const path = join(args.resolveDir, args.path);
      if (existsSync(path) || args.importer.includes('node_modules')) return undefined;
      absent.push(relative(repo, path));
      return { path: args.path, external: true };
    });
  },
};

async function bundle(externalSchema: boolean) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    write: false,
    metafile: true,
    external: ['@aws-sdk/*', ...(externalSchema ? ['zod'] : [])],
    nodePaths: [join(repo, 'node_modules')],
    plugins: [selfPlugin],
    logLevel: 'silent',
  });
  const out = result.outputFiles[0]!;
  const output = Object.values(result.metafile.outputs)[0]!;
  const imports = output.imports.map((i) => i.path);
  const inputs = Object.entries(output.inputs).filter(([, v]) => v.bytesInOutput > 0);
  const modules = inputs.map(([k]) => k);
  const bytesOf = (re: RegExp) => inputs.filter(([k]) => re.test(k)).reduce((sum, [, v]) => sum + v.bytesInOutput, 0);
  const share = { sqsAdapter: bytesOf(/adapters\/sqs\//), core: bytesOf(/(^|\/)src\//), other: 0 };
  share.other = out.contents.byteLength - share.sqsAdapter - share.core;
  return { bytes: out.contents.byteLength, text: out.text, imports, modules, share };
}

const lean = await bundle(true);
const full = await bundle(false);
// The baseline: zod and the entry's very schema, bundled the same way. What an import of the
// entry costs beyond it is jobferry's own cost (module evaluation, createSqsHandler).
const schemaEntry = join(work_dir, 'schema-only.ts');
writeFileSync(schemaEntry, `import { z } from 'zod';\nexport const s = z.object({ to: z.string(), subject: z.string(), body: z.string().optional() });\n`);
const schemaBundle = await esbuild.build({ entryPoints: [schemaEntry], bundle: true, minify: true, format: 'esm', platform: 'node', target: 'node24', write: false, nodePaths: [join(repo, 'node_modules')], logLevel: 'silent' });
const fullFile = join(work_dir, 'handler-full.mjs');
const schemaFile = join(work_dir, 'schema-only.mjs');
const empty = join(work_dir, 'empty.mjs');
writeFileSync(fullFile, full.text);
writeFileSync(schemaFile, schemaBundle.outputFiles[0]!.text);
writeFileSync(empty, 'export {};\n');

/** ms of import(file) in a fresh process. */
function importOnce(file: string): number {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`], { encoding: 'utf8', cwd: work_dir });
  if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr}`);
  return Number(child.stdout.trim());
}

// Interleaved (entry, baseline, empty, entry, ...) so a busy moment hits all three alike.
const times = quick ? 5 : 31;
const samples = { entry: [] as number[], schema: [] as number[], empty: [] as number[] };
for (let i = 0; i < times; i++) {
  samples.entry.push(importOnce(fullFile));
  samples.schema.push(importOnce(schemaFile));
  samples.empty.push(importOnce(empty));
}
rmSync(work_dir, { recursive: true, force: true });
const t = { entry: median(samples.entry), schema: median(samples.schema), empty: median(samples.empty) };
const netMs = median(samples.entry.map((e, i) => e - samples.schema[i]!));
const httpLoaded = [...lean.imports, ...full.imports].filter((p) => /^(node:)?https?$/.test(p));

console.log('handler entry (esbuild, minified, @aws-sdk/* external: loaded lazily from the runtime):');
console.log(`  without the schema library: ${lean.bytes} bytes (core src/: ${lean.share.core}, adapters/sqs: ${lean.share.sqsAdapter}, rest: ${lean.share.other}); with zod bundled: ${full.bytes} bytes`);
console.log(`  import in a fresh process, median of ${times} interleaved: empty module ${round(t.empty, 2)} ms, zod + the schema ${round(t.schema, 2)} ms, handler entry (zod bundled) ${round(t.entry, 2)} ms`);
console.log(`  net import (entry - zod and its schema, per pair): ${round(netMs, 2)} ms; node:http(s) imported: ${httpLoaded.length > 0 ? httpLoaded.join(', ') : 'no'}`);
console.log(`  jobferry modules in the bundle (${lean.modules.length}): ${lean.modules.map((m) => m.replace(/^.*?(src|adapters)\//, '$1/')).join(' ')}`);
if (absent.length > 0) console.log(`  left external, absent from this tree: ${[...new Set(absent)].join(', ')}`);

const targets = [
  target('jobferry / bare loop, 0 % failing', ns(ok, 'jobferry') / ns(ok, 'bare'), '<=', 1.1),
  target('jobferry / bare loop, 10 % failing', ns(failing, 'jobferry') / ns(failing, 'bare'), '<=', 1.2),
  target('handler entry KB minified, without the schema library', lean.bytes / 1024, '<=', 20),
  target('handler entry net import ms', netMs, '<=', 5),
];
printTargets(targets);
const perRecord = (rows: typeof ok) => Object.fromEntries(rows.map((r) => [r.name, round(r.nsPerOp, 0)]));
printResult(
  'lambda-wrapper',
  {
    nsPerRecord: { ok: perRecord(ok), failing10: perRecord(failing) },
    ratios: {
      ok: { bare: 1, powertools: round(ns(ok, 'Powertools') / ns(ok, 'bare')), middy: round(ns(ok, 'middy') / ns(ok, 'bare')), jobferry: round(ns(ok, 'jobferry') / ns(ok, 'bare')), pipelineAlone: round(ns(ok, '(jobferry pipeline') / ns(ok, 'bare')) },
      failing10: { bare: 1, powertools: round(ns(failing, 'Powertools') / ns(failing, 'bare')), middy: round(ns(failing, 'middy') / ns(failing, 'bare')), jobferry: round(ns(failing, 'jobferry') / ns(failing, 'bare')), pipelineAlone: round(ns(failing, '(jobferry pipeline') / ns(failing, 'bare')) },
    },
    bundle: { bytesWithoutSchema: lean.bytes, bytesByPart: lean.share, bytesWithZod: full.bytes, importMs: { empty: round(t.empty, 2), zodAndSchema: round(t.schema, 2), entry: round(t.entry, 2), net: round(netMs, 2) } },
    wrapperOwnNsPerRecord: { ok: round(ns(ok, 'jobferry') - ns(ok, '(jobferry pipeline'), 0), failing10: round(ns(failing, 'jobferry') - ns(failing, '(jobferry pipeline'), 0) },
    sink: sink > 0,
  },
  targets,
);
