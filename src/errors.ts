/**
 * jobferry's errors: one base class, a few subclasses, context in readonly typed fields.
 * Message form: `[adapter] what failed: why`.
 */
export interface JobferryErrorOptions {
  cause?: unknown;
  adapter?: string;
  queue?: string;
  jobId?: string;
  retryable?: boolean;
}

export class JobferryError extends Error {
  override name = 'JobferryError';
  readonly adapter: string | undefined;
  readonly queue: string | undefined;
  readonly jobId: string | undefined;
  /** Whether trying the same operation again may succeed. */
  readonly retryable: boolean;

  constructor(message: string, options: JobferryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.adapter = options.adapter;
    this.queue = options.queue;
    this.jobId = options.jobId;
    this.retryable = options.retryable ?? false;
  }
}

/** An invalid configuration: the message names every wrong option. */
export class ConfigError extends JobferryError {
  override name = 'ConfigError';
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options: JobferryErrorOptions = {}) {
    super(`[config] invalid configuration: ${issues.join('; ')}`, options);
    this.issues = issues;
  }
}

/** A payload or envelope that does not match its schema. Never retryable. */
export class ValidationError extends JobferryError {
  override name = 'ValidationError';
  /** One readable line: `path.to.field: message; other: message`. */
  readonly issues: string;
  constructor(message: string, issues: string, options: JobferryErrorOptions = {}) {
    super(message, { ...options, retryable: false });
    this.issues = issues;
  }
}

/**
 * Thrown by a handler for a job that can never succeed: the job is buried at once,
 * never retried (the shortcut for deep code).
 */
export class PermanentError extends JobferryError {
  override name = 'PermanentError';
  constructor(message: string, options: Omit<JobferryErrorOptions, 'retryable'> = {}) {
    super(message, { ...options, retryable: false });
  }
}

/**
 * Thrown by a handler to ask for a retry after a given delay (rate limits, `Retry-After`),
 * instead of the job's backoff.
 */
export class RetryLaterError extends JobferryError {
  override name = 'RetryLaterError';
  readonly delayMs: number;
  constructor(message: string, delayMs: number, options: Omit<JobferryErrorOptions, 'retryable'> = {}) {
    super(message, { ...options, retryable: true });
    this.delayMs = delayMs;
  }
}

/** The handler ran past its `timeoutMs`; its late result is discarded. */
export class TimeoutError extends JobferryError {
  override name = 'TimeoutError';
  constructor(message: string, options: JobferryErrorOptions = {}) {
    super(message, { ...options, retryable: true });
  }
}

/**
 * The failure a timed-out handler leaves: such a handler may still be running (it may ignore its
 * signal), so the pattern steps keep their claim or lease rather than let another run beside it.
 */
export function timedOut(error: { readonly name: string } | undefined): boolean {
  return error?.name === 'TimeoutError';
}

/** An adapter lacks an ability (touch, kick, priority, group key, ...). */
export class UnsupportedError extends JobferryError {
  override name = 'UnsupportedError';
  readonly ability: string;
  constructor(adapter: string, ability: string, why?: string) {
    super(`[${adapter}] ${ability} is not supported${why ? `: ${why}` : ''}`, { adapter, retryable: false });
    this.ability = ability;
  }
}

/** A transport operation failed (network, throttling, permissions, missing queue). */
export class TransportError extends JobferryError {
  override name = 'TransportError';
  /** The transport's own error code, normalised (e.g. `QueueDoesNotExist`, `ThrottlingException`). */
  readonly code: string | undefined;
  constructor(message: string, options: JobferryErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code;
  }
}

function readString(read: () => unknown, fallback: string): string {
  try {
    return String(read());
  } catch {
    return fallback;
  }
}

/** `{ name, message }` of anything thrown, for logs and outcomes. Never throws. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) {
    // Getters may throw (a hostile or broken error object): each field falls back on its own.
    return { name: readString(() => error.name, 'Error') || 'Error', message: readString(() => error.message, 'unprintable error') };
  }
  try {
    return { name: 'NonError', message: typeof error === 'string' ? error : String(error) };
  } catch {
    return { name: 'NonError', message: 'unprintable thrown value' };
  }
}
