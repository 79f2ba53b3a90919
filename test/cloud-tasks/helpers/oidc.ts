/**
 * A local OIDC issuer for push handler tests: RSA keys made by jose, a JWKS served on
 * 127.0.0.1, and a token factory whose every claim can be changed or removed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export const SERVICE_ACCOUNT = 'tasks@jobferry-test.iam.gserviceaccount.com';
export const AUDIENCE = 'https://jobs.example.run.app/tasks';
export const ISSUER = 'https://accounts.google.com';
export const KID = 'test-key-1';

export interface KeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface JwksServer {
  readonly url: string;
  /** The key the JWKS publishes (kid KID). */
  readonly key: KeyPair;
  /** A key of the same kind the JWKS does not know. */
  readonly otherKey: KeyPair;
  /** GET requests served so far. */
  readonly fetches: number;
  close(): Promise<void>;
}

export async function makeKeyPair(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { privateKey, publicKey, publicJwk };
}

export async function startJwksServer(): Promise<JwksServer> {
  const key = await makeKeyPair(KID);
  const otherKey = await makeKeyPair(KID);
  const document = JSON.stringify({ keys: [key.publicJwk] });
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(document);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/certs`,
    key,
    otherKey,
    get fetches() {
      return fetches;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TokenOptions {
  /** Claims merged over the valid ones; `undefined` removes a claim. */
  claims?: Record<string, unknown>;
  /** Header fields merged over { alg: 'RS256', kid: KID, typ: 'JWT' }. */
  header?: Record<string, unknown>;
  /** Default: the JWKS key. */
  key?: KeyPair;
  /** Seconds since the epoch used for iat / exp. Default now. */
  nowSeconds?: number;
}

export function validClaims(nowSeconds = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return { iss: ISSUER, aud: AUDIENCE, sub: '1234567890', email: SERVICE_ACCOUNT, email_verified: true, iat: nowSeconds, exp: nowSeconds + 3600 };
}

export async function signToken(server: Pick<JwksServer, 'key'>, options: TokenOptions = {}): Promise<string> {
  const claims = withoutUndefined({ ...validClaims(options.nowSeconds), ...options.claims });
  const header = { alg: 'RS256', kid: KID, typ: 'JWT', ...options.header };
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign((options.key ?? server.key).privateKey);
}

/** `alg: none`: a token with no signature at all. */
export function unsignedToken(claims: Record<string, unknown> = validClaims()): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', typ: 'JWT', kid: KID })}.${encode(claims)}.`;
}

/** The old confusion attack: HS256 with the server's public key (its PEM text) as the secret. */
export async function hs256WithPublicKey(key: KeyPair, claims: Record<string, unknown> = validClaims()): Promise<string> {
  const pem = await exportSPKI(key.publicKey);
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: KID, typ: 'JWT' }).sign(new TextEncoder().encode(pem));
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
