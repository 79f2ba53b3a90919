/**
 * What a continuation handler returns to hand over to the next link, and what it sees as
 * `ctx.continuation`.
 */
import type { ChainProgress } from './store.ts';

const CONTINUE = Symbol.for('jobferry.continue');

export interface Continue {
  readonly [CONTINUE]: true;
  readonly checkpoint: unknown;
  readonly progress: ChainProgress | undefined;
}

/**
 * Ends this link: `checkpoint` (JSON, at most 64 KiB) is stored, and the next link of the
 * chain starts from it (`ctx.continuation.checkpoint`). `progress` is what `jobferry chain <id>`
 * and chainProgress() show.
 *
 * @example
 * ```ts
 * if (ctx.continuation!.shouldYield()) return continueFrom({ after: lastId }, { done, total });
 * ```
 */
export function continueFrom(checkpoint: unknown, progress?: ChainProgress): Continue {
  if (checkpoint === undefined) throw new TypeError('continueFrom(checkpoint): the checkpoint must be a JSON value, got undefined');
  return Object.freeze({ [CONTINUE]: true as const, checkpoint, progress });
}

export function isContinue(value: unknown): value is Continue {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CONTINUE] === true;
}

/** ctx.continuation: set for jobs defined with `continuation`. */
export interface ContinuationContext {
  /** The chain's id (the envelope id, the same for every link). */
  readonly chainId: string;
  /** The latest checkpoint (parsed JSON), undefined on the first link. */
  readonly checkpoint: unknown;
  /** 0-based number of this link (checkpoints saved before it). */
  readonly link: number;
  /** Progress saved with the latest checkpoint. */
  readonly progress: ChainProgress | undefined;
  /** Epoch ms by which this link should hand over: the budget's end, or the deadline less the margin. */
  readonly budgetEndsAt: number;
  /** True once the budget is spent: return continueFrom(...) now. */
  shouldYield(): boolean;
  /** Ms left of the budget (may be negative). */
  timeLeftMs(): number;
  /**
   * Stores a checkpoint without ending the link (commit progress more often than once a link;
   * items after it are not done again if the link crashes). Rejects when the lease was lost.
   */
  save(checkpoint: unknown, progress?: ChainProgress): Promise<void>;
}
