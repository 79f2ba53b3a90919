/**
 * The CLI's commands. Each takes its arguments (after the command name) and resolves to an
 * exit code; failures are CliErrors with their own exit code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AnyJob } from '../job.ts';
import { validate } from '../schema.ts';
import { CliError, EXIT, intOption, parse } from './args.ts';
import { startDev } from './dev.ts';
import { emulatorCommand } from './emulator.ts';
import { HELP } from './help.ts';
import { loadJobs } from './load-jobs.ts';
import { createProgressBar } from './progress.ts';
import { batchCommand, chainCommand, chainsCommand } from './batch-command.ts';
import { openTarget } from './target.ts';
import { readPayloads } from './payloads.ts';

export type Command = (args: readonly string[]) => Promise<number>;

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** `--jobs`, else package.json's `"jobferry": { "jobs": "..." }` in the working directory. */
function jobsPath(flag: string | boolean | undefined): string {
  const path = findJobsPath(flag);
  if (path === undefined) throw new CliError('no jobs module: pass --jobs <file> or set "jobferry": { "jobs": "<file>" } in package.json');
  return path;
}

function findJobsPath(flag: string | boolean | undefined): string | undefined {
  if (typeof flag === 'string') return flag;
  const pkg = resolve('package.json');
  if (existsSync(pkg)) {
    try {
      const path = (JSON.parse(readFileSync(pkg, 'utf8')) as { jobferry?: { jobs?: unknown } }).jobferry?.jobs;
      if (typeof path === 'string') return path;
    } catch {
      // An unreadable package.json counts as one without the setting.
    }
  }
  return undefined;
}

const dev: Command = async (args) => {
  const { values } = parse('dev', args, { jobs: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, adapter: { type: 'string' } }, { min: 0, max: 0 });
  if (values.help) return help('dev');
  const jobs = await loadJobs(jobsPath(values.jobs));
  const app = await startDev({
    jobs,
    port: intOption(values, 'port', 3000, 0, 65_535),
    host: typeof values.host === 'string' ? values.host : '127.0.0.1',
    overrides: typeof values.adapter === 'string' ? { adapter: values.adapter } : {},
  });
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void app.close().then(resolveStop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT.ok;
};

/** Validates every payload against the job's schema; nothing is sent if one is invalid. */
async function validateAll(job: AnyJob, payloads: readonly unknown[]): Promise<void> {
  const problems: string[] = [];
  for (let i = 0; i < payloads.length && problems.length < 20; i++) {
    const checked = await validate(job.schema, payloads[i]);
    if (!checked.ok) problems.push(payloads.length === 1 ? checked.issues : `[${i}] ${checked.issues}`);
  }
  if (problems.length > 0) throw new CliError(`invalid payload for ${job.name}, nothing was sent: ${problems.join(' | ')}`, EXIT.refused);
}

const enqueue: Command = async (args) => {
  const { values, positionals } = parse(
    'enqueue',
    args,
    { server: { type: 'string' }, jobs: { type: 'string' }, 'delay-ms': { type: 'string' }, 'dedupe-key': { type: 'string' }, 'group-key': { type: 'string' }, priority: { type: 'string' } },
    { min: 2, max: 2 },
  );
  if (values.help) return help('enqueue');
  const [name, arg] = positionals as [string, string];
  const payloads = await readPayloads(arg, 'one');
  // Validate here when the jobs module is at hand; the app validates again in any case.
  const path = findJobsPath(values.jobs);
  const jobs = path === undefined ? undefined : await loadJobs(path);
  const job = jobs?.get(name);
  if (jobs !== undefined && job === undefined) throw new CliError(`unknown job ${JSON.stringify(name)} (known: ${[...jobs.keys()].join(', ')})`, EXIT.refused);
  if (job !== undefined) await validateAll(job, payloads);
  const query: Record<string, string> = {};
  if (values['delay-ms'] !== undefined) query.delayMs = String(intOption(values, 'delay-ms', 0));
  if (typeof values['dedupe-key'] === 'string') query.dedupeKey = values['dedupe-key'];
  if (typeof values['group-key'] === 'string') query.groupKey = values['group-key'];
  if (values.priority !== undefined) query.priority = String(intOption(values, 'priority', 0, Number.MIN_SAFE_INTEGER));
  const target = await openTarget(values.server as string | undefined, () => loadJobs(jobsPath(values.jobs)));
  try {
    const bar = payloads.length > 1 ? createProgressBar(`enqueue ${name}`) : undefined;
    const report = await target.send(name, payloads, query, (done, total) => bar?.update(done, total));
    bar?.end();
    print({ job: name, to: target.where, ...report });
    return report.failed.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await target.close();
  }
};

const adminCommand =
  (name: 'stats' | 'buried' | 'kick'): Command =>
  async (args) => {
    const { values } = parse(name, args, { server: { type: 'string' }, jobs: { type: 'string' }, max: { type: 'string' } }, { min: 0, max: 0 });
    if (values.help) return help(name);
    const target = await openTarget(values.server as string | undefined, () => loadJobs(jobsPath(values.jobs)));
    try {
      if (name === 'stats') print(await target.stats());
      else if (name === 'buried') print(await target.buried(intOption(values, 'max', 100, 1, 10_000)));
      else print({ moved: await target.kick(intOption(values, 'max', Number.MAX_SAFE_INTEGER, 1)) });
      return EXIT.ok;
    } finally {
      await target.close();
    }
  };

const forget: Command = async (args) => {
  const { values, positionals } = parse('forget', args, { server: { type: 'string' }, jobs: { type: 'string' } }, { min: 1, max: 1 });
  if (values.help) return help('forget');
  const target = await openTarget(values.server as string | undefined, () => loadJobs(jobsPath(values.jobs)));
  try {
    const report = await target.forget(positionals[0]!);
    print(report.forgotten ? { ...report, next: 'kick the job (jobferry kick) to run it' } : report);
    return report.forgotten ? EXIT.ok : EXIT.failed;
  } finally {
    await target.close();
  }
};

function help(command: string): number {
  process.stdout.write(HELP[command] ?? HELP.main!);
  return EXIT.ok;
}

export const COMMANDS: Record<string, Command> = {
  dev,
  enqueue,
  stats: adminCommand('stats'),
  buried: adminCommand('buried'),
  kick: adminCommand('kick'),
  forget,
  emulator: (args) => emulatorCommand(args, () => help('emulator')),
  batch: (args) => batchCommand(args, (flag) => loadJobs(jobsPath(flag)), () => help('batch')),
  chain: (args) => chainCommand(args, (flag) => loadJobs(jobsPath(flag)), () => help('chain')),
  chains: (args) => chainsCommand(args, (flag) => loadJobs(jobsPath(flag)), () => help('chain')),
  help: async (args) => help(args[0] ?? 'main'),
};
