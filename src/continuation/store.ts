/**
 * The chain store: one record per chain (a continuation job's logical run, keyed by its
 * envelope id), the source of truth for its checkpoint. Every transition is atomic:
 *
 *   claim(chain)    -> acquired (a lease on the next link, with the latest checkpoint)
 *                      | locked (a live link holds it until T) | done
 *   save(token)     -> the holder stores a checkpoint (link + 1); with `release` it ends its link
 *   finish(token)   -> the holder marks the chain done (or failed: buried)
 *   release(token)  -> the holder gives the link up without a checkpoint (a retry)
 *   listLive()      -> chains not done, for the health check
 *   markRestarted() -> one health check, of many, wins the restart of a stalled chain
 *
 * A lease ends on its own (the job's timeout plus a margin): a crashed link never blocks its
 * chain for longer. `createMemoryChainStore()` here, `createDynamoDbChainStore()` in
 * jobferry/dynamodb. Checkpoints, progress and results travel as JSON text.
 */

export type ChainState = 'running' | 'done' | 'failed';

export interface ChainProgress {
  /** Items done so far. */
  readonly done: number;
  /** Items in all, when known. */
  readonly total?: number | undefined;
}

export interface ChainRecord {
  readonly id: string;
  /** Job name. */
  readonly job: string;
  readonly state: ChainState;
  /** Checkpoints saved so far (the number of the next link, 0-based). */
  readonly link: number;
  /** The latest checkpoint, as JSON text; undefined before the first. */
  readonly checkpoint: string | undefined;
  readonly progress: ChainProgress | undefined;
  /** The first delivery's body: what a restart sends again (undefined when too large to keep). */
  readonly body: string | undefined;
  readonly createdAt: number;
  /** Last claim, checkpoint, finish or restart (epoch ms): the health check's clock. */
  readonly updatedAt: number;
  /** Lease end of the running link (epoch ms); undefined or past when no link runs. */
  readonly lockedUntil: number | undefined;
  /** Restarts by a health check. */
  readonly restarts: number;
  /** A chain with no update for this long, and no live lease, is stalled. */
  readonly stallAfterMs: number;
  /** The handler's result when done (JSON text), or the bury reason when failed. */
  readonly result: string | undefined;
  readonly reason: string | undefined;
}

export interface ChainClaimOptions {
  readonly job: string;
  /** Kept with a new chain for restarts. */
  readonly body: string | undefined;
  readonly leaseMs: number;
  readonly stallAfterMs: number;
  readonly retentionMs: number;
}

export type ChainClaim =
  | { readonly status: 'acquired'; readonly token: string; readonly record: ChainRecord }
  | { readonly status: 'locked'; readonly until: number }
  | { readonly status: 'done'; readonly record: ChainRecord };

export interface SaveOptions {
  readonly checkpoint: string;
  readonly progress: ChainProgress | undefined;
  /** End the link (the next delivery continues from this checkpoint); false keeps the lease. */
  readonly release: boolean;
  /** With `release: false`, the lease is extended to now + leaseMs. */
  readonly leaseMs?: number;
}

export interface FinishOptions {
  readonly state: 'done' | 'failed';
  readonly result?: string | undefined;
  readonly reason?: string | undefined;
  readonly progress?: ChainProgress | undefined;
}

export interface ChainStore {
  readonly name: string;
  /** Takes the lease of the chain's next link, creating the chain on its first delivery. */
  claim(chainId: string, options: ChainClaimOptions): Promise<ChainClaim>;
  /** Stores a checkpoint if `token` holds the lease; false when it does not (it expired and was taken). */
  save(chainId: string, token: string, options: SaveOptions): Promise<boolean>;
  /** Marks the chain done or failed if `token` holds the lease. */
  finish(chainId: string, token: string, options: FinishOptions): Promise<boolean>;
  /** Ends the lease if `token` holds it, keeping the checkpoint. */
  release(chainId: string, token: string): Promise<boolean>;
  get(chainId: string): Promise<ChainRecord | undefined>;
  /** Chains that are not done (running or failed), at most `limit`. */
  listLive(options?: { limit?: number }): Promise<ChainRecord[]>;
  /** Bumps updatedAt and the restart count if the chain is unchanged since `seenUpdatedAt`; false when another caller did first. */
  markRestarted(chainId: string, seenUpdatedAt: number): Promise<boolean>;
  close?(): Promise<void>;
}

export const MAX_CHAIN_ID_LENGTH = 256;
/** Longest checkpoint or result (UTF-8 of its JSON) a store must keep. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024;
/** Longest first body kept for restarts. */
export const MAX_CHAIN_BODY_BYTES = 256 * 1024;

export function chainProblem(chainId: unknown): string | undefined {
  if (typeof chainId !== 'string' || chainId.length === 0 || chainId.length > MAX_CHAIN_ID_LENGTH) return `chain id: must be a string of 1-${MAX_CHAIN_ID_LENGTH} characters`;
  return undefined;
}

/** True when the chain has no live lease and has not moved for its stall time. */
export function isStalled(record: ChainRecord, now: number): boolean {
  if (record.state !== 'running') return false;
  if (record.lockedUntil !== undefined && record.lockedUntil > now) return false;
  return now - record.updatedAt >= record.stallAfterMs;
}
