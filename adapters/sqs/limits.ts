/**
 * SQS's limits, checked before anything is sent: a job the queue would refuse gets its own
 * clear error instead of failing the batch it travels in.
 */
import { utf8Length } from '../../src/json-guard.ts';

export const SQS_MAX_MESSAGE_BYTES = 1_048_576;
/** Total of one SendMessageBatch request (bodies + attributes). */
export const SQS_MAX_BATCH_BYTES = 1_048_576;
export const SQS_MAX_BATCH_ENTRIES = 10;
export const SQS_MAX_DELAY_SECONDS = 900;
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;
export const SQS_MAX_WAIT_SECONDS = 20;
export const SQS_MAX_ATTRIBUTES = 10;
/** MessageGroupId and MessageDeduplicationId. */
export const SQS_MAX_ID_LENGTH = 128;
/**
 * Bytes kept free under the queue's message size for the dead-letter attributes a bury adds
 * (reason, detail, source queue, attempt, time, message id), so every accepted job can be buried.
 */
export const DEAD_LETTER_RESERVE_BYTES = 8_192;
/** A dead-letter detail is cut to this many UTF-8 bytes. */
export const MAX_DETAIL_BYTES = 2_048;

/** Characters SQS accepts in bodies and attribute values (XML 1.0 characters). */
const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** MessageGroupId / MessageDeduplicationId: printable ASCII, no space. */
const ID_CHARS = /^[\x21-\x7E]+$/;
const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)(?!.*\.\.)(?!\.)[A-Za-z0-9_.-]{1,256}(?<!\.)$/i;

export function hasInvalidChars(text: string): boolean {
  return INVALID_CHAR.test(text);
}

/** Replaces characters SQS refuses with U+FFFD (for attribute values jobferry writes). */
export function cleanChars(text: string): string {
  return INVALID_CHAR.test(text) ? text.replace(new RegExp(INVALID_CHAR.source, 'gu'), '\uFFFD') : text;
}

/** Why `value` is not a valid MessageGroupId / MessageDeduplicationId, or undefined. */
export function idProblem(value: unknown, name: string): string | undefined {
  if (typeof value !== 'string' || value === '') return `${name} must be a non-empty string`;
  if (value.length > SQS_MAX_ID_LENGTH) return `${name} is ${value.length} characters, SQS takes at most ${SQS_MAX_ID_LENGTH}`;
  if (!ID_CHARS.test(value)) return `${name} may hold only printable ASCII without spaces (SQS MessageGroupId/MessageDeduplicationId rule)`;
  return undefined;
}

export function attributeNameProblem(name: string): string | undefined {
  return ATTRIBUTE_NAME.test(name) ? undefined : `message attribute name ${JSON.stringify(name)} is not valid (letters, digits, _ - .; no leading, trailing or double '.'; not aws./amazon.)`;
}

/** A message attribute as the SDK sends it. */
export interface AttributeValue {
  DataType: string;
  StringValue?: string | undefined;
  BinaryValue?: Uint8Array | undefined;
}

/** Size SQS counts for a message: body plus each attribute's name, type and value. */
export function messageBytes(body: string, attributes: Record<string, AttributeValue> | undefined): number {
  let bytes = utf8Length(body);
  if (attributes !== undefined) {
    for (const [name, value] of Object.entries(attributes)) bytes += attributeBytes(name, value);
  }
  return bytes;
}

export function attributeBytes(name: string, value: AttributeValue): number {
  const data = value.StringValue !== undefined ? utf8Length(value.StringValue) : (value.BinaryValue?.byteLength ?? 0);
  return utf8Length(name) + utf8Length(value.DataType) + data;
}

/** `text` cut to at most `maxBytes` UTF-8 bytes, never inside a character. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || utf8Length(text) <= maxBytes) return text;
  const marker = '...[truncated]';
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && utf8Length(text.slice(0, end)) + marker.length > maxBytes) end = Math.floor(end * 0.9);
  // Do not split a surrogate pair.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + marker;
}

/** Milliseconds -> whole seconds, rounded up (a delay is never shortened), within 0..max. */
export function toSeconds(ms: number, max: number): number {
  return Math.min(max, Math.max(0, Math.ceil(ms / 1000)));
}
