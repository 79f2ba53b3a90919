/** List paging: an opaque token that names the last item returned, so pages stay stable. */
import { invalid } from './errors.ts';

export interface Page<T> {
  readonly items: T[];
  /** Empty when there are no more items. */
  readonly nextPageToken: string;
}

/**
 * `items` must be sorted by `key`. `pageSize` 0 or unset means the maximum; a token from
 * another listing (other parent) is refused like a malformed one.
 */
export function page<T>(
  items: readonly T[],
  key: (item: T) => string,
  request: { pageSize?: number | undefined; pageToken?: string | undefined; scope: string; maxPageSize: number },
): Page<T> {
  const size = request.pageSize ?? 0;
  if (!Number.isInteger(size) || size < 0) throw invalid(`page_size must be a non-negative integer, got ${String(size)}.`);
  const limit = size === 0 ? request.maxPageSize : Math.min(size, request.maxPageSize);
  let start = 0;
  if (request.pageToken) {
    const after = decodeToken(request.pageToken, request.scope);
    start = items.findIndex((item) => key(item) > after);
    if (start === -1) start = items.length;
  }
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  const last = slice.at(-1);
  return { items: slice, nextPageToken: more && last !== undefined ? encodeToken(key(last), request.scope) : '' };
}

function encodeToken(after: string, scope: string): string {
  return Buffer.from(JSON.stringify({ s: scope, a: after })).toString('base64url');
}

function decodeToken(token: string, scope: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; a?: unknown };
    if (parsed.s === scope && typeof parsed.a === 'string') return parsed.a;
  } catch {
    // fall through to the error below
  }
  throw invalid('Invalid page_token.');
}
