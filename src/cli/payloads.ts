/**
 * Payloads given on the command line: inline JSON, or `@file` (a .json value or array, or
 * .ndjson / .jsonl lines). Bad JSON is refused with where it is (exit 3).
 */
import { readFile } from 'node:fs/promises';
import { CliError, EXIT } from './args.ts';

/**
 * `inline` says what inline JSON is: `'one'` payload (enqueue) or an `'array'` of them (batch).
 * A file always gives a list: an array as it is, one value as a list of one.
 */
export async function readPayloads(arg: string, inline: 'one' | 'array'): Promise<unknown[]> {
  if (!arg.startsWith('@')) {
    if (inline === 'one') return [parseJson(arg, 'payload')];
    const value = parseJson(arg, 'payloads');
    if (!Array.isArray(value)) throw new CliError('payloads: give a JSON array, or @file (.json array or .ndjson lines)', EXIT.refused);
    return value;
  }
  const file = arg.slice(1);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (/\.(ndjson|jsonl)$/i.test(file)) {
    return text.split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [parseJson(line, `${file}:${i + 1}`)]));
  }
  const value = parseJson(text, file);
  return Array.isArray(value) ? value : [value];
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`, EXIT.refused);
  }
}
