/**
 * The local app's HTTP API, as a node:http request listener:
 *
 *   POST /jobs/:name   JSON body = payload; query: delayMs, runAt, dedupeKey, groupKey, priority
 *                      202 { id, deduplicated } | 400 { error, issues } | 404 unknown job
 *   POST /jobs/:name/batch   JSON array of payloads: all validated first, then sent in chunks
 *                      202 { sent, failed: [{ index, message }] } | 400 (nothing sent)
 *   GET  /jobs         the job definitions this app knows
 *   GET  /stats        queue stats and worker counts
 *   GET  /buried       buried jobs with their reasons (?max=N)
 *   POST /kick         buried jobs back to ready (?max=N) -> { moved }
 *   POST /idempotency/forget?key=K   forget the abandoned claim of a job buried in doubt
 *                      200 { key, job, store, forgotten (, why) } | 400 a key that names no job of the app
 *   GET  /health
 *
 * Bad input is always a 4xx with a reason, never a 500: the body is bounded, parsed defensively
 * and validated by the job's schema before anything is enqueued.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeEnvelope } from '../envelope.ts';
import { describeError, TransportError, UnsupportedError, ValidationError } from '../errors.ts';
import { forgetInDoubt } from '../idempotency/forget.ts';
import type { AnyJob } from '../job.ts';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../json-guard.ts';
import type { EnqueueOptions, Queue } from '../queue.ts';
import { sanitize } from '../redact.ts';
import type { JobService } from '../service.ts';
import { createPatternRoutes } from './batch-routes.ts';
import { readBounded } from './read-body.ts';

export interface HttpApiOptions {
  queue: Queue;
  service: JobService;
  jobs: ReadonlyMap<string, AnyJob>;
  /** Extra figures for GET /stats (worker counts). */
  counts?: () => Record<string, unknown>;
}

type Answer = { status: number; body: unknown };

/** A batch request may hold up to this many bodies' worth of payloads. */
const MAX_BATCH_BODIES = 64;

class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly extra: Record<string, unknown>;
  constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export function createHttpApi(options: HttpApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { queue, service, jobs } = options;
  const maxBodyBytes = service.limits.maxBodyBytes;
  // Batches and chains (batch-routes.ts): GET /batches/:id, POST /batches, POST /batches/:id/cancel, ...
  const patternRoute = createPatternRoutes({ queue, jobs, maxBodyBytes: maxBodyBytes * MAX_BATCH_BODIES });

  const route = async (req: IncomingMessage, url: URL): Promise<Answer> => {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const pattern = patternRoute(method, path, req);
    if (pattern !== undefined) return pattern;
    const jobMatch = /^\/jobs\/([^/]+)(\/batch)?$/.exec(path);
    if (jobMatch !== null) {
      allow(method, 'POST');
      return enqueue(decodeURIComponent(jobMatch[1]!), req, url, jobMatch[2] !== undefined);
    }
    switch (path) {
      case '/jobs':
        allow(method, 'GET');
        return { status: 200, body: { jobs: [...jobs.values()].map((j) => ({ name: j.name, maxAttempts: j.maxAttempts, timeoutMs: j.timeoutMs })) } };
      case '/stats':
        allow(method, 'GET');
        return { status: 200, body: { adapter: service.adapter, queue: service.queue, ...(await ability(service.stats, 'stats')()), worker: options.counts?.() } };
      case '/buried': {
        allow(method, 'GET');
        const buried = await ability(service.listBuried, 'listBuried')({ max: intParam(url, 'max', 100) });
        return { status: 200, body: { buried: buried.map(({ body, ...entry }) => ({ ...entry, ...shown(body, jobs) })) } };
      }
      case '/kick':
        allow(method, 'POST');
        return { status: 200, body: { moved: await ability(service.kick, 'kick')({ max: intParam(url, 'max', Number.MAX_SAFE_INTEGER) }) } };
      case '/idempotency/forget': {
        allow(method, 'POST');
        const key = url.searchParams.get('key');
        if (key === null) throw new HttpProblem(400, 'bad-query', 'key: the idempotency key to forget is missing (?key=..., from the buried job\'s detail)');
        try {
          return { status: 200, body: await forgetInDoubt(jobs, key) };
        } catch (error) {
          if (error instanceof ValidationError) throw new HttpProblem(400, 'bad-key', error.message);
          throw error;
        }
      }
      case '/health':
        return { status: 200, body: { ok: true } };
      default:
        throw new HttpProblem(404, 'not-found', `no route ${method} ${path}`);
    }
  };

  const ability = <F extends (...args: never[]) => unknown>(fn: F | undefined, name: string): F => {
    if (fn === undefined) throw new UnsupportedError(service.adapter, name);
    return fn.bind(service) as F;
  };

  const enqueue = async (name: string, req: IncomingMessage, url: URL, batch: boolean): Promise<Answer> => {
    const job = jobs.get(name);
    if (job === undefined) throw new HttpProblem(404, 'unknown-job', `no job named ${JSON.stringify(name)}`, { known: [...jobs.keys()] });
    const options = enqueueOptions(url);
    // A batch carries many payloads: allow it as many bodies' worth, bounded all the same.
    const text = await readBody(req, batch ? maxBodyBytes * MAX_BATCH_BODIES : maxBodyBytes);
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH - 1)) throw new HttpProblem(400, 'too-deep', `JSON nested deeper than ${MAX_JSON_DEPTH - 1} levels`);
    let payload: unknown;
    try {
      payload = text.trim() === '' ? undefined : JSON.parse(text);
    } catch (error) {
      throw new HttpProblem(400, 'malformed-json', `body is not JSON: ${describeError(error).message}`);
    }
    if (!batch) {
      const sent = await queue.enqueue(job, payload as never, options);
      return { status: 202, body: { id: sent.id, job: job.name, deduplicated: sent.deduplicated } };
    }
    if (!Array.isArray(payload)) throw new HttpProblem(400, 'not-an-array', 'a batch body must be a JSON array of payloads');
    const results = await queue.enqueueMany(payload.map((p: unknown) => ({ job, payload: p as never, options })));
    const failed = results.flatMap((r, index) => (r.ok ? [] : [{ index, message: r.error.message }]));
    return { status: 202, body: { job: job.name, sent: results.length - failed.length, failed } };
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    route(req, url).then(
      (answer) => send(res, answer.status, answer.body),
      (error: unknown) => {
        const { status, body } = problemOf(error);
        // The rest of an over-long body is not read: end the connection rather than drain it.
        if (status === 413) res.setHeader('connection', 'close');
        send(res, status, body);
      },
    );
  };
}

