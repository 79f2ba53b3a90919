/**
 * The `exclusive` option of defineJob: at most one job with the same key runs at a time,
 * across processes and adapters, through a lease in a shared store.
 *
 * @example
 * ```ts
 * defineJob({
 *   name: 'close-books',
 *   schema,
 *   timeoutMs: 120_000,
 *   exclusive: { store, key: (payload) => `ledger:${payload.companyId}` },
 *   handler,
 * });
 * ```
 */
import type { IdempotencyStore } from '../idempotency/store.ts';

export interface ExclusiveOptions<P = unknown> {
  /**
   * Where the key's lease is kept: an idempotency store (createMemoryIdempotencyStore() in one
   * process; createDynamoDbIdempotencyStore() from jobferry/dynamodb across processes). Its claim
   * is the lock; the same store may also hold idempotency keys (the keys never collide).
   */
  store: IdempotencyStore;
  /**
   * The key: a fixed string (one job of this definition at a time), or a function of the
   * validated payload (`(p) => p.tenantId`: one per tenant). Keys are shared across job
   * definitions: two jobs with the key `billing` never run at once.
   */
  key: string | ((payload: P) => string);
  /** Added to the job's timeoutMs for the lease, so a crashed holder frees the key after it. Default 5000. */
  leaseMarginMs?: number;
  /** How soon a job that found the key held is delivered again, at most (jittered; never past the holder's lease). Default 1000. */
  retryDelayMs?: number;
}

export interface ExclusiveSettings {
  readonly store: IdempotencyStore;
  readonly key: string | ((payload: unknown) => string);
  /** timeoutMs + leaseMarginMs. */
  readonly leaseMs: number;
  readonly retryDelayMs: number;
}

const OPTION_NAMES = ['store', 'key', 'leaseMarginMs', 'retryDelayMs'];

/** Checks the option; problems are `exclusive.<option>: why`, for defineJob's ConfigError. */
export function checkExclusiveOptions(value: unknown, timeoutMs: number): { settings?: ExclusiveSettings; problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problems: ['exclusive: must be an object { store, key, leaseMarginMs?, retryDelayMs? }'] };
  const o = value as Record<string, unknown>;
  const problems: string[] = [];
  const store = o.store as Record<string, unknown> | undefined;
  if (typeof store !== 'object' || store === null || !['claim', 'release'].every((m) => typeof store[m] === 'function')) {
    problems.push('exclusive.store: must be an idempotency store with claim and release (createMemoryIdempotencyStore(), createDynamoDbIdempotencyStore(...))');
  }
  const key = o.key;
  if (!(typeof key === 'function' || (typeof key === 'string' && key.length > 0 && key.length <= 1024))) {
    problems.push(`exclusive.key: must be a string of 1-1024 characters or a function (payload) => string, got ${JSON.stringify(key) ?? typeof key}`);
  }
  const margin = o.leaseMarginMs ?? 5_000;
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0) problems.push(`exclusive.leaseMarginMs: must be a number of ms >= 0, got ${String(margin)}`);
  const retryDelayMs = o.retryDelayMs ?? 1_000;
  if (typeof retryDelayMs !== 'number' || !Number.isFinite(retryDelayMs) || retryDelayMs < 1) problems.push(`exclusive.retryDelayMs: must be a number of ms >= 1, got ${String(retryDelayMs)}`);
  for (const name of Object.keys(o)) if (!OPTION_NAMES.includes(name)) problems.push(`exclusive.${name}: unknown option (known: ${OPTION_NAMES.join(', ')})`);
  if (problems.length > 0) return { problems };
  return {
    problems,
    settings: Object.freeze({ store: store as unknown as IdempotencyStore, key: key as ExclusiveSettings['key'], leaseMs: timeoutMs + (margin as number), retryDelayMs: retryDelayMs as number }),
  };
}
