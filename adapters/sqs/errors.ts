/**
 * The one place where SQS errors are classified: the normalised code (error-code.ts) gives a
 * kind, the kind gives a TransportError's `retryable` (throttling, 5xx, network: yes; access
 * denied, missing queue, invalid input: no).
 */
import { TransportError } from '../../src/errors.ts';
import { sqsErrorCode } from './error-code.ts';

export { sqsErrorCode };

const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'RequestThrottled', 'KmsThrottled', 'OverLimit', 'TooManyRequestsException', 'SlowDown']);
const SERVER = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'KmsUnavailable']);
const NETWORK = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'NetworkingError', 'socket hang up']);

export type SqsErrorKind = 'throttled' | 'server' | 'network' | 'access-denied' | 'missing-queue' | 'invalid-input' | 'unknown';

export function sqsErrorKind(error: unknown, code = sqsErrorCode(error)): SqsErrorKind {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { $fault?: unknown; $metadata?: { httpStatusCode?: unknown }; $retryable?: { throttling?: unknown } };
  if (THROTTLED.has(code) || e.$retryable?.throttling === true) return 'throttled';
  if (code === 'QueueDoesNotExist') return 'missing-queue';
  if (/AccessDenied|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|InvalidSecurity|ExpiredToken|MissingAuthenticationToken|InvalidAccessKeyId|CredentialsProviderError/.test(code)) return 'access-denied';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  if (SERVER.has(code) || e.$fault === 'server' || (status !== undefined && status >= 500)) return 'server';
  if (NETWORK.has(code) || (status === undefined && e.$fault === undefined && code !== 'AbortError' && isNodeSystemError(error))) return 'network';
  if (status !== undefined && status >= 400 && status < 500) return 'invalid-input';
  if (code === 'AbortError') return 'network';
  return 'unknown';
}

function isNodeSystemError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

const RETRYABLE: Record<SqsErrorKind, boolean> = {
  throttled: true,
  server: true,
  network: true,
  'access-denied': false,
  'missing-queue': false,
  'invalid-input': false,
  // Not an HTTP answer, not a known network code: a bug or a misuse, which a retry repeats.
  unknown: false,
};

/**
 * A TransportError for a failed SQS call: `[sqs] <what> failed: <code>: <message>`, with the
 * normalised code, the kind's retryability and the original error as `cause`.
 */
export function toTransportError(error: unknown, what: string, queue: string | undefined): TransportError {
  if (error instanceof TransportError) return error;
  const code = sqsErrorCode(error);
  const kind = sqsErrorKind(error, code);
  const message = error instanceof Error ? error.message : String(error);
  return new TransportError(`[sqs] ${what} failed: ${code}: ${message}`, { adapter: 'sqs', queue, code, retryable: RETRYABLE[kind], cause: error });
}

/** A TransportError jobferry raises itself (a limit, a bad argument). Never retryable. */
export function sqsError(what: string, why: string, code: string, queue: string | undefined): TransportError {
  return new TransportError(`[sqs] ${what} failed: ${why}`, { adapter: 'sqs', queue, code, retryable: false });
}

/** A per-entry failure of a batch call (`{ Code, Message, SenderFault }`). */
export function batchEntryError(entry: { Code?: string; Message?: string; SenderFault?: boolean }, what: string, queue: string | undefined): TransportError {
  const fake = { name: entry.Code ?? 'Unknown', message: entry.Message ?? 'no message', $fault: entry.SenderFault === false ? 'server' : 'client', $metadata: { httpStatusCode: entry.SenderFault === false ? 500 : 400 } };
  return toTransportError(Object.assign(new Error(fake.message), fake), what, queue);
}

/** The same failure, told as the failure of `op` (a batched call serves several operations). */
export function forOperation(error: unknown, op: string, queue: string | undefined): TransportError {
  const e = toTransportError(error, op, queue);
  if (e.message.startsWith(`[sqs] ${op} failed:`)) return e;
  return new TransportError(`[sqs] ${op} failed: ${e.message.replace(/^\[sqs\] /, '')}`, { adapter: 'sqs', queue, code: e.code, retryable: e.retryable, cause: e });
}
