/**
 * The errors the emulator answers with: a gRPC status code and the message the real service
 * uses (where it is known; see README.md for the ones written by the emulator).
 */
import { JobferryError } from '../../../src/errors.ts';

/** gRPC status codes (google.rpc.Code). */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type CodeNumber = (typeof Code)[keyof typeof Code];

export const codeName: Record<number, string> = Object.fromEntries(Object.entries(Code).map(([k, v]) => [v, k]));

/** An API error: becomes a gRPC status (or a REST error body) at the edge. */
export class CloudTasksApiError extends JobferryError {
  override name = 'CloudTasksApiError';
  readonly code: CodeNumber;
  constructor(code: CodeNumber, message: string) {
    super(message, { adapter: 'cloud-tasks-emulator', retryable: code === Code.UNAVAILABLE });
    this.code = code;
  }
}

export const invalid = (message: string) => new CloudTasksApiError(Code.INVALID_ARGUMENT, message);
export const notFound = (message = 'Requested entity was not found.') => new CloudTasksApiError(Code.NOT_FOUND, message);
export const alreadyExists = (message: string) => new CloudTasksApiError(Code.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string) => new CloudTasksApiError(Code.FAILED_PRECONDITION, message);
export const unimplemented = (message: string) => new CloudTasksApiError(Code.UNIMPLEMENTED, message);

export const QUEUE_NOT_FOUND =
  'Queue does not exist. If you just created the queue, wait at least a minute for the queue to initialize.';
export const TASK_RECENTLY_DELETED =
  'The task no longer exists, though a task with this name existed recently. The task either successfully completed or was deleted.';
export const TASK_EXISTED_TOO_RECENTLY =
  'The task cannot be created because a task with this name existed too recently. For more information about task de-duplication see https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks/create#body.request_body.FIELDS.task.';

/** HTTP status of a REST error for a gRPC code (google.rpc.Code mapping). */
export function httpStatusOf(code: number): number {
  switch (code) {
    case Code.OK: return 200;
    case Code.CANCELLED: return 499;
    case Code.INVALID_ARGUMENT: case Code.FAILED_PRECONDITION: case Code.OUT_OF_RANGE: return 400;
    case Code.DEADLINE_EXCEEDED: return 504;
    case Code.NOT_FOUND: return 404;
    case Code.ALREADY_EXISTS: case Code.ABORTED: return 409;
    case Code.PERMISSION_DENIED: return 403;
    case Code.RESOURCE_EXHAUSTED: return 429;
    case Code.UNIMPLEMENTED: return 501;
    case Code.UNAVAILABLE: return 503;
    case Code.UNAUTHENTICATED: return 401;
    default: return 500;
  }
}

/** The gRPC code Cloud Tasks records for a worker's HTTP answer (in Attempt.response_status). */
export function codeOfHttpStatus(status: number): CodeNumber {
  if (status >= 200 && status < 300) return Code.OK;
  switch (status) {
    case 400: return Code.INVALID_ARGUMENT;
    case 401: return Code.UNAUTHENTICATED;
    case 403: return Code.PERMISSION_DENIED;
    case 404: return Code.NOT_FOUND;
    case 409: return Code.ABORTED;
    case 416: return Code.OUT_OF_RANGE;
    case 429: return Code.RESOURCE_EXHAUSTED;
    case 499: return Code.CANCELLED;
    case 501: return Code.UNIMPLEMENTED;
    case 503: return Code.UNAVAILABLE;
    case 504: return Code.DEADLINE_EXCEEDED;
    default:
      if (status >= 500) return Code.INTERNAL;
      if (status >= 400) return Code.FAILED_PRECONDITION;
      return Code.UNKNOWN;
  }
}
