/**
 * A handler's result on its way into the store (JSON text, bounded) and back out (parsed,
 * guarded): a duplicate delivery's outcome carries the result the first run returned.
 */
import { describeError } from '../errors.ts';
import { exceedsBytes, jsonDepthExceeds, MAX_JSON_DEPTH, valueDepthExceeds } from '../json-guard.ts';

/** Results larger than this (UTF-8 of their JSON) are not kept: the record then holds no result. */
export const MAX_RESULT_BYTES = 64 * 1024;

/** `text` to store (undefined: nothing to keep), or `why` it cannot be kept. Never throws. */
export function serializeResult(value: unknown): { text: string | undefined; why?: string } {
  if (value === undefined) return { text: undefined };
  // Before JSON.stringify, which would overflow the stack on a deeply nested value.
  if (valueDepthExceeds(value, MAX_JSON_DEPTH)) return { text: undefined, why: `the result is nested deeper than ${MAX_JSON_DEPTH} levels` };
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    const { name, message } = describeError(error);
    return { text: undefined, why: `the result is not JSON (${name}: ${message.slice(0, 200)})` };
  }
  if (text === undefined) return { text: undefined, why: `a ${typeof value} result is not JSON` };
  if (exceedsBytes(text, MAX_RESULT_BYTES)) return { text: undefined, why: `the result's JSON is larger than ${MAX_RESULT_BYTES} bytes` };
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return { text: undefined, why: `the result is nested deeper than ${MAX_JSON_DEPTH} levels` };
  return { text };
}

/** The stored result, parsed; `why` when the text is not what serializeResult writes. Never throws. */
export function parseResult(text: string | undefined): { value: unknown; why?: string } {
  if (text === undefined) return { value: undefined };
  if (typeof text !== 'string') return { value: undefined, why: `the store returned a ${typeof text} result, not JSON text` };
  if (exceedsBytes(text, MAX_RESULT_BYTES * 2) || jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    return { value: undefined, why: 'the stored result is larger or deeper than jobferry writes' };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { value: undefined, why: `the stored result is not JSON (${describeError(error).message.slice(0, 200)})` };
  }
}
