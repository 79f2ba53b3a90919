/**
 * The local app's routes for batches and chains (part of the HTTP API of http-api.ts):
 *
 *   POST /batches                { job, payloads: [...], id?, metadata?, finished? }
 *                                -> 202 { id, total, sent, failed, created }
 *   GET  /batches/:id            -> 200 progress (total, completed, failed, buried, cancelled, done, state)
 *   POST /batches/:id/cancel     -> 200 { cancelled }
 *   POST /batches/:id/finish     -> 200 { status }: sends a done batch's finished job if it was not sent
 *   GET  /chains/:id             -> 200 a chain's state and progress
 *   POST /chains/check           -> 200 the health check's report (stalled chains sent again)
 *
 * Stores come from the job definitions (`batch: { store }`, `continuation: { store }`).
 */
import type { IncomingMessage } from 'node:http';
import { batchState } from '../batch/admin.ts';
import { finishBatch } from '../batch/finish.ts';
import type { BatchProgress, BatchStore } from '../batch/store.ts';
import { checkChains } from '../continuation/health.ts';
import type { ChainRecord, ChainStore } from '../continuation/store.ts';
import { describeError } from '../errors.ts';
import type { AnyJob } from '../job.ts';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../json-guard.ts';
import type { Queue } from '../queue.ts';
import type { JobService } from '../service.ts';
import { readBounded } from './read-body.ts';

export type RouteAnswer = { status: number; body: unknown };

export interface PatternRoutesOptions {
  queue: Queue;
  jobs: ReadonlyMap<string, AnyJob>;
  /** Largest POST /batches body. */
  maxBodyBytes: number;
}

/**
 * The batches and chains of a jobs module, across the stores its job definitions name: what
 * the HTTP routes and the CLI (acting on a queue directly) both do. Undefined: no such id.
 */
export interface PatternAdmin {
  batch(id: string): Promise<Record<string, unknown> | undefined>;
  cancel(id: string): Promise<{ id: string; cancelled: boolean } | undefined>;
  finish(id: string): Promise<Record<string, unknown> | undefined>;
  chain(id: string): Promise<Record<string, unknown> | undefined>;
  checkChains(): Promise<{ checks: unknown[] }>;
}

export function patternAdmin(jobs: ReadonlyMap<string, AnyJob>, service: JobService): PatternAdmin {
  const { batches, chains } = storesOf(jobs);
  return {
    async batch(id) {
      const found = await findBatch(batches, id);
      return found && batchView(found.progress);
    },
    async cancel(id) {
      const found = await findBatch(batches, id);
      return found && { id, cancelled: await found.store.cancel(id) };
    },
    async finish(id) {
      const found = await findBatch(batches, id);
      return found && { id, ...(await finishBatch(id, { store: found.store, service, jobs })) };
    },
    async chain(id) {
      for (const store of chains) {
        const record = await store.get(id);
        if (record !== undefined) return chainView(record);
      }
      return undefined;
    },
    async checkChains() {
      const checks = [];
      for (const store of chains) checks.push(await checkChains({ store, service }));
      return { checks };
    },
  };
}

/** Stores named by the job definitions, each once. */
function storesOf(jobs: ReadonlyMap<string, AnyJob>): { batches: BatchStore[]; chains: ChainStore[] } {
  const batches = new Set<BatchStore>();
  const chains = new Set<ChainStore>();
  for (const job of jobs.values()) {
    if (job.batch !== undefined) batches.add(job.batch.store);
    if (job.continuation !== undefined) chains.add(job.continuation.store);
  }
  return { batches: [...batches], chains: [...chains] };
}

/** The batch's progress from whichever store holds it. */
async function findBatch(stores: readonly BatchStore[], id: string): Promise<{ store: BatchStore; progress: BatchProgress } | undefined> {
  for (const store of stores) {
    const progress = await store.progress(id);
    if (progress !== undefined) return { store, progress };
  }
  return undefined;
}

function batchView(p: BatchProgress): Record<string, unknown> {
  const { batch } = p;
  return {
    id: batch.id,
    job: batch.job,
    state: batchState(p),
    total: p.total,
    done: p.done,
    completed: p.completed,
    failed: p.failed,
    buried: p.buried,
    cancelled: p.cancelled,
    percent: p.total > 0 ? Math.floor((p.done / p.total) * 1000) / 10 : 100,
    finishedJob: batch.finishedJob,
    createdAt: iso(batch.createdAt),
    cancelledAt: iso(batch.cancelledAt),
    finishedAt: iso(batch.finishedAt),
  };
}

