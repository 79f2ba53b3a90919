/**
 * Canonical JSON and SHA-256, for idempotency keys and payload fingerprints.
 *
 * The canonical form follows RFC 8785 (JCS): object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings as JSON.stringify writes them. So `{"a":1,"b":2}` and
 * `{"b":2,"a":1}` hash alike, while every distinct key stays distinct: `__proto__` is read as
 * the own field it is in parsed JSON (never the prototype), and `Id` and `id` are two keys.
 *
 * node:crypto is imported on first use: a worker whose jobs use no idempotency never loads it.
 */
import { MAX_JSON_DEPTH } from '../json-guard.ts';

/** The canonical JSON text of a JSON value. Throws a TypeError for values JSON cannot carry. */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, 0, []);
  return parts.join('');
}

function write(value: unknown, out: string[], depth: number, path: object[]): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'number':
      // As JSON.stringify: -0 is 0, NaN and Infinity are null.
      out.push(Number.isFinite(value) ? JSON.stringify(value) : 'null');
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON: a ${typeof value} is not a JSON value`);
  }
  if (value === null) {
    out.push('null');
    return;
  }
  // Payloads come from bodies that passed the depth guard; this bound only stops a caller's value.
  if (depth >= MAX_JSON_DEPTH * 4) throw new TypeError(`canonical JSON: nested deeper than ${MAX_JSON_DEPTH * 4} levels`);
  if (path.includes(value)) throw new TypeError('canonical JSON: the value contains a cycle');
  path.push(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      const item: unknown = value[i];
      // As JSON.stringify: holes and undefined in arrays are null.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') out.push('null');
      else write(item, out, depth + 1, path);
    }
    out.push(']');
  } else {
    const keys = Object.keys(value).sort();
    out.push('{');
    let first = true;
    for (const key of keys) {
      // The own property, by descriptor: a `__proto__` field is data, not the prototype.
      const field: unknown = Object.getOwnPropertyDescriptor(value, key)?.value;
      if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(key), ':');
      write(field, out, depth + 1, path);
    }
    out.push('}');
  }
  path.pop();
}

type Hash = (text: string) => string;
let hashing: Promise<Hash> | undefined;

/** SHA-256 of the UTF-8 text, as 64 lowercase hex digits. */
export async function sha256Hex(text: string): Promise<string> {
  hashing ??= import('node:crypto').then(({ createHash }) => (t: string) => createHash('sha256').update(t, 'utf8').digest('hex'));
  return (await hashing)(text);
}

/** SHA-256 (hex) of the canonical JSON of `value`: a payload's fingerprint. */
export async function fingerprintOf(value: unknown): Promise<string> {
  return sha256Hex(canonicalJson(value));
}
