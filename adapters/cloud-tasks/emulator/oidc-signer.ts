/**
 * The emulator's OIDC tokens: RS256 JWTs signed with its own key (made at start), with the
 * claims Google puts in the tokens Cloud Tasks sends, and the JWKS to verify them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export const GOOGLE_ISSUER = 'https://accounts.google.com';
const TOKEN_LIFETIME_S = 3600;

export interface OidcTokenRequest {
  readonly serviceAccountEmail: string;
  readonly audience: string;
  /** Epoch ms stamped as `iat` (default: now). */
  readonly issuedAtMs?: number;
}

export interface OidcSigner {
  readonly issuer: string;
  readonly kid: string;
  sign(request: OidcTokenRequest): Promise<string>;
  /** `{ keys: [publicJwk] }` */
  jwks(): { keys: JWK[] };
}

export async function createOidcSigner(options: { issuer?: string | undefined } = {}): Promise<OidcSigner> {
  const issuer = options.issuer ?? GOOGLE_ISSUER;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  // Google's key ids are 40 hex digits.
  const kid = randomBytes(20).toString('hex');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };

  return {
    issuer,
    kid,
    jwks: () => ({ keys: [{ ...publicJwk }] }),
    async sign(request) {
      const iat = Math.floor((request.issuedAtMs ?? Date.now()) / 1000);
      const subject = numericId(request.serviceAccountEmail);
      return new SignJWT({ email: request.serviceAccountEmail, email_verified: true, azp: subject })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(request.audience)
        .setSubject(subject)
        .setIssuedAt(iat)
        .setExpirationTime(iat + TOKEN_LIFETIME_S)
        .sign(privateKey);
    },
  };
}

/** A stable 21-digit id per service account, like the `sub` of Google's tokens. */
function numericId(email: string): string {
  const digest = createHash('sha256').update(email).digest();
  let id = '1';
  for (let i = 0; id.length < 21; i++) id += String(digest[i % digest.length]! % 10);
  return id;
}
