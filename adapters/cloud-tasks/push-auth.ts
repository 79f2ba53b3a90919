/**
 * OIDC verification of Cloud Tasks push requests, with `jose`. Runs on headers only, before
 * the body is read: signature against a JWKS (Google's by default), `alg` from an allow-list,
 * `iss`, `aud`, `exp` / `iat` with a small clock skew, `email` equal to the configured
 * service account and `email_verified` true.
 *
 * A token that passed is remembered (by its exact text, until it expires): Cloud Tasks sends
 * the same token with many tasks, and the same bytes verify the same way every time. Only
 * verified tokens enter the cache, so a stream of bad tokens cannot fill it.
 */
import { createRemoteJWKSet } from 'jose/jwks/remote';
import type { JWTPayload } from 'jose';
import { jwtVerify, type JWTVerifyGetKey } from 'jose/jwt/verify';

export const GOOGLE_JWKS_URL = 'https://www.googleapis.com/oauth2/v3/certs';
export const GOOGLE_ISSUERS: readonly string[] = ['https://accounts.google.com', 'accounts.google.com'];

/** How a request's token was judged. `unavailable`: the keys could not be fetched (answer 503, not 401). */
export type AuthVerdict =
  | { readonly ok: true; readonly email: string }
  | { readonly ok: false; readonly status: 401 | 403 | 503; readonly reason: string };

export interface VerifierSettings {
  readonly jwksUrl: string;
  readonly issuers: readonly string[];
  readonly serviceAccounts: readonly string[];
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds: number;
  /** How long fetched keys are used before they are fetched again. */
  readonly jwksCacheMaxAgeMs: number;
  readonly jwksTimeoutMs: number;
  /** Verified tokens remembered at most. 0 turns the cache off. */
  readonly tokenCacheSize: number;
}

export interface Verifier {
  /** `audiences`: the accepted `aud` values for this request. */
  verify(authorization: string | undefined, audiences: readonly string[]): Promise<AuthVerdict>;
  /** The verdict for a token verified before and still valid, without a promise; else undefined. */
  remembered(authorization: string | undefined, audiences: readonly string[]): AuthVerdict | undefined;
}

const MAX_TOKEN_CHARS = 8192;

class KeysUnavailable extends Error {
  override name = 'KeysUnavailable';
}

interface Remembered {
  readonly exp: number;
  readonly aud: readonly string[];
  readonly email: string;
  /** The last audience list this token matched (the configured list is one array: checked once). */
  okFor: readonly string[] | undefined;
}

