/**
 * Idempotency: run a job's handler at most once per key, over at-least-once transports.
 * The pieces a user or a store author needs; the pipeline uses guard.ts directly.
 */
export { createMemoryIdempotencyStore } from './memory-store.ts';
export type { MemoryIdempotencyStore, MemoryIdempotencyStoreOptions } from './memory-store.ts';
export { claimProblem, MAX_IDEMPOTENCY_KEY_LENGTH } from './store.ts';
export type { ClaimOptions, ClaimResult, ClaimStatus, CompleteOptions, IdempotencyStore } from './store.ts';
export type { IdempotencyKeyContext, IdempotencyOptions, IdempotencySettings } from './options.ts';
export { DEFAULT_CLAIM_MARGIN_MS, DEFAULT_RETENTION_SECONDS } from './options.ts';
export { IdempotencyError } from './errors.ts';
export { canonicalJson, fingerprintOf, sha256Hex } from './canonical.ts';
export { MAX_RESULT_BYTES } from './results.ts';
export { MIN_IN_PROGRESS_DELAY_MS } from './guard.ts';
export { forgetInDoubt, type ForgetReport } from './forget.ts';
