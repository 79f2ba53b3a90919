/**
 * One HTTP attempt of a task: the request, the answer's status (the body is read and dropped),
 * cut off when the signal aborts (the dispatch deadline). Redirects are followed without
 * counting as attempts, as the real service may do.
 */
import http from 'node:http';
import https from 'node:https';

export interface SendRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly signal: AbortSignal;
}

export interface SendResult {
  /** HTTP status; undefined when no answer came. */
  readonly status: number | undefined;
  readonly retryAfter: string | undefined;
  /** Why no answer came (connection refused, deadline, ...). */
  readonly error: string | undefined;
}

export interface HttpSender {
  send(request: SendRequest): Promise<SendResult>;
  close(): void;
}

const MAX_REDIRECTS = 5;

export function createHttpSender(): HttpSender {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  const once = (request: SendRequest, url: URL): Promise<SendResult & { location?: string }> =>
    new Promise((resolve) => {
      const secure = url.protocol === 'https:';
      const headers: Record<string, string> = { ...request.headers };
      if (request.body.length > 0 || request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') {
        headers['Content-Length'] = String(request.body.length);
      }
      const req = (secure ? https : http).request(url, {
        method: request.method,
        headers,
        agent: secure ? agents.https : agents.http,
        signal: request.signal,
      });
      req.on('response', (res) => {
        res.resume();
        const done = () =>
          resolve({
            status: res.statusCode,
            retryAfter: header(res.headers['retry-after']),
            error: undefined,
            location: header(res.headers.location),
          });
        res.on('end', done);
        res.on('error', done);
      });
      req.on('error', (error: Error & { code?: string }) => {
        const why = request.signal.aborted ? 'dispatch deadline exceeded' : `${error.code ?? error.name}: ${error.message}`;
        resolve({ status: undefined, retryAfter: undefined, error: why });
      });
      req.end(request.body);
    });

  return {
    async send(request) {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return { status: undefined, retryAfter: undefined, error: `invalid URL: ${request.url}` };
      }
      for (let hop = 0; ; hop++) {
        const result = await once(request, url);
        const redirect = result.status !== undefined && result.status >= 300 && result.status < 400 && result.location;
        if (!redirect || hop >= MAX_REDIRECTS) return { status: result.status, retryAfter: result.retryAfter, error: result.error };
        url = new URL(result.location!, url);
      }
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
