/**
 * `runOnce`: the side effect of one item, at most once per key, for handlers that work
 * through many items (a continuation's link redone after a crash, a batch job redelivered).
 * It is the idempotency store's claim / complete / release around one function call.
 *
 * @example
 * ```ts
 * for (const order of page) {
 *   await runOnce(store, `invoice:${order.id}`, () => sendInvoice(order));
 * }
 * ```
 */
import { RetryLaterError } from '../errors.ts';
import { sha256Hex } from '../idempotency/canonical.ts';
import { parseResult, serializeResult } from '../idempotency/results.ts';
import type { IdempotencyStore } from '../idempotency/store.ts';

export interface RunOnceOptions {
  /** How long a claim holds if the process dies during fn. Default 60000. */
  claimMs?: number;
  /** How long a done key is remembered. Default 7 days. */
  retentionMs?: number;
}

export interface RunOnceResult<T> {
  /** True when fn ran now; false when the key was done before (fn was not called). */
  readonly ran: boolean;
  /** fn's result (when it ran), or the stored one (JSON round trip). */
  readonly result: T | undefined;
}

const FINGERPRINT = 'once';

/**
 * Runs fn unless `key` was done before. While another caller runs the same key, rejects with a
 * RetryLaterError (the job is retried when the claim ends). A throwing fn releases the key.
 */
export async function runOnce<T>(store: IdempotencyStore, key: string, fn: () => T | Promise<T>, options: RunOnceOptions = {}): Promise<RunOnceResult<T>> {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('runOnce(store, key, fn): key must be a non-empty string');
  const storeKey = `~once#${await sha256Hex(key)}`;
  const claimMs = options.claimMs ?? 60_000;
  const claim = await store.claim(storeKey, { fingerprint: FINGERPRINT, claimMs });
  if (claim.status === 'completed') return { ran: false, result: parseResult(claim.result).value as T | undefined };
  if (claim.status === 'in-progress') throw new RetryLaterError(`runOnce: ${key} is being run by another caller`, Math.max(1_000, claim.expiresAt - Date.now()));
  if (claim.status !== 'acquired') throw new Error(`runOnce: the store answered ${claim.status} for ${key}`);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await store.release(storeKey, claim.token).catch(() => false);
    throw error;
  }
  await store.complete(storeKey, claim.token, { fingerprint: FINGERPRINT, result: serializeResult(result).text, retentionMs: options.retentionMs ?? 7 * 86_400_000 });
  return { ran: true, result };
}
