/**
 * The DynamoDB idempotency store: one item per key, every transition a conditional write.
 *
 *   claim     PutItem  if attribute_not_exists(key) OR expiresAtMs <= now
 *             (keepAbandoned: ... OR (expiresAtMs <= now AND (status = completed
 *              OR attribute_not_exists(keepAbandoned))))
 *             (on a failed condition the item that won is read back: ALL_OLD, else a consistent GetItem)
 *   complete  PutItem  if attribute_not_exists(key) OR token = :token
 *   release   DeleteItem if token = :token AND status = in-progress
 *   forget    DeleteItem if status = in-progress AND keepAbandoned AND expiresAtMs <= now
 *
 * @example
 * ```ts
 * import { createDynamoDbIdempotencyStore } from 'jobferry/dynamodb';
 * const store = createDynamoDbIdempotencyStore({ tableName: 'jobferry-idempotency', clientConfig: { region: 'eu-west-1' } });
 * defineJob({ name: 'charge', schema, idempotency: { store, key: (p) => p.orderId }, handler });
 * ```
 */
import { IdempotencyError } from '../../src/idempotency/errors.ts';
import { answerHeld, claimProblem, keyProblem, type IdempotencyStore } from '../../src/idempotency/store.ts';
import { claimItem, completedItem, recordOf, type Item } from './items.ts';
import { checkDynamoDbOptions, type DynamoDbIdempotencyStoreOptions } from './options.ts';
import { dynamoDbClientHandle, storeSender } from './sdk.ts';

/** Claims retried when the item that blocked a claim vanished or expired before it could be read. */
const CLAIM_ROUNDS = 3;

export interface DynamoDbIdempotencyStore extends IdempotencyStore {
  readonly tableName: string;
  forget(key: string): Promise<boolean>;
}

export function createDynamoDbIdempotencyStore(options: DynamoDbIdempotencyStoreOptions): DynamoDbIdempotencyStore {
  const settings = checkDynamoDbOptions(options);
  const { tableName, keyAttribute, now } = settings;
  const handle = dynamoDbClientHandle(options);

  const send = storeSender(handle, settings, IdempotencyError);

  // Without args (release, forget): the key alone.
  const check = (operation: string, key: unknown, args?: Parameters<typeof claimProblem>[1]) => {
    const problem = args === undefined ? keyProblem(key) : claimProblem(key, args);
    if (problem !== undefined) throw new IdempotencyError('dynamodb', operation, problem, { retryable: false });
  };

  const read = async (key: string): Promise<Item | undefined> => {
    const got = await send('claim', (sdk, client, o) => client.send(new sdk.GetItemCommand({ TableName: tableName, Key: { [keyAttribute]: { S: key } }, ConsistentRead: true }), o));
    return got.ok ? got.output.Item : undefined;
  };

  /** Deletes the key's item if `condition` holds; false when it does not (or there is none). */
  const deleteIf = async (operation: string, key: string, condition: string, names: Record<string, string>, values: Item): Promise<boolean> => {
    const deleted = await send(operation, (sdk, client, o) =>
      client.send(new sdk.DeleteItemCommand({ TableName: tableName, Key: { [keyAttribute]: { S: key } }, ConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values }), o),
    );
    return deleted.ok;
  };

  // Free: no item, or an expired one; with keepAbandoned, not an unfinished claim kept for an operator.
  const FREE = { condition: 'attribute_not_exists(#k) OR #e <= :now', names: { '#k': keyAttribute, '#e': 'expiresAtMs' }, values: {} };
  const FREE_UNLESS_ABANDONED = {
    condition: 'attribute_not_exists(#k) OR (#e <= :now AND (#s = :completed OR attribute_not_exists(#keep)))',
    names: { ...FREE.names, '#s': 'status', '#keep': 'keepAbandoned' },
    values: { ':completed': { S: 'completed' } },
  };

  return {
    name: 'dynamodb',
    tableName,
    async claim(key, { fingerprint, claimMs, keepAbandoned = false }) {
      check('claim', key, { fingerprint, claimMs, keepAbandoned });
      for (let round = 1; round <= CLAIM_ROUNDS; round++) {
        const t = now();
        const token = crypto.randomUUID();
        const expiresAt = t + claimMs;
        const free = keepAbandoned ? FREE_UNLESS_ABANDONED : FREE;
        const put = await send('claim', (sdk, client, o) =>
          client.send(new sdk.PutItemCommand({
            TableName: tableName,
            Item: claimItem(settings, key, fingerprint, token, expiresAt, keepAbandoned),
            ConditionExpression: free.condition,
            ExpressionAttributeNames: free.names,
            ExpressionAttributeValues: { ':now': { N: String(t) }, ...free.values },
            // DynamoDB returns the blocking item with the failure (one round trip); emulators may not.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }), o),
        );
        if (put.ok) return { status: 'acquired', token, expiresAt };
        const item = put.item ?? (await read(key));
        if (item === undefined) continue; // released or deleted meanwhile: claim again
        const record = recordOf(item);
        if (typeof record === 'string') throw new IdempotencyError('dynamodb', 'claim', `table ${tableName} holds an item for key ${key} that this store did not write: ${record}`);
        // Our own write: the SDK retried a PutItem that had committed (its answer was lost).
        if (record.status === 'in-progress' && record.token === token) return { status: 'acquired', token, expiresAt: record.expiresAt };
        const answer = answerHeld(record, fingerprint, now(), keepAbandoned);
        if (answer === 'free') continue; // expired meanwhile: claim again
        return answer;
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
      check('release', key);
      return deleteIf('release', key, '#t = :token AND #s = :inProgress', { '#t': 'token', '#s': 'status' }, { ':token': { S: token }, ':inProgress': { S: 'in-progress' } });
    },
    async forget(key) {
      check('forget', key);
      // Only an abandoned claim: a slow run that completed meanwhile keeps its record.
      return deleteIf('forget', key, '#s = :inProgress AND #keep = :true AND #e <= :now', { '#s': 'status', '#keep': 'keepAbandoned', '#e': 'expiresAtMs' }, {
        ':inProgress': { S: 'in-progress' },
        ':true': { BOOL: true },
        ':now': { N: String(now()) },
      });
    },
    async close() {
      handle.close();
    },
  };
}