export function createVerifier(settings: VerifierSettings, now: () => number = Date.now): Verifier {
  const remote = createRemoteJWKSet(new URL(settings.jwksUrl), {
    cacheMaxAge: settings.jwksCacheMaxAgeMs,
    timeoutDuration: settings.jwksTimeoutMs,
  });
  // Key lookups that fail for want of keys (network, timeout, bad JWKS document) are not the
  // caller's fault: they must not be answered with 401.
  const keys: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' || code === 'ERR_JOSE_NOT_SUPPORTED') throw error;
      throw new KeysUnavailable(`could not fetch the signing keys from ${settings.jwksUrl}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  const accounts = new Set(settings.serviceAccounts.map((e) => e.toLowerCase()));
  const cache = new Map<string, Remembered>();
  const options = {
    issuer: [...settings.issuers],
    algorithms: [...settings.algorithms],
    clockTolerance: settings.clockToleranceSeconds,
    maxTokenAge: settings.maxTokenAgeSeconds,
    requiredClaims: ['exp', 'iat', 'aud', 'iss'],
  };

  const checkIdentity = (payload: JWTPayload): AuthVerdict => {
    const email = payload.email;
    if (typeof email !== 'string' || !accounts.has(email.toLowerCase())) {
      return { ok: false, status: 403, reason: 'the token is not for the configured service account (email)' };
    }
    // Google sends a boolean; some older tokens carried the string "true".
    if (payload.email_verified !== true && payload.email_verified !== 'true') {
      return { ok: false, status: 403, reason: 'the token email is not verified (email_verified)' };
    }
    return { ok: true, email };
  };

  // Cloud Tasks sends one token with many tasks: the last header seen is compared first, which
  // is cheaper than hashing the token for the map.
  let lastHeader: string | undefined;
  let lastToken = '';
  let lastHit: Remembered | undefined;

  const judge = (token: string, hit: Remembered, audiences: readonly string[]): AuthVerdict => {
    if (hit.exp <= now() / 1000 - settings.clockToleranceSeconds) {
      cache.delete(token);
      lastHeader = lastHit = undefined;
      return { ok: false, status: 401, reason: 'the token has expired (exp)' };
    }
    // The cache holds what the signature covers; the audience depends on the request.
    if (hit.okFor !== audiences) {
      if (!hit.aud.some((a) => audiences.includes(a))) return { ok: false, status: 401, reason: 'the token is not for this handler (aud)' };
      hit.okFor = audiences;
    }
    return { ok: true, email: hit.email };
  };

  const fromCache = (token: string, audiences: readonly string[]): AuthVerdict | undefined => {
    const hit = cache.get(token);
    return hit === undefined ? undefined : judge(token, hit, audiences);
  };

  const remember = (token: string, payload: JWTPayload, email: string) => {
    if (settings.tokenCacheSize <= 0 || typeof payload.exp !== 'number') return;
    if (cache.size >= settings.tokenCacheSize) cache.delete(cache.keys().next().value!);
    const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a: unknown): a is string => typeof a === 'string') : [];
    // Remembered no longer than the token is valid: min(exp, iat + maxTokenAge).
    const exp = typeof payload.iat === 'number' ? Math.min(payload.exp, payload.iat + settings.maxTokenAgeSeconds) : payload.exp;
    cache.set(token, { exp, aud, email, okFor: undefined });
  };

  const tokenOf = (authorization: string | undefined): string | undefined => {
    if (authorization === undefined || authorization.length > MAX_TOKEN_CHARS + 7 || authorization.length < 8) return undefined;
    const space = authorization.indexOf(' ');
    if (space !== 6 || authorization.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
    return authorization.slice(7).trim();
  };

  return {
    remembered(authorization, audiences) {
      if (cache.size === 0 || authorization === undefined) return undefined;
      if (authorization === lastHeader && lastHit !== undefined) return judge(lastToken, lastHit, audiences);
      const token = tokenOf(authorization);
      const hit = token === undefined ? undefined : cache.get(token);
      if (hit === undefined) return undefined;
      lastHeader = authorization;
      lastToken = token!;
      lastHit = hit;
      return judge(token!, hit, audiences);
    },

    async verify(authorization, audiences) {
      if (authorization === undefined || authorization === '') return { ok: false, status: 401, reason: 'no bearer token (Authorization header)' };
      if (authorization.length > MAX_TOKEN_CHARS + 7) return { ok: false, status: 401, reason: 'the Authorization header is too long' };
      const space = authorization.indexOf(' ');
      if (space === -1 || authorization.slice(0, space).toLowerCase() !== 'bearer') return { ok: false, status: 401, reason: 'the Authorization header is not a bearer token' };
      const token = authorization.slice(space + 1).trim();
      if (token === '') return { ok: false, status: 401, reason: 'no bearer token (Authorization header)' };
      const cached = fromCache(token, audiences);
      if (cached !== undefined) return cached;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, { ...options, audience: [...audiences], currentDate: new Date(now()) }));
      } catch (error) {
        if (error instanceof KeysUnavailable) return { ok: false, status: 503, reason: error.message };
        return { ok: false, status: 401, reason: describeJoseError(error) };
      }
      const verdict = checkIdentity(payload);
      if (verdict.ok) remember(token, payload, verdict.email);
      return verdict;
    },
  };
}

// One short line per failure, for logs: never the token itself.
function describeJoseError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const claim = (error as { claim?: unknown }).claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return claim === 'iat' ? 'the token is too old (iat)' : 'the token has expired (exp)';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `the token failed the ${typeof claim === 'string' ? claim : 'claims'} check`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the token is signed with an algorithm that is not allowed (alg)';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token signature is not valid';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'the token is signed with an unknown key (kid)';
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'the token names no key and several keys match';
    default:
      return 'the token is malformed';
  }
}
