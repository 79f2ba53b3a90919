/**
 * Pipeline overhead per job, in one run:
 *   - without a schema: createPipeline().run() against a bare loop of JSON.parse + a no-op
 *     async handler (the least any consumer does);
 *   - with a zod schema: the same pipeline with a zod object schema against the bare loop plus
 *     schema.safeParse.
 * Same bodies (realistic envelopes of ~300 bytes), same handler, interleaved rounds.
 *
 *   npx node --expose-gc bench/pipeline.bench.ts [--quick]
 *
 * Targets: pipeline <= 1.10x the bare loop without a schema, <= 1.05x bare + zod with one.
 */
import { z } from 'zod';
import { createEnvelope, createPipeline, defineJob, encodeEnvelope, type StandardSchemaV1 } from '../src/index.ts';
import { compare, printResult, printTable, printTargets, quick, target } from './lib.ts';

const n = quick ? 10_000 : 200_000;
const rounds = quick ? 3 : 15;

const schema = z.object({
  orderId: z.string(),
  customer: z.object({ id: z.number().int(), email: z.string() }),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
  note: z.string().optional(),
});

// A schema that accepts anything: the pipeline "without a schema".
const passthrough: StandardSchemaV1<unknown, unknown> = {
  '~standard': { version: 1, vendor: 'bench', validate: (value) => ({ value }) },
};

const bodies = Array.from({ length: 1_000 }, (_, i) =>
  encodeEnvelope(
    createEnvelope('bench.order', {
      orderId: `order-${i}`,
      customer: { id: i, email: `customer${i}@example.com` },
      items: [
        { sku: 'SKU-001', quantity: 1 + (i % 3) },
        { sku: 'SKU-002', quantity: 2 },
      ],
      note: 'leave at the door',
    }),
  ),
);

const noop = async (_payload: unknown): Promise<void> => {};

const plain = createPipeline({ jobs: [defineJob({ name: 'bench.order', schema: passthrough, handler: noop })], adapter: 'bench', queue: 'bench', maxBodyBytes: 1_048_576 });
const withZod = createPipeline({ jobs: [defineJob({ name: 'bench.order', schema, handler: noop })], adapter: 'bench', queue: 'bench', maxBodyBytes: 1_048_576 });

let sink = 0;
const results = await compare(
  [
    {
      name: 'bare loop (JSON.parse + handler)',
      async run(count) {
        for (let i = 0; i < count; i++) {
          const envelope = JSON.parse(bodies[i % bodies.length]!) as { payload: unknown };
          await noop(envelope.payload);
          sink++;
        }
      },
    },
    {
      name: 'jobferry pipeline, no schema',
      async run(count) {
        for (let i = 0; i < count; i++) {
          const outcome = await plain.run({ body: bodies[i % bodies.length]!, attempt: 1 });
          if (outcome.type !== 'completed') throw new Error(`unexpected outcome ${outcome.type}`);
          sink++;
        }
      },
    },
    {
      name: 'bare loop + zod safeParse',
      async run(count) {
        for (let i = 0; i < count; i++) {
          const envelope = JSON.parse(bodies[i % bodies.length]!) as { payload: unknown };
          const parsed = schema.safeParse(envelope.payload);
          if (!parsed.success) throw new Error('invalid');
          await noop(parsed.data);
          sink++;
        }
      },
    },
    {
      name: 'jobferry pipeline, zod schema',
      async run(count) {
        for (let i = 0; i < count; i++) {
          const outcome = await withZod.run({ body: bodies[i % bodies.length]!, attempt: 1 });
          if (outcome.type !== 'completed') throw new Error(`unexpected outcome ${outcome.type}`);
          sink++;
        }
      },
    },
  ],
  { n, rounds },
);

const [bare, pipe, bareZod, pipeZod] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0], (typeof results)[0]];
console.log(`pipeline overhead, ${n} jobs x ${rounds} rounds (median), bodies of ~${bodies[0]!.length} bytes`);
printTable(results);
const ratioPlain = pipe.nsPerOp / bare.nsPerOp;
const ratioZod = pipeZod.nsPerOp / bareZod.nsPerOp;
const targets = [target('pipeline / bare loop (no schema)', ratioPlain, '<=', 1.1), target('pipeline + zod / bare loop + zod', ratioZod, '<=', 1.05)];
printTargets(targets);
if (sink === 0) throw new Error('nothing ran');
printResult(
  'pipeline',
  {
    jobs: n,
    rounds,
    bodyBytes: bodies[0]!.length,
    nsPerJob: Object.fromEntries(results.map((r) => [r.name, Math.round(r.nsPerOp)])),
    overheadNsNoSchema: Math.round(pipe.nsPerOp - bare.nsPerOp),
    overheadNsZod: Math.round(pipeZod.nsPerOp - bareZod.nsPerOp),
    ratioNoSchema: Math.round(ratioPlain * 1000) / 1000,
    ratioZod: Math.round(ratioZod * 1000) / 1000,
  },
  targets,
);
