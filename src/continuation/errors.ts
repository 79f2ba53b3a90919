/**
 * A failure of a chain store (unreachable, throttled, refused) or of its arguments. Retryable
 * unless the arguments are wrong: the pipeline retries the link, from the last checkpoint.
 */
import { JobferryError, type JobferryErrorOptions } from '../errors.ts';

export class ContinuationError extends JobferryError {
  override name = 'ContinuationError';
  readonly store: string;
  readonly operation: string;
  constructor(store: string, operation: string, why: string, options: JobferryErrorOptions = {}) {
    super(`[${store}] continuation ${operation} failed: ${why}`, { retryable: true, ...options });
    this.store = store;
    this.operation = operation;
  }
}
