/**
 * A failure of a batch store (unreachable, throttled, refused) or of its arguments. Retryable
 * unless the arguments are wrong: the pipeline then retries the job with its backoff, so an
 * outcome is never left uncounted.
 */
import { JobferryError, type JobferryErrorOptions } from '../errors.ts';

export class BatchError extends JobferryError {
  override name = 'BatchError';
  /** The store's name: `memory`, `dynamodb`, ... (or `batch` for a producer-side failure). */
  readonly store: string;
  /** The operation that failed: `create`, `record`, `progress`, `cancel`, `finish`, ... */
  readonly operation: string;
  constructor(store: string, operation: string, why: string, options: JobferryErrorOptions = {}) {
    super(`[${store}] batch ${operation} failed: ${why}`, { retryable: true, ...options });
    this.store = store;
    this.operation = operation;
  }
}
