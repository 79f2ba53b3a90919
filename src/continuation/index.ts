/**
 * Continuations: one logical job as a chain of short, time-budgeted deliveries.
 * The pieces a user or a store author needs; the pipeline uses step.ts directly.
 */
export { continueFrom, isContinue } from './continue.ts';
export type { Continue, ContinuationContext } from './continue.ts';
export { createMemoryChainStore } from './memory-store.ts';
export type { MemoryChainStore, MemoryChainStoreOptions } from './memory-store.ts';
export { chainProblem, isStalled, MAX_CHAIN_BODY_BYTES, MAX_CHAIN_ID_LENGTH, MAX_CHECKPOINT_BYTES } from './store.ts';
export type { ChainClaim, ChainClaimOptions, ChainProgress, ChainRecord, ChainState, ChainStore, FinishOptions, SaveOptions } from './store.ts';
export type { ContinuationOptions, ContinuationSettings } from './options.ts';
export { checkChains, chainProgress } from './health.ts';
export type { ChainCheckReport, CheckChainsOptions } from './health.ts';
export { ContinuationError } from './errors.ts';
export { runOnce } from './once.ts';
export type { RunOnceOptions, RunOnceResult } from './once.ts';
