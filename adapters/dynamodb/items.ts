/**
 * Store records <-> DynamoDB items, by hand (no util-dynamodb): one item per key.
 *
 *   <keyAttribute>  S  the idempotency key (`<job>#<source>:<sha-256 hex>`)
 *   status          S  `in-progress` | `completed`
 *   fingerprint     S  SHA-256 (hex) of the payload's canonical JSON
 *   token           S  the claim holder's token (in progress only)
 *   expiresAtMs     N  claim end (in progress) or retention end (completed), epoch ms
 *   keepAbandoned   BOOL in progress, claimed with keepAbandoned: once expired unfinished, the
 *                      claim is kept (no TTL attribute) and reported abandoned until forgotten
 *   <ttlAttribute>  N  the same as expiresAtMs in epoch seconds, rounded up: DynamoDB TTL deletes
 *                      the item later (absent on a kept claim)
 *   completedAtMs   N  when it completed (completed only)
 *   result          S  the handler's result as JSON text (completed, when kept)
 *
 * Conditions use expiresAtMs, never the TTL: TTL deletion happens up to days late.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { HeldRecord } from '../../src/idempotency/store.ts';
import type { DynamoDbStoreSettings } from './options.ts';

export type Item = Record<string, AttributeValue>;

export interface StoredRecord extends HeldRecord {
  readonly token: string | undefined;
}

export function claimItem(settings: DynamoDbStoreSettings, key: string, fingerprint: string, token: string, expiresAt: number, keepAbandoned: boolean): Item {
  const item: Item = {
    [settings.keyAttribute]: { S: key },
    status: { S: 'in-progress' },
    fingerprint: { S: fingerprint },
    token: { S: token },
    expiresAtMs: { N: String(expiresAt) },
  };
  // A kept claim must outlive any dead letter: TTL would delete it, so it has none.
  if (keepAbandoned) item.keepAbandoned = { BOOL: true };
  else item[settings.ttlAttribute] = { N: String(Math.ceil(expiresAt / 1000)) };
  return item;
}

export function completedItem(settings: DynamoDbStoreSettings, key: string, fingerprint: string, completedAt: number, expiresAt: number, result: string | undefined): Item {
  const item: Item = {
    [settings.keyAttribute]: { S: key },
    status: { S: 'completed' },
    fingerprint: { S: fingerprint },
    expiresAtMs: { N: String(expiresAt) },
    [settings.ttlAttribute]: { N: String(Math.ceil(expiresAt / 1000)) },
    completedAtMs: { N: String(completedAt) },
  };
  if (result !== undefined) item.result = { S: result };
  return item;
}

/** The record an item holds, or a reason it is not one this store wrote. */
export function recordOf(item: Item): StoredRecord | string {
  const status = item.status?.S;
  if (status !== 'in-progress' && status !== 'completed') return `status is ${JSON.stringify(status ?? null)}, not in-progress or completed`;
  const fingerprint = item.fingerprint?.S;
  if (fingerprint === undefined || fingerprint.length === 0) return 'fingerprint is missing';
  const expiresAt = Number(item.expiresAtMs?.N);
  if (!Number.isFinite(expiresAt)) return 'expiresAtMs is missing or not a number';
  const completedAt = Number(item.completedAtMs?.N ?? 0);
  return { status, fingerprint, token: item.token?.S, expiresAt, keepAbandoned: item.keepAbandoned?.BOOL === true, completedAt: Number.isFinite(completedAt) ? completedAt : 0, result: item.result?.S };
}
