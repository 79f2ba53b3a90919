/**
 * The DynamoDB idempotency store: one item per key, every transition a conditional write.
 *
 *   claim     PutItem  if attribute_not_exists(key) OR expiresAtMs <= now
 *             (on a failed condition the item that won is read back: ALL_OLD, else a consistent GetItem)
 *   complete  PutItem  if attribute_not_exists(key) OR token = :token
 *   release   DeleteItem if token = :token AND status = in-progress
 *
 * @example
 * ```ts
 * import { createDynamoDbIdempotencyStore } from 'jobferry/dynamodb';
 * const store = createDynamoDbIdempotencyStore({ tableName: 'jobferry-idempotency', clientConfig: { region: 'eu-west-1' } });
 * defineJob({ name: 'charge', schema, idempotency: { store, key: (p) => p.orderId }, handler });
 * ```
 */
import { IdempotencyError } from '../../src/idempotency/errors.ts';
import { claimProblem, type ClaimResult, type IdempotencyStore } from '../../src/idempotency/store.ts';
import { claimItem, completedItem, recordOf, type Item, type StoredRecord } from './items.ts';
import { checkDynamoDbOptions, type DynamoDbIdempotencyStoreOptions } from './options.ts';
import { dynamoDbClientHandle, storeSender } from './sdk.ts';

/** Claims retried when the item that blocked a claim vanished or expired before it could be read. */
const CLAIM_ROUNDS = 3;

export interface DynamoDbIdempotencyStore extends IdempotencyStore {
  readonly tableName: string;
}

export function createDynamoDbIdempotencyStore(options: DynamoDbIdempotencyStoreOptions): DynamoDbIdempotencyStore {
  const settings = checkDynamoDbOptions(options);
  const { tableName, keyAttribute, now } = settings;
  const handle = dynamoDbClientHandle(options);

  const send = storeSender(handle, settings, IdempotencyError);

  const check = (operation: string, key: unknown, args: Parameters<typeof claimProblem>[1]) => {
    const problem = claimProblem(key, args);
    if (problem !== undefined) throw new IdempotencyError('dynamodb', operation, problem, { retryable: false });
  };

  const read = async (key: string): Promise<Item | undefined> => {
    const got = await send('claim', (sdk, client, o) => client.send(new sdk.GetItemCommand({ TableName: tableName, Key: { [keyAttribute]: { S: key } }, ConsistentRead: true }), o));
    return got.ok ? got.output.Item : undefined;
  };

  const answer = (key: string, record: StoredRecord, fingerprint: string): ClaimResult => {
    if (record.fingerprint !== fingerprint) return { status: 'conflict', fingerprint: record.fingerprint };
    if (record.status === 'completed') return { status: 'completed', result: record.result, completedAt: record.completedAt };
    return { status: 'in-progress', expiresAt: record.expiresAt };
  };

  return {
    name: 'dynamodb',
    tableName,
    async claim(key, { fingerprint, claimMs }) {
      check('claim', key, { fingerprint, claimMs });
      for (let round = 1; round <= CLAIM_ROUNDS; round++) {
        const t = now();
        const token = crypto.randomUUID();
        const expiresAt = t + claimMs;
        const put = await send('claim', (sdk, client, o) =>
          client.send(new sdk.PutItemCommand({
            TableName: tableName,
            Item: claimItem(settings, key, fingerprint, token, expiresAt),
            ConditionExpression: 'attribute_not_exists(#k) OR #e <= :now',
            ExpressionAttributeNames: { '#k': keyAttribute, '#e': 'expiresAtMs' },
            ExpressionAttributeValues: { ':now': { N: String(t) } },
            // DynamoDB returns the blocking item with the failure (one round trip); emulators may not.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }), o),
        );
        if (put.ok) return { status: 'acquired', token, expiresAt };
        const item = put.item ?? (await read(key));
        if (item === undefined) continue; // released or deleted meanwhile: claim again
        const record = recordOf(item);
        if (typeof record === 'string') throw new IdempotencyError('dynamodb', 'claim', `table ${tableName} holds an item for key ${key} that this store did not write: ${record}`);
        if (record.expiresAt <= now()) continue; // expired meanwhile: claim again
        return answer(key, record, fingerprint);
      }
      throw new IdempotencyError('dynamodb', 'claim', `key ${key} changed hands ${CLAIM_ROUNDS} times during one claim`);
    },
    async complete(key, token, { fingerprint, result, retentionMs }) {
      check('complete', key, { fingerprint, retentionMs });
      const t = now();
      const put = await send('complete', (sdk, client, o) =>
        client.send(new sdk.PutItemCommand({
          TableName: tableName,
          Item: completedItem(settings, key, fingerprint, t, t + retentionMs, result),
          ConditionExpression: 'attribute_not_exists(#k) OR #t = :token',
          ExpressionAttributeNames: { '#k': keyAttribute, '#t': 'token' },
          ExpressionAttributeValues: { ':token': { S: token } },
        }), o),
      );
      return put.ok;
    },
    async release(key, token) {
      check('release', key, { fingerprint: 'unused' });
      const deleted = await send('release', (sdk, client, o) =>
        client.send(new sdk.DeleteItemCommand({
          TableName: tableName,
          Key: { [keyAttribute]: { S: key } },
          ConditionExpression: '#t = :token AND #s = :inProgress',
          ExpressionAttributeNames: { '#t': 'token', '#s': 'status' },
          ExpressionAttributeValues: { ':token': { S: token }, ':inProgress': { S: 'in-progress' } },
        }), o),
      );
      return deleted.ok;
    },
    async close() {
      handle.close();
    },
  };
}

