/**
 * Where the CLI's enqueue / stats / buried / kick / forget commands act: the HTTP API of a running
 * `jobferry dev` app (the memory transport and the dev emulators live in that process), or the
 * configured transport itself (JOBFERRY_ADAPTER=sqs or cloud-tasks with a queue named),
 * reached directly.
 */
import type { JobferryConfig } from '../config.ts';
import { loadConfig } from '../env.ts';
import { forgetInDoubt, type ForgetReport } from '../idempotency/forget.ts';
import type { AnyJob } from '../job.ts';
import { createQueue } from '../queue.ts';
import { createService } from '../registry.ts';
import type { BuriedJob, QueueStats } from '../service.ts';
import { CliError, EXIT } from './args.ts';
import { emulatedByDev } from './dev-transport.ts';

export interface SendReport {
  sent: number;
  failed: Array<{ index: number; message: string }>;
  ids?: string[];
}

export interface Target {
  readonly where: string;
  send(job: string, payloads: readonly unknown[], query: Record<string, string>, onProgress: (done: number, total: number) => void): Promise<SendReport>;
  stats(): Promise<QueueStats>;
  buried(max: number): Promise<Array<BuriedJob & { job?: string }>>;
  kick(max: number): Promise<number>;
  /** Forgets the abandoned claim under an idempotency key (a job buried in doubt). */
  forget(key: string): Promise<ForgetReport>;
  close(): Promise<void>;
}

const DEFAULT_SERVER = 'http://127.0.0.1:3000';
/** Payloads per HTTP request when a file holds many. */
const HTTP_CHUNK = 500;

/**
 * Where a command acts: a dev app's HTTP API (`--server`, the memory transport, or a dev
 * emulator: `jobferry dev --adapter sqs | cloud-tasks` with no queue named keeps its emulator in
 * its own process), or the configured transport itself.
 */
export function routeOf(server: string | undefined): { app: string } | { config: JobferryConfig } {
  if (server !== undefined) return { app: server };
  if (emulatedByDev()) return { app: DEFAULT_SERVER };
  const config = loadConfig();
  return config.adapter === 'memory' ? { app: DEFAULT_SERVER } : { config };
}

/**
 * Calls a jobferry app's HTTP API: JSON in and out; an unreachable app, an answer without JSON
 * and a refusal (4xx: exit 3) or failure (exit 1) become CliErrors that say so.
 */
export function appClient(base: string): { origin: string; call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> } {
  let root: URL;
  try {
    root = new URL(base);
  } catch {
    throw new CliError(`--server: not a URL: ${JSON.stringify(base)}`, EXIT.usage);
  }
  const call = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    let res: Response;
    try {
      res = await fetch(new URL(path, root), {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach the jobferry app at ${root.origin}: ${cause?.code ?? cause?.message ?? String(error)} (is \`jobferry dev\` running? set --server)`, EXIT.failed);
    }
    let answer: Record<string, unknown>;
    try {
      answer = (await res.json()) as Record<string, unknown>;
    } catch {
      throw new CliError(`${root.origin}${path} answered ${res.status} without JSON: is it a jobferry app?`, EXIT.failed);
    }
    if (res.ok) return answer;
    const message = `${String(answer.message ?? answer.error ?? res.statusText)}${answer.known ? ` (known: ${(answer.known as string[]).join(', ')})` : ''}`;
    // 4xx: the app refused the input (unknown job, invalid payload); anything else: it failed.
    throw new CliError(message, res.status >= 400 && res.status < 500 ? EXIT.refused : EXIT.failed);
  };
  return { origin: root.origin, call };
}

export async function openTarget(server: string | undefined, loadJobsModule: () => Promise<Map<string, AnyJob>>): Promise<Target> {
  const route = routeOf(server);
  if ('app' in route) return httpTarget(route.app);
  const { config } = route;
  const service = await createService(config);
  const jobs = await loadJobsModule();
  const queue = createQueue({ service, jobs: [...jobs.values()] });
  const need = <T>(value: T | undefined, ability: string): T => {
    if (value === undefined) throw new CliError(`[${service.adapter}] ${ability} is not supported by this transport`, EXIT.usage);
    return value;
  };
  return {
    where: `${service.adapter} queue ${service.queue}`,
    async send(job, payloads, query, onProgress) {
      if (!jobs.has(job)) throw new CliError(`unknown job ${JSON.stringify(job)} (known: ${[...jobs.keys()].join(', ')})`, EXIT.refused);
      const options = queryOptions(query);
      const results = await queue.enqueueMany(payloads.map((payload) => ({ job, payload: payload as never, options })), { onProgress });
      const failed = results.flatMap((r, index) => (r.ok ? [] : [{ index, message: r.error.message }]));
      return { sent: results.length - failed.length, failed, ids: results.flatMap((r) => (r.ok ? [r.id] : [])) };
    },
    async stats() {
      return need(service.stats, 'stats').call(service);
    },
    async buried(max) {
      return need(service.listBuried, 'listBuried').call(service, { max });
    },
    async kick(max) {
      return need(service.kick, 'kick').call(service, { max });
    },
    // The job's own store, as the jobs module configures it (a memory store here is this process's own).
    forget: (key) => forgetInDoubt(jobs, key),
    async close() {
      await service.close?.();
    },
  };
}

function queryOptions(query: Record<string, string>) {
  return {
    ...(query.delayMs !== undefined ? { delayMs: Number(query.delayMs) } : {}),
    ...(query.dedupeKey !== undefined ? { dedupeKey: query.dedupeKey } : {}),
    ...(query.groupKey !== undefined ? { groupKey: query.groupKey } : {}),
    ...(query.priority !== undefined ? { priority: Number(query.priority) } : {}),
  };
}

function httpTarget(base: string): Target {
  const { origin, call } = appClient(base);
  return {
    where: origin,
    async send(job, payloads, query, onProgress) {
      const qs = new URLSearchParams(query).toString();
      const path = (suffix: string) => `/jobs/${encodeURIComponent(job)}${suffix}${qs ? `?${qs}` : ''}`;
      if (payloads.length === 1) {
        const answer = await call('POST', path(''), payloads[0]);
        onProgress(1, 1);
        return { sent: 1, failed: [], ids: [String(answer.id)] };
      }
      const report: SendReport = { sent: 0, failed: [] };
      for (let i = 0; i < payloads.length; i += HTTP_CHUNK) {
        const answer = await call('POST', path('/batch'), payloads.slice(i, i + HTTP_CHUNK));
        report.sent += Number(answer.sent);
        for (const f of (answer.failed as SendReport['failed']) ?? []) report.failed.push({ index: f.index + i, message: f.message });
        onProgress(Math.min(payloads.length, i + HTTP_CHUNK), payloads.length);
      }
      return report;
    },
    async stats() {
      return (await call('GET', '/stats')) as unknown as QueueStats;
    },
    async buried(max) {
      return (await call('GET', `/buried?max=${max}`)).buried as Array<BuriedJob & { job?: string }>;
    },
    async kick(max) {
      return Number((await call('POST', `/kick?max=${max}`)).moved);
    },
    async forget(key) {
      return (await call('POST', `/idempotency/forget?key=${encodeURIComponent(key)}`)) as unknown as ForgetReport;
    },
    async close() {},
  };
}
