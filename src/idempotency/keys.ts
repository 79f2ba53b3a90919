/**
 * A delivery's idempotency key and payload fingerprint.
 *
 * Store keys are `<job name>#<source>:<SHA-256 hex>`, source `p` (payload), `d` (dedupeKey),
 * `i` (envelope id) or `k` (key function): fixed length, the same job name never collides with another job's keys,
 * and no payload data (an e-mail address, an order number) is written to the store in clear.
 */
import type { Envelope } from '../envelope.ts';
import { describeError } from '../errors.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';
import type { IdempotencySettings } from './options.ts';

export type KeyResult = { readonly ok: true; readonly key: string; readonly fingerprint: string } | { readonly ok: false; readonly detail: string };

/** Never rejects: a key that cannot be made is a `{ ok: false }` with the reason. */
export async function idempotencyKeyOf(settings: IdempotencySettings, jobName: string, envelope: Envelope, payload: unknown): Promise<KeyResult> {
  let canonical: string;
  try {
    // The payload as it travelled (not the schema's output, which may drop or transform fields).
    canonical = canonicalJson(envelope.payload);
  } catch (error) {
    return { ok: false, detail: `the payload has no canonical JSON form: ${describeError(error).message}` };
  }
  const fingerprint = await sha256Hex(canonical);
  if (settings.key === 'payload') return { ok: true, key: `${jobName}#p:${fingerprint}`, fingerprint };
  if (settings.key === 'dedupeKey') {
    const dedupeKey = envelope.dedupeKey;
    if (typeof dedupeKey !== 'string' || dedupeKey.length === 0) {
      return { ok: false, detail: `job ${jobName} takes its idempotency key from the envelope's dedupeKey, and this job has none: enqueue it with { dedupeKey }` };
    }
    return { ok: true, key: `${jobName}#d:${await sha256Hex(dedupeKey)}`, fingerprint };
  }
  if (settings.key === 'id') return { ok: true, key: `${jobName}#i:${await sha256Hex(envelope.id)}`, fingerprint };
  let userKey: unknown;
  try {
    userKey = settings.key(payload, { id: envelope.id, dedupeKey: envelope.dedupeKey });
  } catch (error) {
    const { name, message } = describeError(error);
    return { ok: false, detail: `job ${jobName}: idempotency.key(payload) threw ${name}: ${message.slice(0, 200)}` };
  }
  if (typeof userKey !== 'string' || userKey.length === 0) {
    return { ok: false, detail: `job ${jobName}: idempotency.key(payload) must return a non-empty string, got ${userKey === '' ? 'an empty string' : typeof userKey}` };
  }
  return { ok: true, key: `${jobName}#k:${await sha256Hex(userKey)}`, fingerprint };
}

/** The job a store key belongs to (job names hold no `#`), or undefined when it is not a store key. */
export function jobNameOfKey(key: string): string | undefined {
  const hash = key.indexOf('#');
  return hash > 0 ? key.slice(0, hash) : undefined;
}
