/**
 * The emulator's HTTP/1.1 server on 127.0.0.1: the OIDC discovery document and JWKS, and
 * (when given) the REST surface of the API.
 */
import http from 'node:http';
import type { OidcSigner } from './oidc-signer.ts';

export type RestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

export interface HttpServerHandle {
  readonly port: number;
  readonly jwksUrl: string;
  close(): Promise<void>;
}

export const JWKS_PATH = '/.well-known/jwks.json';

export async function startHttpServer(signer: OidcSigner, port: number, rest: RestHandler | undefined): Promise<HttpServerHandle> {
  let base = '';
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === JWKS_PATH || path === '/oauth2/v3/certs')) {
      return json(res, 200, signer.jwks());
    }
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: signer.issuer,
        jwks_uri: `${base}${JWKS_PATH}`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        claims_supported: ['aud', 'email', 'email_verified', 'exp', 'iat', 'iss', 'sub', 'azp'],
      });
    }
    if (!rest) return json(res, 404, { error: { code: 404, message: `Not found: ${path}`, status: 'NOT_FOUND' } });
    rest(req, res).then(
      (handled) => {
        if (!handled) json(res, 404, { error: { code: 404, message: `Not found: ${req.method} ${path}`, status: 'NOT_FOUND' } });
      },
      (error: unknown) => json(res, 500, { error: { code: 500, message: String(error), status: 'INTERNAL' } }),
    );
  });
  server.keepAliveTimeout = 5000;
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  base = `http://127.0.0.1:${bound}`;
  return {
    port: bound,
    jwksUrl: `${base}${JWKS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
