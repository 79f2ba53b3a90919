/**
 * A failure of the idempotency store (unreachable, throttled, refused) or of its arguments.
 * Retryable unless the arguments are wrong: the pipeline then retries the job with its backoff,
 * and never runs the handler without a claim.
 */
import { JobferryError, type JobferryErrorOptions } from '../errors.ts';

export class IdempotencyError extends JobferryError {
  override name = 'IdempotencyError';
  /** The store's name: `memory`, `dynamodb`, ... */
  readonly store: string;
  /** The operation that failed: `claim`, `complete`, `release`. */
  readonly operation: string;
  constructor(store: string, operation: string, why: string, options: JobferryErrorOptions = {}) {
    super(`[${store}] idempotency ${operation} failed: ${why}`, { retryable: true, ...options });
    this.store = store;
    this.operation = operation;
  }
}
