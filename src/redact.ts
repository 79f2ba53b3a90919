/**
 * Makes any value safe to log or to store as a dead-letter detail: bounded depth and size,
 * no cycles, no prototype tricks, errors as {name, message}, and secret fields redacted.
 * Iterative where it matters and bounded everywhere, so it never throws a RangeError.
 */

const SECRET_PARTS = [
  'password', 'passwd', 'secret', 'token', 'authorization', 'apikey', 'cookie', 'cardnumber',
  'creditcard', 'cvv', 'cvc', 'privatekey', 'sessionid', 'credential', 'signature',
];

export const REDACTED = '[redacted]';
const MAX_DEPTH = 8;
const MAX_KEYS = 100;
const MAX_STRING = 4096;

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_\s.]/g, '');
}

/** True for key names that hold secrets: built-in list (by substring) plus `extra` (exact, case-insensitive). */
export function isSecretKey(key: string, extra: readonly string[] = []): boolean {
  const k = normalise(key);
  for (const part of SECRET_PARTS) if (k.includes(part)) return true;
  for (const e of extra) if (normalise(e) === k) return true;
  return false;
}

/** A plain, bounded, redacted copy of `value`. */
export function sanitize(value: unknown, extraSecretKeys: readonly string[], depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}...[${value.length - MAX_STRING} more]` : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'symbol':
    case 'function':
      return `[${typeof value}]`;
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH) return '[too deep]';
  const object = value as object;
  if (value instanceof Error) {
    return { name: safeString(value.name), message: sanitize(safeString(value.message), extraSecretKeys, depth + 1) };
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    const n = Math.min(value.length, MAX_KEYS);
    for (let i = 0; i < n; i++) out.push(sanitize(value[i], extraSecretKeys, depth + 1));
    if (value.length > MAX_KEYS) out.push(`...[${value.length - MAX_KEYS} more]`);
    return out;
  }
  // defineProperty, not assignment: a `__proto__` key stays an ordinary own field.
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const key of Object.keys(object)) {
    if (count++ >= MAX_KEYS) {
      define(out, '...', `[${Object.keys(object).length - MAX_KEYS} more keys]`);
      break;
    }
    let field: unknown;
    try {
      field = (object as Record<string, unknown>)[key];
    } catch {
      field = '[unreadable]';
    }
    define(out, key, isSecretKey(key, extraSecretKeys) ? REDACTED : sanitize(field, extraSecretKeys, depth + 1));
  }
  return out;
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}
