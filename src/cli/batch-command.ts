/**
 * `jobferry batch` and `jobferry chain`: progress of a batch or a chain, live with --watch.
 *
 *   jobferry batch <id> [--watch] [--cancel] [--finish]
 *   jobferry batch start <job> <json-array | @file> [--id ID] [--finished JOB] [--watch]
 *   jobferry chain <id> [--watch]
 *   jobferry chains check
 *
 * Where: --server URL (a running `jobferry dev`), else the configured transport with the stores
 * of the jobs module's definitions (JOBFERRY_ADAPTER=sqs|cloud-tasks), else the dev app on
 * http://127.0.0.1:3000.
 */
import type { AnyJob } from '../job.ts';
import { createQueue } from '../queue.ts';
import { createService } from '../registry.ts';
import { CliError, EXIT, intOption, parse } from './args.ts';
import { patternAdmin } from './batch-routes.ts';
import { readPayloads } from './payloads.ts';
import { createProgressBar } from './progress.ts';
import { appClient, routeOf } from './target.ts';

type View = Record<string, unknown>;
/** Loads the jobs module: the --jobs flag, else package.json's setting. */
export type JobsLoader = (flag: string | boolean | undefined) => Promise<Map<string, AnyJob>>;

interface Source {
  batch(id: string): Promise<View>;
  cancel(id: string): Promise<View>;
  finish(id: string): Promise<View>;
  start(body: { job: string; payloads: unknown[]; id?: string; finished?: string }): Promise<View>;
  chain(id: string): Promise<View>;
  check(): Promise<View>;
  close(): Promise<void>;
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export async function batchCommand(args: readonly string[], loadJobs: JobsLoader, help: () => number): Promise<number> {
  if (args[0] === 'start') return startCommand(args.slice(1), loadJobs, help);
  const { values, positionals } = parse('batch', args, { server: { type: 'string' }, jobs: { type: 'string' }, watch: { type: 'boolean' }, cancel: { type: 'boolean' }, finish: { type: 'boolean' }, 'interval-ms': { type: 'string' } }, { min: 1, max: 1 });
  if (values.help) return help();
  const source = await openSource(values.server as string | undefined, () => loadJobs(values.jobs));
  try {
    const id = positionals[0]!;
    if (values.cancel) print(await source.cancel(id));
    if (values.finish) print(await source.finish(id));
    if (values.watch) return await watch(() => source.batch(id), `batch ${id}`, intOption(values, 'interval-ms', 500, 50, 60_000));
    if (!values.cancel && !values.finish) print(await source.batch(id));
    return EXIT.ok;
  } finally {
    await source.close();
  }
}

async function startCommand(args: readonly string[], loadJobs: JobsLoader, help: () => number): Promise<number> {
  const { values, positionals } = parse('batch', args, { server: { type: 'string' }, jobs: { type: 'string' }, id: { type: 'string' }, finished: { type: 'string' }, watch: { type: 'boolean' }, 'interval-ms': { type: 'string' } }, { min: 2, max: 2 });
  if (values.help) return help();
  const [job, arg] = positionals as [string, string];
  const payloads = await readPayloads(arg, 'array');
  const source = await openSource(values.server as string | undefined, () => loadJobs(values.jobs));
  try {
    const receipt = await source.start({ job, payloads, ...(typeof values.id === 'string' ? { id: values.id } : {}), ...(typeof values.finished === 'string' ? { finished: values.finished } : {}) });
    print(receipt);
    if (values.watch) return await watch(() => source.batch(String(receipt.id)), `batch ${String(receipt.id)}`, intOption(values, 'interval-ms', 500, 50, 60_000));
    return (receipt.failed as unknown[] | undefined)?.length ? EXIT.failed : EXIT.ok;
  } finally {
    await source.close();
  }
}

export async function chainCommand(args: readonly string[], loadJobs: JobsLoader, help: () => number): Promise<number> {
  const { values, positionals } = parse('chain', args, { server: { type: 'string' }, jobs: { type: 'string' }, watch: { type: 'boolean' }, 'interval-ms': { type: 'string' } }, { min: 1, max: 1 });
  if (values.help) return help();
  const source = await openSource(values.server as string | undefined, () => loadJobs(values.jobs));
  try {
    const id = positionals[0]!;
    if (values.watch) return await watch(() => source.chain(id), `chain ${id}`, intOption(values, 'interval-ms', 500, 50, 60_000));
    print(await source.chain(id));
    return EXIT.ok;
  } finally {
    await source.close();
  }
}

export async function chainsCommand(args: readonly string[], loadJobs: JobsLoader, help: () => number): Promise<number> {
  const { values, positionals } = parse('chains', args, { server: { type: 'string' }, jobs: { type: 'string' } }, { min: 1, max: 1 });
  if (values.help) return help();
  if (positionals[0] !== 'check') throw new CliError(`chains: unknown action ${JSON.stringify(positionals[0])} (check)`);
  const source = await openSource(values.server as string | undefined, () => loadJobs(values.jobs));
  try {
    print(await source.check());
    return EXIT.ok;
  } finally {
    await source.close();
  }
}

/** Redraws the bar until the batch (or chain) is done; the last view goes to stdout. */
async function watch(read: () => Promise<View>, label: string, intervalMs: number): Promise<number> {
  const bar = createProgressBar(label);
  for (;;) {
    const view = await read();
    const progress = (view.progress as { done?: number; total?: number } | undefined) ?? view;
    const done = Number(progress.done ?? 0);
    const total = Number(progress.total ?? (view.state === 'done' ? done : 0));
    const note = 'completed' in view ? `completed ${String(view.completed)} failed ${String(view.failed)} buried ${String(view.buried)} cancelled ${String(view.cancelled)}` : `link ${String(view.link)} ${String(view.state)}`;
    bar.update(done, total, note);
    const over = view.state === 'finished' || view.state === 'done' || view.state === 'failed';
    if (over && !(view.state === 'done' && 'finishedJob' in view && view.finishedJob !== undefined)) {
      bar.end();
      print(view);
      return EXIT.ok;
    }
    // A done batch with a finished job: wait until that is sent (state finished).
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function openSource(server: string | undefined, loadJobs: () => Promise<Map<string, AnyJob>>): Promise<Source> {
  const route = routeOf(server);
  if ('app' in route) return httpSource(route.app);
  const { config } = route;
  const jobs = await loadJobs();
  const service = await createService(config);
  const queue = createQueue({ service, jobs: [...jobs.values()] });
  const admin = patternAdmin(jobs, service);
  const found = <T>(what: 'batch' | 'chain', id: string, value: T | undefined): T => {
    if (value === undefined) throw new CliError(`no ${what} ${JSON.stringify(id)} in the stores of the jobs module`, EXIT.refused);
    return value;
  };
  return {
    batch: async (id) => found('batch', id, await admin.batch(id)),
    cancel: async (id) => found('batch', id, await admin.cancel(id)),
    finish: async (id) => found('batch', id, await admin.finish(id)),
    async start(body) {
      const job = jobs.get(body.job);
      if (job === undefined) throw new CliError(`unknown job ${JSON.stringify(body.job)}`, EXIT.refused);
      return { ...(await queue.batch(job, body.payloads as never[], { ...(body.id ? { id: body.id } : {}), ...(body.finished ? { finished: body.finished } : {}) })) };
    },
    chain: async (id) => found('chain', id, await admin.chain(id)),
    check: () => admin.checkChains(),
    async close() {
      await service.close?.();
    },
  };
}

function httpSource(base: string): Source {
  const { call } = appClient(base);
  const enc = encodeURIComponent;
  return {
    batch: (id) => call('GET', `/batches/${enc(id)}`),
    cancel: (id) => call('POST', `/batches/${enc(id)}/cancel`),
    finish: (id) => call('POST', `/batches/${enc(id)}/finish`),
    start: (body) => call('POST', '/batches', body),
    chain: (id) => call('GET', `/chains/${enc(id)}`),
    check: () => call('POST', '/chains/check'),
    async close() {},
  };
}
