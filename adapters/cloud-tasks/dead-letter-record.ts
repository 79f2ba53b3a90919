/**
 * How a buried job is kept in the dead-letter queue, and read back.
 *
 * Push mode (HTTP tasks): the task's body is the job's body, unchanged, and the bury facts
 * travel in headers, readable in the console and sent along if the queue is ever resumed:
 *
 *   X-Jobferry-Buried-Reason: attempts-exhausted
 *   X-Jobferry-Buried-Detail: failed%205%20of%205%20attempts%3B%20...   (percent-encoded)
 *   X-Jobferry-Buried-Attempt: 5
 *   X-Jobferry-Buried-At: 2030-01-01T00:00:00.000Z
 *   X-Jobferry-Source-Queue: projects/p/locations/l/queues/emails
 *
 * Pull mode (pull tasks have no headers): the payload is one line of JSON with the same facts,
 * a newline, then the job's body, unchanged.
 */
import { sanitize } from '../../src/redact.ts';
import type { BuriedJob, BuryInfo } from '../../src/service.ts';

export const HEADERS = {
  reason: 'X-Jobferry-Buried-Reason',
  detail: 'X-Jobferry-Buried-Detail',
  attempt: 'X-Jobferry-Buried-Attempt',
  at: 'X-Jobferry-Buried-At',
  source: 'X-Jobferry-Source-Queue',
} as const;

const PULL_PREFIX = 'jobferry-buried ';
const MAX_DETAIL_CHARS = 2000;
const MAX_REASON_CHARS = 100;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface BuryFacts {
  readonly reason: string;
  readonly detail: string;
  readonly attempt: number;
  readonly buriedAt: number;
  /** Full queue name the job came from. */
  readonly source: string;
}

/** Reason and detail as stored: bounded, and passed through the redactor like every logged value. */
export function buryFacts(info: BuryInfo, source: string, buriedAt: number): BuryFacts {
  const reason = String(sanitize(String(info.reason), [])).slice(0, MAX_REASON_CHARS);
  let detail = String(sanitize(String(info.detail ?? ''), []));
  if (detail.length > MAX_DETAIL_CHARS) detail = `${detail.slice(0, MAX_DETAIL_CHARS)}...[${detail.length - MAX_DETAIL_CHARS} more]`;
  const attempt = Number.isSafeInteger(info.attempt) && info.attempt >= 0 ? info.attempt : 0;
  return { reason, detail, attempt, buriedAt, source };
}

export function factsToHeaders(facts: BuryFacts): Record<string, string> {
  return {
    [HEADERS.reason]: encodeURIComponent(facts.reason),
    [HEADERS.detail]: encodeURIComponent(facts.detail),
    [HEADERS.attempt]: String(facts.attempt),
    [HEADERS.at]: new Date(facts.buriedAt).toISOString(),
    [HEADERS.source]: facts.source,
  };
}

export function pullPayload(facts: BuryFacts, body: Uint8Array): Uint8Array {
  const head = encoder.encode(`${PULL_PREFIX}${JSON.stringify(facts)}\n`);
  const out = new Uint8Array(head.byteLength + body.byteLength);
  out.set(head, 0);
  out.set(body, head.byteLength);
  return out;
}

export interface StoredRecord {
  readonly facts: BuryFacts;
  readonly body: Uint8Array;
}

/** Reads a dead-letter HTTP task's headers; undefined when the task was not buried by jobferry. */
export function factsFromHeaders(headers: Readonly<Record<string, string>> | null | undefined): BuryFacts | undefined {
  if (!headers) return undefined;
  const get = (name: string) => {
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name.toLowerCase()) return v;
    return undefined;
  };
  const reason = get(HEADERS.reason);
  const source = get(HEADERS.source);
  if (reason === undefined || source === undefined) return undefined;
  return {
    reason: safeDecode(reason),
    detail: safeDecode(get(HEADERS.detail) ?? ''),
    attempt: Number(get(HEADERS.attempt) ?? 0) || 0,
    buriedAt: Date.parse(get(HEADERS.at) ?? '') || 0,
    source,
  };
}

/** Reads a dead-letter pull task's payload; undefined when it was not buried by jobferry. */
export function recordFromPullPayload(payload: Uint8Array): StoredRecord | undefined {
  const newline = payload.indexOf(10);
  if (newline === -1) return undefined;
  const head = decoder.decode(payload.subarray(0, newline));
  if (!head.startsWith(PULL_PREFIX)) return undefined;
  try {
    const parsed = JSON.parse(head.slice(PULL_PREFIX.length)) as Partial<BuryFacts>;
    if (typeof parsed.reason !== 'string' || typeof parsed.source !== 'string') return undefined;
    const facts: BuryFacts = {
      reason: parsed.reason,
      detail: typeof parsed.detail === 'string' ? parsed.detail : '',
      attempt: typeof parsed.attempt === 'number' ? parsed.attempt : 0,
      buriedAt: typeof parsed.buriedAt === 'number' ? parsed.buriedAt : 0,
      source: parsed.source,
    };
    return { facts, body: payload.subarray(newline + 1) };
  } catch {
    return undefined;
  }
}

export function toBuriedJob(taskId: string, record: StoredRecord): BuriedJob {
  const source = record.facts.source;
  return {
    transportId: taskId,
    body: decoder.decode(record.body),
    reason: record.facts.reason,
    detail: record.facts.detail,
    attempt: record.facts.attempt,
    buriedAt: record.facts.buriedAt,
    // The queue id, as JobService.queue names it; the full name is in the stored facts.
    sourceQueue: source.slice(source.lastIndexOf('/') + 1),
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