function problemOf(error: unknown): Answer {
  if (error instanceof HttpProblem) return { status: error.status, body: { error: error.code, message: error.message, ...error.extra } };
  if (error instanceof ValidationError) return { status: 400, body: { error: 'invalid-payload', message: error.message, issues: error.issues } };
  if (error instanceof UnsupportedError) return { status: 400, body: { error: 'unsupported', message: error.message } };
  if (error instanceof TransportError) return { status: 503, body: { error: 'transport', message: error.message, code: error.code } };
  const { name, message } = describeError(error);
  return { status: 500, body: { error: 'internal', message: `${name}: ${message}` } };
}

function allow(method: string, expected: string): void {
  if (method !== expected) throw new HttpProblem(405, 'method-not-allowed', `use ${expected}`);
}

function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new HttpProblem(400, 'bad-query', `${name}: must be an integer >= 0, got ${JSON.stringify(raw)}`);
  return value;
}

function enqueueOptions(url: URL): EnqueueOptions {
  const options: EnqueueOptions = {};
  const q = url.searchParams;
  for (const key of q.keys()) {
    if (!['delayMs', 'runAt', 'dedupeKey', 'groupKey', 'priority'].includes(key)) {
      throw new HttpProblem(400, 'bad-query', `unknown query parameter ${JSON.stringify(key)} (known: delayMs, runAt, dedupeKey, groupKey, priority)`);
    }
  }
  if (q.has('delayMs')) options.delayMs = intParam(url, 'delayMs', 0);
  if (q.has('priority')) {
    const p = Number(q.get('priority'));
    if (!Number.isSafeInteger(p)) throw new HttpProblem(400, 'bad-query', 'priority: must be an integer');
    options.priority = p;
  }
  if (q.has('runAt')) {
    const at = Date.parse(q.get('runAt')!);
    if (Number.isNaN(at)) throw new HttpProblem(400, 'bad-query', 'runAt: must be an ISO 8601 time');
    options.runAt = at;
  }
  const dedupeKey = q.get('dedupeKey');
  if (dedupeKey !== null) options.dedupeKey = dedupeKey;
  const groupKey = q.get('groupKey');
  if (groupKey !== null) options.groupKey = groupKey;
  return options;
}

/** Reads at most `maxBytes`; a larger body is refused with 413 as soon as it is known. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const text = await readBounded(req, maxBytes);
  if (text === undefined) throw new HttpProblem(413, 'body-too-large', `body is larger than ${maxBytes} bytes`);
  return text;
}

/** A buried body as shown: the envelope's fields, its payload with the job's secrets redacted. */
function shown(body: string, jobs: ReadonlyMap<string, AnyJob>): Record<string, unknown> {
  const decoded = decodeEnvelope(body, Number.MAX_SAFE_INTEGER);
  if (!decoded.ok) return { job: undefined, body: `[undecodable: ${decoded.reason}]` };
  const { name, id, payload, createdAt } = decoded.envelope;
  return { job: name, jobId: id, createdAt, payload: sanitize(payload, jobs.get(name)?.secretFields ?? []) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
