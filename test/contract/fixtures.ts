/**
 * Job fixtures for the contract suite: real envelopes (any transport may look inside), told
 * apart by a tag in the payload. Tests compare bodies and tags, never transport ids.
 */
import { randomUUID } from 'node:crypto';
import { createEnvelope, encodeEnvelope } from '../../src/envelope.ts';
import type { BuriedJob, OutgoingJob, ReservedJob } from '../../src/service.ts';

/** Characters a transport could mangle: accents, CJK, an astral emoji, quotes, a backslash. */
export const AWKWARD_TEXT = 'héllo wörld ✓ 日本語 🚀 "quoted" \\ back\tslash';

/**
 * An outgoing job whose body is an encoded envelope carrying `{ tag, text }`.
 *
 * @example
 * ```ts
 * await service.enqueue([makeOutgoing('a'), makeOutgoing('b', { delayMs: 1000 })]);
 * ```
 */
export function makeOutgoing(tag: string, overrides: Partial<OutgoingJob> = {}): OutgoingJob {
  const id = overrides.id ?? randomUUID();
  const body = encodeEnvelope(createEnvelope('contract.echo', { tag, text: AWKWARD_TEXT }, { id, dedupeKey: overrides.dedupeKey, groupKey: overrides.groupKey }));
  return { id, name: 'contract.echo', body, delayMs: 0, ...overrides };
}

/** A body as text, whichever form the transport returns. */
export function bodyText(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : new TextDecoder().decode(body);
}

/** The tag of a job made by makeOutgoing, or `?` for a foreign body. */
export function tagOf(job: Pick<ReservedJob, 'body'> | Pick<BuriedJob, 'body'>): string {
  try {
    const tag = (JSON.parse(bodyText(job.body)) as { payload?: { tag?: unknown } }).payload?.tag;
    return typeof tag === 'string' ? tag : '?';
  } catch {
    return '?';
  }
}

export function tagsOf(jobs: ReadonlyArray<Pick<ReservedJob, 'body'>>): string[] {
  return jobs.map(tagOf);
}
