/**
 * The `idempotency` option of defineJob, checked once when the job is defined.
 *
 * @example
 * ```ts
 * defineJob({
 *   name: 'charge-payment',
 *   schema,
 *   timeoutMs: 10_000,
 *   idempotency: { store, key: (payload) => payload.orderId, retentionSeconds: 7 * 86_400 },
 *   handler,
 * });
 * ```
 */
import type { IdempotencyStore } from './store.ts';

export interface IdempotencyOptions<P = unknown> {
  /** Where claims and results are kept. Shared by every worker that runs the job. */
  store: IdempotencyStore;
  /**
   * What makes two deliveries the same job:
   * - omitted or `'payload'`: the payload itself (SHA-256 of its canonical JSON; key order does not matter);
   * - `'dedupeKey'`: the envelope's dedupeKey (enqueue with `{ dedupeKey }`; a job without one
   *   is refused by the producer, and buried as `idempotency-key-invalid` by the consumer);
   * - `'id'`: the envelope id (redeliveries and hops of one enqueued job; a producer that
   *   retries must pass the same `{ id }`);
   * - a function of the validated payload (and the envelope's id and dedupeKey) returning a
   *   non-empty string (`(p) => p.orderId`).
   * The same key with a different payload is a conflict: the job is buried, never skipped.
   */
  key?: 'payload' | 'dedupeKey' | 'id' | ((payload: P, envelope: IdempotencyKeyContext) => string);
  /** How long a completed job's record is kept: duplicates within it are not run. Default 86400 (24 h). */
  retentionSeconds?: number;
  /**
   * Added to the job's timeoutMs for the claim's lifetime: covers the watchdog's tick, the
   * store round trip and clock skew between workers. Default 5000.
   */
  claimMarginMs?: number;
  /**
   * What a delivery does when it finds a claim that expired unfinished (the run that held it was
   * killed, lost its host, or ran past timeoutMs + claimMarginMs without completing or failing):
   * - `'run'` (default, at least once): it takes the key over and runs the handler again. A run
   *   killed after its side effect and before its completion was stored has that effect twice,
   *   unless the system it calls honours `ctx.idempotencyKey`;
   * - `'bury'` (at most once): it buries the job as `idempotency-in-doubt`, for an operator to
   *   check whether the effect happened: if not, `store.forget(key)` and kick the job; if it did,
   *   leave it buried. The abandoned claim is kept until forgotten. The store must have `forget`
   *   (the built-in ones do).
   */
  ifAbandoned?: 'run' | 'bury';
}

/** What a key function gets besides the payload. */
export interface IdempotencyKeyContext {
  readonly id: string;
  readonly dedupeKey: string | undefined;
}

/** The checked, normalised option, as a job definition carries it. */
export interface IdempotencySettings {
  readonly store: IdempotencyStore;
  readonly key: 'payload' | 'dedupeKey' | 'id' | ((payload: unknown, envelope: IdempotencyKeyContext) => string);
  readonly retentionMs: number;
  /** timeoutMs + claimMarginMs. */
  readonly claimMs: number;
  readonly ifAbandoned: 'run' | 'bury';
}

export const DEFAULT_RETENTION_SECONDS = 86_400;
export const DEFAULT_CLAIM_MARGIN_MS = 5_000;
const OPTION_NAMES = ['store', 'key', 'retentionSeconds', 'claimMarginMs', 'ifAbandoned'];

/** Checks the option; problems are `idempotency.<option>: why`, for defineJob's ConfigError. */
export function checkIdempotencyOptions(value: unknown, timeoutMs: number): { settings?: IdempotencySettings; problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: ['idempotency: must be an object { store, key?, retentionSeconds?, claimMarginMs?, ifAbandoned? }'] };
  }
  const o = value as Record<string, unknown>;
  const problems: string[] = [];
  const store = o.store as Partial<IdempotencyStore> | undefined;
  if (typeof store !== 'object' || store === null || !['claim', 'complete', 'release'].every((m) => typeof (store as Record<string, unknown>)[m] === 'function')) {
    problems.push('idempotency.store: must be an idempotency store with claim, complete and release (createMemoryIdempotencyStore(), createDynamoDbIdempotencyStore(...))');
  }
  const key = o.key ?? 'payload';
  if (key !== 'payload' && key !== 'dedupeKey' && key !== 'id' && typeof key !== 'function') {
    problems.push(`idempotency.key: must be 'payload', 'dedupeKey', 'id' or a function (payload) => string, got ${JSON.stringify(key) ?? typeof key}`);
  }
  const retentionSeconds = o.retentionSeconds ?? DEFAULT_RETENTION_SECONDS;
  if (typeof retentionSeconds !== 'number' || !Number.isFinite(retentionSeconds) || retentionSeconds <= 0) {
    problems.push(`idempotency.retentionSeconds: must be a number > 0, got ${String(retentionSeconds)}`);
  }
  const margin = o.claimMarginMs ?? DEFAULT_CLAIM_MARGIN_MS;
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0) {
    problems.push(`idempotency.claimMarginMs: must be a number of ms >= 0, got ${String(margin)}`);
  }
  const ifAbandoned = o.ifAbandoned ?? 'run';
  if (ifAbandoned !== 'run' && ifAbandoned !== 'bury') {
    problems.push(`idempotency.ifAbandoned: must be 'run' or 'bury', got ${JSON.stringify(ifAbandoned) ?? typeof ifAbandoned}`);
  } else if (ifAbandoned === 'bury' && typeof store === 'object' && store !== null && typeof store.forget !== 'function') {
    problems.push(`idempotency.ifAbandoned: 'bury' needs a store with forget(key) (to settle a job in doubt) that honours keepAbandoned; store ${String(store.name)} has no forget`);
  }
  for (const name of Object.keys(o)) {
    if (!OPTION_NAMES.includes(name)) problems.push(`idempotency.${name}: unknown option (known: ${OPTION_NAMES.join(', ')})`);
  }
  if (problems.length > 0) return { problems };
  const claimMs = timeoutMs + (margin as number);
  const retentionMs = (retentionSeconds as number) * 1000;
  if (retentionMs < claimMs) problems.push(`idempotency.retentionSeconds: must cover at least the claim (timeoutMs + claimMarginMs = ${claimMs} ms)`);
  if (problems.length > 0) return { problems };
  return {
    problems,
    settings: Object.freeze({ store: store as IdempotencyStore, key: key as IdempotencySettings['key'], retentionMs, claimMs, ifAbandoned: ifAbandoned as IdempotencySettings['ifAbandoned'] }),
  };
}
