/**
 * The idempotency store: where a job's idempotency key is claimed before its handler runs and
 * marked completed (with the result) after. Three operations, one record per key:
 *
 *   claim(key)     -> acquired (with a token) | completed (stored result) | in-progress (until T)
 *                     | conflict (the key is held by a different payload)
 *                     | abandoned (asked for with keepAbandoned: a claim expired unfinished)
 *   complete(key)  -> the token holder records the result; kept for the retention period
 *   release(key)   -> the token holder gives the key up; it can be claimed again at once
 *   forget(key)    -> an operator drops an abandoned claim (settling a job in doubt)
 *
 * A claim expires on its own (after the job's timeout plus a margin), so a crashed run never
 * blocks its job for longer than that: by default the next claim takes it over (the job runs
 * again). With `keepAbandoned` (the job's `ifAbandoned: 'bury'`), the expired claim is kept until
 * an operator forgets it, and reported instead: its run died or overran without completing, so its side effect may or may not
 * have happened, and only an operator can tell. A store is a small factory result, like a JobService:
 * `createMemoryIdempotencyStore()` here, `createDynamoDbIdempotencyStore()` in
 * `jobferry/dynamodb`; any database with a conditional write can hold one.
 *
 * Results travel as JSON text: a store keeps a string and never interprets it.
 */

export interface ClaimOptions {
  /** SHA-256 (hex) of the payload's canonical JSON: the same key with another payload is a conflict. */
  readonly fingerprint: string;
  /** How long the claim holds if it is neither completed nor released (ms, > 0). */
  readonly claimMs: number;
  /**
   * At most once: an expired claim of this key that was neither completed nor released (and was
   * itself made with keepAbandoned) is not taken over but answered `abandoned`; the claim this
   * call makes, if it expires unfinished, is kept until `forget` (no expiry, no TTL), so every
   * later delivery finds it however late (dead letters live for days). Absent or false: an
   * expired claim counts as free (at least once).
   */
  readonly keepAbandoned?: boolean;
}

export type ClaimResult =
  /** The key is ours until `expiresAt` (epoch ms): run the handler, then complete or release with `token`. */
  | { readonly status: 'acquired'; readonly token: string; readonly expiresAt: number }
  /** The job already completed: `result` is the JSON text it stored (undefined when none was kept). */
  | { readonly status: 'completed'; readonly result: string | undefined; readonly completedAt: number }
  /** Another delivery holds the key until `expiresAt` (epoch ms, the store's clock). */
  | { readonly status: 'in-progress'; readonly expiresAt: number }
  /** The key is held (running or completed) by a payload with another fingerprint. */
  | { readonly status: 'conflict'; readonly fingerprint: string }
  /**
   * Only with keepAbandoned: a claim of this key expired at `expiredAt` (epoch ms) without being
   * completed or released. The key stays blocked until an operator forgets it.
   */
  | { readonly status: 'abandoned'; readonly expiredAt: number };

export type ClaimStatus = ClaimResult['status'];

export interface CompleteOptions {
  /** The fingerprint of the claim (written again if the record vanished meanwhile). */
  readonly fingerprint: string;
  /** The handler's result as JSON text, or undefined to keep none. */
  readonly result: string | undefined;
  /** How long the completed record is kept (ms, > 0): duplicates within it are not run. */
  readonly retentionMs: number;
}