function chainView(c: ChainRecord): Record<string, unknown> {
  const { body: _b, checkpoint, result, ...rest } = c;
  return { ...rest, checkpoint: parse(checkpoint), result: parse(result), createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt), lockedUntil: iso(c.lockedUntil) };
}

/** Answers a batch or chain route, or undefined when the path is not one. */
export function createPatternRoutes(options: PatternRoutesOptions): (method: string, path: string, req: IncomingMessage) => Promise<RouteAnswer> | undefined {
  const { queue, jobs } = options;
  const admin = patternAdmin(jobs, queue.service);
  const problem = (status: number, error: string, message: string): RouteAnswer => ({ status, body: { error, message } });
  const wrong = (method: string, expected: string) => (method === expected ? undefined : problem(405, 'method-not-allowed', `use ${expected}`));

  const start = async (req: IncomingMessage): Promise<RouteAnswer> => {
    const text = await readBounded(req, options.maxBodyBytes);
    if (text === undefined) return problem(413, 'body-too-large', `body is larger than ${options.maxBodyBytes} bytes`);
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH - 1)) return problem(400, 'too-deep', `JSON nested deeper than ${MAX_JSON_DEPTH - 1} levels`);
    let body: { job?: unknown; payloads?: unknown; id?: unknown; metadata?: unknown; finished?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (error) {
      return problem(400, 'malformed-json', `body is not JSON: ${describeError(error).message}`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return problem(400, 'bad-body', 'body must be { job, payloads: [...], id?, metadata?, finished? }');
    const job = typeof body.job === 'string' ? jobs.get(body.job) : undefined;
    if (job === undefined) return { status: 404, body: { error: 'unknown-job', message: `no job named ${JSON.stringify(body.job)}`, known: [...jobs.values()].filter((j) => j.batch !== undefined).map((j) => j.name) } };
    if (job.batch === undefined) return problem(400, 'not-a-batch-job', `job ${job.name} is not defined with { batch: { store } }`);
    if (!Array.isArray(body.payloads)) return problem(400, 'bad-body', 'payloads: must be a JSON array');
    if (body.id !== undefined && typeof body.id !== 'string') return problem(400, 'bad-body', 'id: must be a string');
    if (body.finished !== undefined && (typeof body.finished !== 'string' || !jobs.has(body.finished))) return problem(400, 'bad-body', `finished: must name a job of this app, got ${JSON.stringify(body.finished)}`);
    const receipt = await queue.batch(job, body.payloads as never[], {
      ...(body.id !== undefined ? { id: body.id as string } : {}),
      ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      ...(body.finished !== undefined ? { finished: body.finished as string } : {}),
    });
    return { status: 202, body: receipt };
  };

  return (method, path, req) => {
    if (path === '/batches') return Promise.resolve(wrong(method, 'POST') ?? undefined).then((w) => w ?? start(req));
    if (path === '/chains/check') {
      const w = wrong(method, 'POST');
      if (w) return Promise.resolve(w);
      return admin.checkChains().then((body) => ({ status: 200, body }));
    }
    const batch = /^\/batches\/([^/]+)(\/cancel|\/finish)?$/.exec(path);
    if (batch !== null) {
      const id = decodeURIComponent(batch[1]!);
      const action = batch[2];
      const w = wrong(method, action === undefined ? 'GET' : 'POST');
      if (w) return Promise.resolve(w);
      return (async () => {
        const body = await (action === '/cancel' ? admin.cancel(id) : action === '/finish' ? admin.finish(id) : admin.batch(id));
        return body === undefined ? problem(404, 'unknown-batch', `no batch ${JSON.stringify(id)} in the stores of this app's jobs`) : { status: 200, body };
      })();
    }
    const chain = /^\/chains\/([^/]+)$/.exec(path);
    if (chain !== null) {
      const w = wrong(method, 'GET');
      if (w) return Promise.resolve(w);
      const id = decodeURIComponent(chain[1]!);
      return admin.chain(id).then((body) => (body === undefined ? problem(404, 'unknown-chain', `no chain ${JSON.stringify(id)} in the stores of this app's jobs`) : { status: 200, body }));
    }
    return undefined;
  };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
}

function parse(text: string | undefined): unknown {
  if (text === undefined || jsonDepthExceeds(text, MAX_JSON_DEPTH)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

