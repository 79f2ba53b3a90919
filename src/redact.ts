/**
 * Makes any value safe to log or to store as a dead-letter detail: bounded depth and size,
 * no cycles, no prototype tricks, errors as {name, message}, and secret fields redacted.
 * Bounded everywhere (depth, keys per object, values and characters per call), so it never
 * throws a RangeError and never runs long, whatever a handler puts in a log record.
 */

const SECRET_PARTS = [
  'password', 'passwd', 'secret', 'token', 'authorization', 'apikey', 'cookie', 'cardnumber',
  'creditcard', 'cvv', 'cvc', 'privatekey', 'sessionid', 'credential', 'signature',
];

export const REDACTED = '[redacted]';
const MAX_DEPTH = 8;
const MAX_KEYS = 100;
const MAX_STRING = 4096;
/** Fields and elements copied per call: a wide shared or self-referencing structure cannot blow up the walk. */
const MAX_VALUES = 10_000;
const TRUNCATED = '[truncated: too many values]';
/** String characters copied per call: keeps one log line in the hundreds of kilobytes at most. */
const MAX_CHARS = 256 * 1024;

interface Walk {
  values: number;
  chars: number;
  /** Objects on the path from the root to the current value (at most MAX_DEPTH): cycle check. */
  readonly path: object[];
}

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
  return copy(value, extraSecretKeys, depth, { values: 0, chars: 0, path: [] });
}

function copy(value: unknown, extraSecretKeys: readonly string[], depth: number, walk: Walk): unknown {
  switch (typeof value) {
    case 'string': {
      const room = Math.min(MAX_STRING, MAX_CHARS - walk.chars);
      if (value.length <= room) {
        walk.chars += value.length;
        return value;
      }
      const kept = Math.max(0, room);
      walk.chars += kept;
      return `${value.slice(0, kept)}...[${value.length - kept} more]`;
    }
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
  if (walk.path.includes(object)) return '[cycle]';
  walk.path.push(object);
  try {
    return copyObject(object, extraSecretKeys, depth, walk);
  } catch {
    // A proxy trap or an exotic object: say so rather than fail the log line.
    return '[unreadable]';
  } finally {
    walk.path.pop();
  }
}

function copyObject(object: object, extraSecretKeys: readonly string[], depth: number, walk: Walk): unknown {
  if (object instanceof Error) {
    return { name: safeString(object.name), message: copy(safeString(object.message), extraSecretKeys, depth + 1, walk) };
  }
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (ArrayBuffer.isView(object)) return `[${object.byteLength} bytes]`;
  if (Array.isArray(object)) {
    const out: unknown[] = [];
    const n = Math.min(object.length, MAX_KEYS);
    for (let i = 0; i < n; i++) {
      if (++walk.values > MAX_VALUES) {
        out.push(TRUNCATED);
        return out;
      }
      out.push(copy(object[i], extraSecretKeys, depth + 1, walk));
    }
    if (object.length > MAX_KEYS) out.push(`...[${object.length - MAX_KEYS} more]`);
    return out;
  }
  // defineProperty, not assignment: a `__proto__` key stays an ordinary own field.
  const out: Record<string, unknown> = {};
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    if (i >= MAX_KEYS) {
      define(out, '...', `[${keys.length - MAX_KEYS} more keys]`);
      break;
    }
    if (++walk.values > MAX_VALUES) {
      define(out, '...', TRUNCATED);
      break;
    }
    const key = keys[i]!;
    let field: unknown;
    try {
      field = (object as Record<string, unknown>)[key];
    } catch {
      field = '[unreadable]';
    }
    define(out, key, isSecretKey(key, extraSecretKeys) ? REDACTED : copy(field, extraSecretKeys, depth + 1, walk));
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
