/**
 * The modern SQS error code of anything the SDK threw. Emulators (fauxqs) prefix some names with
 * `AWS.SimpleQueueService.` where AWS does not, and the query-compatible SDK puts the legacy code
 * (`NonExistentQueue`) in `Code`: both are undone here, the one place that reads error names.
 */
const PREFIX = 'AWS.SimpleQueueService.';

/** Legacy query-protocol codes -> the names the JSON protocol and the docs use. */
const LEGACY: Record<string, string> = { NonExistentQueue: 'QueueDoesNotExist', QueueAlreadyExists: 'QueueNameExists' };

export function sqsErrorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'Unknown';
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  // `name` holds the modeled name, or the prefixed code (fauxqs); `Code` the legacy query code.
  let code = [e.name, e.Code, e.code].find((v): v is string => typeof v === 'string' && v !== '' && v !== 'Error') ?? 'Unknown';
  if (code.startsWith(PREFIX)) code = code.slice(PREFIX.length);
  if (code.includes('#')) code = code.slice(code.lastIndexOf('#') + 1);
  return LEGACY[code] ?? code;
}
