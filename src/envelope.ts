/**
 * The envelope: the versioned JSON body that travels on every transport.
 * Its JSON Schema is src/envelope.schema.json, for producers in other languages.
 *
 * Decoding never throws: every bad input becomes a classified failure.
 */
import { exceedsBytes, jsonDepthExceeds, MAX_JSON_DEPTH } from './json-guard.ts';

export interface Envelope<P = unknown> {
  v: 1;
  /** Unique per job; stable across retries and redeliveries. */
  id: string;
  /** Job definition name. */
  name: string;
  payload: P;
  /** ISO 8601 time the job was enqueued. */
  createdAt: string;
  /** ISO 8601 time before which the job must not run (delays beyond a transport's maximum). */
  notBefore?: string;
  dedupeKey?: string;
  groupKey?: string;
  /** W3C trace context of the producer. */
  traceparent?: string;
  /** Id of the batch the job belongs to (queue.batch; src/batch). */
  batch?: string;
}

/** Why a body is poison. Stable strings: they appear in logs and dead-letter attributes. */
export type DecodeFailureReason = 'body-too-large' | 'malformed-json' | 'too-deep' | 'not-an-envelope' | 'unsupported-version';

export type DecodeResult =
  | { ok: true; envelope: Envelope }
  | { ok: false; reason: DecodeFailureReason; detail: string };

export const ENVELOPE_VERSION = 1;
const MAX_ID_LENGTH = 256;
const MAX_NAME_LENGTH = 128;
const MAX_KEY_LENGTH = 1024;
const OPTIONAL_STRINGS = ['notBefore', 'dedupeKey', 'groupKey', 'traceparent', 'batch'] as const;

let decoder: InstanceType<typeof TextDecoder> | undefined;

/** Checks size and depth, parses, and checks the envelope's shape. */
export function decodeEnvelope(body: string | Uint8Array, maxBodyBytes: number): DecodeResult {
  let text: string;
  if (typeof body === 'string') {
    if (exceedsBytes(body, maxBodyBytes)) return tooLarge(maxBodyBytes);
    text = body;
  } else if (body instanceof Uint8Array) {
    if (body.byteLength > maxBodyBytes) return tooLarge(maxBodyBytes);
    decoder ??= new TextDecoder('utf-8', { fatal: true });
    try {
      text = decoder.decode(body);
    } catch {
      return { ok: false, reason: 'malformed-json', detail: 'body is not valid UTF-8' };
    }
  } else {
    return { ok: false, reason: 'not-an-envelope', detail: `body must be a string or bytes, got ${typeof body}` };
  }
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    return { ok: false, reason: 'too-deep', detail: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'malformed-json', detail: error instanceof Error ? error.message.slice(0, 200) : 'JSON.parse failed' };
  }
  return checkEnvelope(value);
}

/** Checks that a parsed value is an envelope (own properties only: no prototype lookups). */
export function checkEnvelope(value: unknown): DecodeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return notEnvelope('body is not a JSON object');
  }
  const o = value as Record<string, unknown>;
  if (!Object.hasOwn(o, 'v')) return notEnvelope('v: missing');
  if (o.v !== ENVELOPE_VERSION) {
    return { ok: false, reason: 'unsupported-version', detail: `v: expected ${ENVELOPE_VERSION}, got ${short(o.v)}` };
  }
  // The common case is decided without building a list of problems (per-job hot path).
  if (isWellFormed(o)) return { ok: true, envelope: o as unknown as Envelope };
  const problems: string[] = [];
  const requireString = (key: string, max: number) => {
    const field = Object.hasOwn(o, key) ? o[key] : undefined;
    if (typeof field !== 'string' || field.length === 0) problems.push(`${key}: must be a non-empty string`);
    else if (field.length > max) problems.push(`${key}: longer than ${max} characters`);
  };
  requireString('id', MAX_ID_LENGTH);
  requireString('name', MAX_NAME_LENGTH);
  requireString('createdAt', 64);
  if (!Object.hasOwn(o, 'payload')) problems.push('payload: missing');
  for (const key of OPTIONAL_STRINGS) {
    if (Object.hasOwn(o, key) && o[key] !== undefined && (typeof o[key] !== 'string' || (o[key] as string).length > MAX_KEY_LENGTH)) {
      problems.push(`${key}: must be a string of at most ${MAX_KEY_LENGTH} characters`);
    }
  }
  if (Object.hasOwn(o, 'notBefore') && typeof o.notBefore === 'string' && Number.isNaN(Date.parse(o.notBefore))) {
    problems.push('notBefore: must be an ISO 8601 time');
  }
  if (problems.length > 0) return notEnvelope(problems.join('; '));
  return { ok: true, envelope: o as unknown as Envelope };
}

/** True when `o` passes every check of checkEnvelope (after `v`); false sends it to the detailed checks. */
function isWellFormed(o: Record<string, unknown>): boolean {
  const { id, name, createdAt } = o;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || !Object.hasOwn(o, 'id')) return false;
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH || !Object.hasOwn(o, 'name')) return false;
  if (typeof createdAt !== 'string' || createdAt.length === 0 || createdAt.length > 64 || !Object.hasOwn(o, 'createdAt')) return false;
  if (!Object.hasOwn(o, 'payload')) return false;
  for (const key of OPTIONAL_STRINGS) {
    const field = o[key];
    if (field === undefined) continue;
    if (typeof field !== 'string' || field.length > MAX_KEY_LENGTH || !Object.hasOwn(o, key)) return false;
  }
  return o.notBefore === undefined || !Number.isNaN(Date.parse(o.notBefore as string));
}

/** Serialises an envelope. Throws a TypeError for values JSON cannot carry (BigInt, cycles). */
export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

export interface NewEnvelopeOptions {
  id?: string;
  now?: number;
  notBefore?: number;
  dedupeKey?: string;
  groupKey?: string;
  traceparent?: string;
  batch?: string;
}

export function createEnvelope<P>(name: string, payload: P, options: NewEnvelopeOptions = {}): Envelope<P> {
  const envelope: Envelope<P> = {
    v: ENVELOPE_VERSION,
    id: options.id ?? crypto.randomUUID(),
    name,
    payload,
    createdAt: isoTime(options.now ?? Date.now()),
  };
  if (options.notBefore !== undefined) envelope.notBefore = new Date(options.notBefore).toISOString();
  if (options.dedupeKey !== undefined) envelope.dedupeKey = options.dedupeKey;
  if (options.groupKey !== undefined) envelope.groupKey = options.groupKey;
  if (options.traceparent !== undefined) envelope.traceparent = options.traceparent;
  if (options.batch !== undefined) envelope.batch = options.batch;
  return envelope;
}

// Jobs enqueued in a burst share their millisecond: format it once, not once per job.
let lastIsoMs = Number.NaN;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIso = new Date(ms).toISOString();
    lastIsoMs = ms;
  }
  return lastIso;
}

function tooLarge(maxBodyBytes: number): DecodeResult {
  return { ok: false, reason: 'body-too-large', detail: `body is larger than ${maxBodyBytes} bytes` };
}

function notEnvelope(detail: string): DecodeResult {
  return { ok: false, reason: 'not-an-envelope', detail };
}

function short(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? typeof value).slice(0, 40);
  } catch {
    return typeof value;
  }
}
