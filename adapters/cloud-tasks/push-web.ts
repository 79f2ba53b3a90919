/**
 * The push handler as a Web-standard `(Request) => Promise<Response>`: Cloud Run with Hono,
 * Deno, Bun, any fetch-style server. The body stream is read only after authentication.
 */
import { createPushCore, type PushRequest } from './push-core.ts';
import type { PushHandlerOptions } from './push-options.ts';

export type FetchPushHandler = ((request: Request) => Promise<Response>) & {
  /** Settles once start-up checks are done; rejects when the handler refuses to run. */
  readonly ready: Promise<void>;
};

/**
 * @example
 * ```ts
 * const handler = createPushHandler({
 *   jobs: [sendEmail],
 *   service: () => createCloudTasksService({ project, location, queueId: 'emails', deadLetterQueueId: 'emails-dead', ... }),
 *   authentication: { serviceAccountEmail: 'tasks@my-project.iam.gserviceaccount.com', audience: 'https://jobs-abc.run.app/tasks' },
 *   queueMaxAttempts: 10,
 * });
 * export default { fetch: handler };
 * ```
 */
export function createPushHandler(options: PushHandlerOptions): FetchPushHandler {
  const core = createPushCore(options);
  const handler = async (request: Request): Promise<Response> => {
    let answer;
    try {
      answer = await core.handle(fromWebRequest(request));
    } catch {
      // The core answers every failure itself; this is a last guard.
      return new Response('{"error":"internal error"}', { status: 500, headers: { 'content-type': 'application/json' } });
    }
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
  return Object.assign(handler, { ready: core.ready });
}

function fromWebRequest(request: Request): PushRequest {
  return {
    method: request.method,
    url: request.url,
    header: (name) => request.headers.get(name) ?? undefined,
    readBody: (maxBytes) => readStream(request.body, maxBytes),
  };
}

async function readStream(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | undefined> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
