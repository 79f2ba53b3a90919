/**
 * A fault proxy on 127.0.0.1 in front of an HTTP service (fauxqs speaks the SQS JSON protocol):
 * requests pass through untouched unless the current rule answers for them. Faults are what the
 * network and the service really do, at the wire: an SQS error answer (throttling, access
 * denied, a server error) in the JSON protocol's form, a connection reset, a request held back
 * before it goes on. jobferry and the AWS SDK in the worker see only what they would see from AWS.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type HttpFault =
  /** An error answer as SQS's JSON protocol gives it. */
  | { type: 'error'; status: number; code: string; message: string }
  /** The connection is torn down before any answer (ECONNRESET / socket hang up). */
  | { type: 'reset' }
  /**
   * The request is held until `release` resolves (a slow network, a slow service), then
   * forwarded, or answered with the fault `release` resolves to.
   */
  | { type: 'hold'; release: Promise<void | HttpFault> };

export interface ProxiedRequest {
  /** `ReceiveMessage`, `ChangeMessageVisibilityBatch`, ... from X-Amz-Target. */
  readonly action: string;
  readonly body: string;
}

export interface ProxiedResponse extends ProxiedRequest {
  readonly status: number;
  readonly responseBody: string;
}

export type FaultRule = (request: ProxiedRequest) => HttpFault | undefined;

export interface HttpFaultProxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The rule for the requests from now on; undefined = pass everything through. */
  setRule(rule: FaultRule | undefined): void;
  /** Called for every request that arrives, before any rule. */
  onRequest(listener: (request: ProxiedRequest) => void): () => void;
  /** Called for every answer the service gave through the proxy. */
  onResponse(listener: (response: ProxiedResponse) => void): () => void;
  /** Faults applied so far, by `type` or `error:<code>`. */
  readonly applied: Readonly<Record<string, number>>;
  readonly forwarded: number;
  /** Tears down every open client connection (a network blip for everyone at once). */
  resetAll(): void;
  close(): Promise<void>;
}

export const SQS_FAULTS = {
  throttling: { type: 'error', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
  requestThrottled: { type: 'error', status: 400, code: 'RequestThrottled', message: 'The request was denied due to request throttling.' },
  accessDenied: { type: 'error', status: 400, code: 'AccessDeniedException', message: 'User: arn:aws:iam::000000000000:user/worker is not authorized to perform this action' },
  internalError: { type: 'error', status: 500, code: 'InternalFailure', message: 'We encountered an internal error. Please try again.' },
  reset: { type: 'reset' },
} as const satisfies Record<string, HttpFault>;

export async function startHttpFaultProxy(target: string): Promise<HttpFaultProxy> {
  const upstream = new URL(target);
  let rule: FaultRule | undefined;
  const applied: Record<string, number> = {};
  const listeners = new Set<(response: ProxiedResponse) => void>();
  const requestListeners = new Set<(request: ProxiedRequest) => void>();
  const sockets = new Set<Socket>();
  let forwarded = 0;

  const count = (fault: HttpFault) => {
    const key = fault.type === 'error' ? `error:${fault.code}` : fault.type;
    applied[key] = (applied[key] ?? 0) + 1;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, proxied: ProxiedRequest, raw: Buffer) => {
    forwarded++;
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
          const response = { ...proxied, status: answer.statusCode ?? 502, responseBody: body.toString('utf8') };
          for (const l of [...listeners]) l(response);
        });
        answer.on('error', () => res.destroy());
      },
    );
    out.on('error', () => res.destroy());
    out.end(raw);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const proxied: ProxiedRequest = { action: target.slice(target.lastIndexOf('.') + 1), body: raw.toString('utf8') };
      for (const l of [...requestListeners]) l(proxied);
      const fault = rule?.(proxied);
      if (fault === undefined) return forward(req, res, proxied, raw);
      answer(fault, req, res, proxied, raw);
    });
  });
  const answer = (fault: HttpFault, req: IncomingMessage, res: ServerResponse, proxied: ProxiedRequest, raw: Buffer) => {
    count(fault);
    switch (fault.type) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'error': {
        const body = JSON.stringify({ __type: `com.amazonaws.sqs#${fault.code}`, message: fault.message });
        res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${fault.code};${fault.status >= 500 ? 'Receiver' : 'Sender'}`, 'x-amzn-requestid': 'fault-proxy' });
        res.end(body);
        const response = { ...proxied, status: fault.status, responseBody: body };
        for (const l of [...listeners]) l(response);
        return;
      }
      case 'hold':
        void fault.release.then((then) => (then === undefined ? forward(req, res, proxied, raw) : answer(then, req, res, proxied, raw)));
        return;
    }
  };
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setRule(next) {
      rule = next;
    },
    onResponse(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onRequest(listener) {
      requestListeners.add(listener);
      return () => requestListeners.delete(listener);
    },
    applied,
    get forwarded() {
      return forwarded;
    },
    resetAll() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
