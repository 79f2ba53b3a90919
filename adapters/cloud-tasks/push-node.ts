/**
 * The push handler for node:http `(req, res)` servers, and for Cloud Run functions
 * (@google-cloud/functions-framework), whose requests and responses are node's with the raw
 * body already read into `req.rawBody`. This module loads no part of node:http itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createPushCore, type PushRequest } from './push-core.ts';
import type { PushHandlerOptions } from './push-options.ts';

export type NodePushHandler = ((req: IncomingMessage, res: ServerResponse) => void) & {
  /** Settles once start-up checks are done; rejects when the handler refuses to run. */
  readonly ready: Promise<void>;
};

/**
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const handler = createNodePushHandler({ jobs, service, authentication, queueMaxAttempts: 10 });
 * createServer(handler).listen(Number(process.env.PORT ?? 8080));
 * ```
 */
export function createNodePushHandler(options: PushHandlerOptions): NodePushHandler {
  const core = createPushCore(options);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    core.handle(fromNodeRequest(req)).then(
      (answer) => {
        const headers = answer.close ? { ...answer.headers, connection: 'close' } : answer.headers;
        res.writeHead(answer.status, headers);
        res.end(answer.body);
      },
      () => {
        // The core answers every failure itself; this is a last guard.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', connection: 'close' });
        res.end('{"error":"internal error"}');
      },
    );
  };
  return Object.assign(handler, { ready: core.ready });
}

/**
 * The same handler for Cloud Run functions. The Functions Framework reads every body before
 * the function runs (its body parsers keep the bytes in `req.rawBody`); jobferry still
 * authenticates before it parses, validates or runs anything.
 *
 * @example
 * ```ts
 * import { http } from '@google-cloud/functions-framework';
 * http('jobs', createFunctionsPushHandler({ jobs, service, authentication, queueMaxAttempts: 10 }));
 * ```
 */
export const createFunctionsPushHandler: (options: PushHandlerOptions) => NodePushHandler = createNodePushHandler;

// The headers the handler reads, by lower-case name. Read straight from rawHeaders: building
// req.headers (every header, lower-cased, joined) would cost more than the lookups.
const WANTED = new Set(['authorization', 'content-length', 'host', 'x-cloudtasks-taskretrycount', 'x-cloudtasks-taskname', 'x-jobferry-attempts-before']);
const WANTED_LENGTHS = new Set([...WANTED].map((name) => name.length));

function fromNodeRequest(req: IncomingMessage): PushRequest {
  const raw = req.rawHeaders;
  const picked: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!WANTED_LENGTHS.has(raw[i]!.length)) continue;
    const name = raw[i]!.toLowerCase();
    // The first of repeated headers wins, as node does for Authorization and Host.
    if (WANTED.has(name) && picked[name] === undefined) picked[name] = raw[i + 1]!;
  }
  return {
    method: req.method ?? 'GET',
    // Built only when no audience is configured (the default audience is this URL).
    get url() {
      const socket = req.socket as { encrypted?: boolean } | undefined;
      return `${socket?.encrypted ? 'https' : 'http'}://${picked.host ?? 'localhost'}${req.url ?? '/'}`;
    },
    header: (name) => picked[name],
    readBody: (maxBytes) => readNodeBody(req, maxBytes),
  };
}

function readNodeBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | undefined> {
  const raw = (req as { rawBody?: unknown }).rawBody;
  if (raw instanceof Uint8Array) return Promise.resolve(raw.byteLength > maxBytes ? undefined : raw);
  if (req.readableEnded) {
    // Nothing to read: fine for an empty request, an error when a body parser took the bytes.
    const length = req.headers['content-length'];
    if (length === undefined || length === '0') return Promise.resolve(new Uint8Array(0));
    return Promise.reject(new Error('the request body was consumed before the handler ran (a body parser without rawBody?)'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        done();
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onAborted = () => onError(new Error('the client closed the request'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