export interface IdempotencyStore {
  /** For logs and errors: `memory`, `dynamodb`, ... */
  readonly name: string;
  /**
   * Claims `key`, atomically: of many concurrent claims of a free key, exactly one is acquired.
   * An expired claim or an expired completed record counts as free. Rejects on a store failure
   * (the pipeline retries the job; it never runs a handler without a claim).
   */
  claim(key: string, options: ClaimOptions): Promise<ClaimResult>;
  /**
   * Marks the key completed, if `token` still holds it (or the record is gone and nobody else
   * claimed it since). Resolves false when another claim holds the key: this run's claim was lost.
   */
  complete(key: string, token: string, options: CompleteOptions): Promise<boolean>;
  /** Deletes the claim if `token` holds it; resolves false when it does not (expired and taken, or gone). */
  release(key: string, token: string): Promise<boolean>;
  /**
   * An operator's tool: deletes the key's claim if it is abandoned (in progress, expired);
   * resolves false when it is not (no record, a live claim, a completed job: a slow run that
   * completed meanwhile keeps its record). After checking that a job buried as
   * `idempotency-in-doubt` did not have its effect, forget its key and kick it. Stores that have
   * it also honour `keepAbandoned` (required by `ifAbandoned: 'bury'`).
   */
  forget?(key: string): Promise<boolean>;
  /** Releases clients and timers. */
  close?(): Promise<void>;
}

/** Longest key a store must accept. The pipeline's keys are `<job name>#<source>:<64 hex>`, far below. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 1024;

/** Why a key is not one a store takes, or undefined. */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key === 'string' && key.length > 0 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH) return undefined;
  return `key: must be a string of 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${typeof key === 'string' ? `${key.length} characters` : typeof key}`;
}

/** Why a store call's arguments are wrong, or undefined: stores check with it, so every store says the same. */
export function claimProblem(key: unknown, options: { fingerprint?: unknown; claimMs?: unknown; retentionMs?: unknown; keepAbandoned?: unknown }): string | undefined {
  const badKey = keyProblem(key);
  if (badKey !== undefined) return badKey;
  if (typeof options.fingerprint !== 'string' || options.fingerprint.length === 0) return 'fingerprint: must be a non-empty string';
  if (options.keepAbandoned !== undefined && typeof options.keepAbandoned !== 'boolean') return `keepAbandoned: must be a boolean, got ${typeof options.keepAbandoned}`;
  for (const name of ['claimMs', 'retentionMs'] as const) {
    if (!(name in options)) continue;
    const value = options[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return `${name}: must be a number of ms > 0, got ${String(value)}`;
  }
  return undefined;
}

/** What a store holds for a key, as far as claiming goes (memory and DynamoDB records alike). */
export interface HeldRecord {
  readonly status: 'in-progress' | 'completed';
  readonly fingerprint: string;
  /** Claim end (in progress) or retention end (completed), epoch ms. */
  readonly expiresAt: number;
  /** In progress, claimed with keepAbandoned: once expired unfinished, kept until forgotten. */
  readonly keepAbandoned: boolean;
  readonly result: string | undefined;
  readonly completedAt: number;
}

/** An abandoned claim: in progress, expired, kept for an operator (what forget deletes). */
export function isAbandoned(held: HeldRecord, now: number): boolean {
  return held.status === 'in-progress' && held.keepAbandoned && held.expiresAt <= now;
}

/**
 * The answer to a claim that finds `held`, or `free` when the key may be claimed: the one rule
 * every built-in store applies, so that they agree on every edge (expiry, abandonment, conflict).
 */
export function answerHeld(held: HeldRecord, fingerprint: string, now: number, reportAbandoned: boolean): Exclude<ClaimResult, { status: 'acquired' }> | 'free' {
  if (held.expiresAt > now) {
    if (held.fingerprint !== fingerprint) return { status: 'conflict', fingerprint: held.fingerprint };
    if (held.status === 'completed') return { status: 'completed', result: held.result, completedAt: held.completedAt };
    return { status: 'in-progress', expiresAt: held.expiresAt };
  }
  // Expired. An unfinished claim kept for its abandonment is reported, where the caller asks.
  if (!reportAbandoned || !isAbandoned(held, now)) return 'free';
  if (held.fingerprint !== fingerprint) return { status: 'conflict', fingerprint: held.fingerprint };
  return { status: 'abandoned', expiredAt: held.expiresAt };
}
