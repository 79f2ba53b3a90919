/**
 * Google API errors -> TransportError, in one place. The gRPC status code becomes `code`
 * (`NOT_FOUND`, `ALREADY_EXISTS`, ...) and decides `retryable`.
 */
import { TransportError } from '../../src/errors.ts';

const CODES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;
export type GrpcCode = (typeof CODES)[number];

const RETRYABLE = new Set<GrpcCode>(['CANCELLED', 'UNKNOWN', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'ABORTED', 'INTERNAL', 'UNAVAILABLE']);

/** The gRPC status name of an error thrown by the SDK, or undefined for anything else. */
export function grpcCode(error: unknown): GrpcCode | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return CODES[code];
  if (typeof code === 'string' && (CODES as readonly string[]).includes(code)) return code as GrpcCode;
  return undefined;
}

export function toTransportError(error: unknown, op: string, queue: string, code?: string): TransportError {
  if (error instanceof TransportError) return error;
  const grpc = grpcCode(error);
  const details = (error as { details?: unknown } | null)?.details;
  const why = typeof details === 'string' && details !== '' ? details : error instanceof Error ? error.message : String(error);
  return new TransportError(`[cloud-tasks] ${op} failed: ${grpc ? `${grpc}: ` : ''}${why}`, {
    adapter: 'cloud-tasks',
    queue,
    code: code ?? grpc ?? 'UNKNOWN',
    retryable: grpc === undefined ? true : RETRYABLE.has(grpc),
    cause: error,
  });
}
