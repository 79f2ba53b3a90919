/**
 * Options of the DynamoDB idempotency store, checked once at construction: a wrong option
 * fails at start with a message that names it.
 */
import { ConfigError } from '../../src/errors.ts';
import type { DynamoDBClient, DynamoDBClientConfig } from './sdk.ts';

export interface DynamoDbIdempotencyStoreOptions {
  /** The table (partition key `keyAttribute`, type S; no sort key). */
  tableName: string;
  /** A client you made (its region, credentials, retries). Not destroyed by close(). */
  client?: DynamoDBClient;
  /** Config for the client the store makes on first use (when no client is given). */
  clientConfig?: DynamoDBClientConfig;
  /** Partition key attribute name. Default `id`. */
  keyAttribute?: string;
  /** Attribute DynamoDB TTL is enabled on (epoch seconds). Default `ttlSeconds`. */
  ttlAttribute?: string;
  /** Time limit of each DynamoDB request; a request past it is a store failure (retried). Default 5000. */
  requestTimeoutMs?: number;
  /** Clock in epoch ms, for claim expiry. Default Date.now. */
  now?: () => number;
}

export interface DynamoDbStoreSettings {
  readonly tableName: string;
  readonly keyAttribute: string;
  readonly ttlAttribute: string;
  readonly requestTimeoutMs: number;
  readonly now: () => number;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const OPTION_NAMES = ['tableName', 'client', 'clientConfig', 'keyAttribute', 'ttlAttribute', 'requestTimeoutMs', 'now'];
/** Attributes the store writes besides the key and the TTL attribute. */
export const RECORD_ATTRIBUTES = ['status', 'fingerprint', 'token', 'expiresAtMs', 'completedAtMs', 'result'] as const;

export function checkDynamoDbOptions(options: DynamoDbIdempotencyStoreOptions): DynamoDbStoreSettings {
  if (typeof options !== 'object' || options === null) throw new ConfigError(['dynamodb: options: must be an object { tableName, client?, clientConfig?, ... }']);
  const problems: string[] = [];
  if (typeof options.tableName !== 'string' || !TABLE_NAME.test(options.tableName)) {
    problems.push(`tableName: must be 3-255 characters of letters, digits, '_', '-' or '.', got ${JSON.stringify(options.tableName) ?? typeof options.tableName}`);
  }
  const keyAttribute = options.keyAttribute ?? 'id';
  const ttlAttribute = options.ttlAttribute ?? 'ttlSeconds';
  for (const [name, value] of [['keyAttribute', keyAttribute], ['ttlAttribute', ttlAttribute]] as const) {
    if (typeof value !== 'string' || value.length === 0 || value.length > 255) problems.push(`${name}: must be a non-empty attribute name, got ${JSON.stringify(value)}`);
    else if ((RECORD_ATTRIBUTES as readonly string[]).includes(value)) problems.push(`${name}: ${JSON.stringify(value)} is an attribute the store writes itself`);
  }
  if (keyAttribute === ttlAttribute) problems.push('ttlAttribute: must differ from keyAttribute');
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  if (typeof requestTimeoutMs !== 'number' || !Number.isFinite(requestTimeoutMs) || requestTimeoutMs <= 0) problems.push(`requestTimeoutMs: must be a number of ms > 0, got ${String(requestTimeoutMs)}`);
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') problems.push('now: must be a function returning epoch ms');
  if (options.client !== undefined && options.clientConfig !== undefined) problems.push('clientConfig: give a client or a clientConfig, not both');
  if (options.client !== undefined && typeof (options.client as { send?: unknown }).send !== 'function') problems.push('client: must be a DynamoDBClient (an object with send())');
  for (const key of Object.keys(options)) if (!OPTION_NAMES.includes(key)) problems.push(`${key}: unknown option (known: ${OPTION_NAMES.join(', ')})`);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `dynamodb.${p}`), { adapter: 'dynamodb' });
  return { tableName: options.tableName, keyAttribute, ttlAttribute, requestTimeoutMs, now };
}
