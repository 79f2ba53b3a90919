/**
 * Guards that run on untrusted bodies BEFORE JSON.parse: size and nesting depth. A body that
 * passes them can be parsed, validated, logged and re-serialised without a RangeError.
 */

/** Nesting bound for envelopes (the payload gets this minus one). Real payloads stay far below. */
export const MAX_JSON_DEPTH = 64;

let encoder: InstanceType<typeof TextEncoder> | undefined;

/** UTF-8 length of a string, computed only when the cheap bounds cannot decide. */
export function utf8Length(text: string): number {
  if (typeof Buffer !== 'undefined') return Buffer.byteLength(text, 'utf8');
  encoder ??= new TextEncoder();
  return encoder.encode(text).byteLength;
}

/** True when the UTF-8 encoding of `text` is larger than `maxBytes`. */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  // Each UTF-16 unit takes 1 to 3 UTF-8 bytes: most bodies are decided without encoding.
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return utf8Length(text) > maxBytes;
}

/**
 * Maximum nesting depth of a JSON text, or `limit + 1` as soon as it is exceeded.
 * Counting openers with indexOf first keeps the common case (a few braces) cheap;
 * only bodies with more openers than the limit get the exact, string-aware scan.
 */
export function jsonDepthExceeds(text: string, limit: number = MAX_JSON_DEPTH): boolean {
  let openers = 0;
  for (let i = text.indexOf('{'); i !== -1 && openers <= limit; i = text.indexOf('{', i + 1)) openers++;
  for (let i = text.indexOf('['); i !== -1 && openers <= limit; i = text.indexOf('[', i + 1)) openers++;
  if (openers <= limit) return false;
  return scanDepth(text, limit) > limit;
}

function scanDepth(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return depth;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return depth;
}

/** Depth of an already-built value, iteratively (no recursion, so no RangeError). */
export function valueDepthExceeds(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: Array<[unknown, number]> = [[value, 1]];
  const seen = new Set<unknown>();
  let visited = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    // A bounded walk: a value with more nodes than this is judged by its serialised form.
    if (++visited > 100_000) return false;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}
