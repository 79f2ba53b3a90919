/**
 * What the pipeline decides for one delivery. Adapters translate it into a platform action;
 * they never decide it.
 */
import type { DecodeFailureReason, Envelope } from './envelope.ts';

export type BuryReason =
  | DecodeFailureReason
  | 'unknown-job'
  | 'invalid-payload'
  | 'permanent-error'
  | 'attempts-exhausted'
  /** The job's idempotency key is held by a different payload (src/idempotency). */
  | 'idempotency-conflict'
  /** The job's idempotency key holds a claim that expired unfinished, and the job has ifAbandoned: 'bury' (src/idempotency). */
  | 'idempotency-in-doubt'
  /** No idempotency key could be made: no dedupeKey where the job needs one, or its key function failed. */
  | 'idempotency-key-invalid'
  /** The envelope names a batch the job's batch store does not hold (past its retention, or never created). */
  | 'batch-unknown'
  /** An exclusive job's key function failed or returned no key (src/exclusive). */
  | 'exclusive-key-invalid';

export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
}

export type Outcome =
  /**
   * The handler succeeded: complete (delete / ack / 2xx). `duplicate`: the job had already
   * completed (idempotency), the handler was not run, `result` is the one it stored.
   */
  | { readonly type: 'completed'; readonly envelope: Envelope; readonly durationMs: number; readonly result: unknown; readonly duplicate?: boolean }
  /** A retryable failure: release, to be delivered again after `delayMs`. */
  | { readonly type: 'retry'; readonly envelope: Envelope; readonly delayMs: number; readonly error: ErrorInfo; readonly durationMs: number }
  /** Poison or exhausted: bury with the reason; never run again unless kicked. */
  | {
      readonly type: 'buried';
      readonly reason: BuryReason;
      readonly detail: string;
      /** Absent when the body could not be decoded. */
      readonly envelope: Envelope | undefined;
      readonly error: ErrorInfo | undefined;
    }
  /**
   * Not due yet (`notBefore` in the future: a delay longer than the transport carries).
   * Send the same body again with `delayMs` (clamped to the transport's maximum), then
   * complete this delivery. Attempts are not consumed.
   */
  | { readonly type: 'deferred'; readonly envelope: Envelope; readonly delayMs: number };

export type OutcomeType = Outcome['type'];
