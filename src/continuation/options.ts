/**
 * The `continuation` option of defineJob: the handler works within a time budget, returns
 * `continueFrom(checkpoint)` when it runs out, and jobferry runs the next link of the chain.
 *
 * @example
 * ```ts
 * defineJob({
 *   name: 'reindex-catalog',
 *   schema: z.object({ catalog: z.string() }),
 *   timeoutMs: 60_000,
 *   continuation: { store: chainStore, budgetMs: 20_000 },
 *   async handler(payload, ctx) {
 *     let cursor = (ctx.continuation!.checkpoint as string | undefined) ?? '';
 *     while (!ctx.continuation!.shouldYield()) {
 *       const page = await db.page(payload.catalog, cursor);
 *       if (page.last) return { indexed: true };
 *       await index(page.items);
 *       cursor = page.next;
 *     }
 *     return continueFrom(cursor);
 *   },
 * });
 * ```
 */
import type { ChainStore } from './store.ts';

export interface ContinuationOptions {
  /** Where the chain's checkpoint and lease are kept. Shared by every worker that runs the job. */
  store: ChainStore;
  /** Work time of one link, ms (shouldYield() turns true after it). Default: up to the delivery's deadline. */
  budgetMs?: number;
  /** Kept free before the deadline (timeout, Lambda remaining time, dispatch deadline) to save the checkpoint. Default 2000. */
  marginMs?: number;
  /** Added to timeoutMs for a link's lease. Default 5000. */
  leaseMarginMs?: number;
  /** A chain with no checkpoint and no live link for this long is stalled (restarted by checkChains()). Default max(10 min, 5 leases). */
  stallAfterMs?: number;
  /** How long a chain's record is kept after its last link. Default 604800 (7 days). */
  retentionSeconds?: number;
}

export interface ContinuationSettings {
  readonly store: ChainStore;
  readonly budgetMs: number | undefined;
  readonly marginMs: number;
  readonly leaseMs: number;
  readonly stallAfterMs: number;
  readonly retentionMs: number;
}

const OPTION_NAMES = ['store', 'budgetMs', 'marginMs', 'leaseMarginMs', 'stallAfterMs', 'retentionSeconds'];
const STORE_METHODS = ['claim', 'save', 'finish', 'release', 'get', 'listLive', 'markRestarted'];

export function checkContinuationOptions(value: unknown, timeoutMs: number): { settings?: ContinuationSettings; problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problems: ['continuation: must be an object { store, budgetMs?, marginMs?, leaseMarginMs?, stallAfterMs?, retentionSeconds? }'] };
  const o = value as Record<string, unknown>;
  const problems: string[] = [];
  const store = o.store as Record<string, unknown> | undefined;
  if (typeof store !== 'object' || store === null || !STORE_METHODS.every((m) => typeof store[m] === 'function')) {
    problems.push(`continuation.store: must be a chain store with ${STORE_METHODS.join(', ')} (createMemoryChainStore(), createDynamoDbChainStore(...))`);
  }
  const number = (name: string, fallback: number | undefined, min: number) => {
    const v = o[name] ?? fallback;
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      problems.push(`continuation.${name}: must be a number ${min === 0 ? '>= 0' : `>= ${min}`}, got ${String(v)}`);
      return undefined;
    }
    return v;
  };
  const budgetMs = number('budgetMs', undefined, 1);
  const marginMs = number('marginMs', 2_000, 0) ?? 0;
  const leaseMs = timeoutMs + (number('leaseMarginMs', 5_000, 0) ?? 0);
  const stallAfterMs = number('stallAfterMs', Math.max(600_000, 5 * leaseMs), 1) ?? 0;
  const retentionSeconds = number('retentionSeconds', 604_800, 1) ?? 0;
  for (const name of Object.keys(o)) if (!OPTION_NAMES.includes(name)) problems.push(`continuation.${name}: unknown option (known: ${OPTION_NAMES.join(', ')})`);
  if (problems.length > 0) return { problems };
  return { problems, settings: Object.freeze({ store: store as unknown as ChainStore, budgetMs, marginMs, leaseMs, stallAfterMs, retentionMs: retentionSeconds * 1000 }) };
}
