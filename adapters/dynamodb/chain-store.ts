/**
 * The DynamoDB chain store (continuations): one item per chain, every transition one
 * conditional UpdateItem, in the same table layout as the idempotency store.
 *
 *   ~chain#<id>     state, link, checkpoint, progress, body, lease (token, lockedUntilMs),
 *                   updatedAtMs, restarts, stallAfterMs, result / reason
 *   ~chains#live    the set of chains not done: what the health check reads (one item,
 *                   about 10,000 UUID-named chains at most; done chains are taken out)
 *
 *   claim     SET lease     if new, or not done and the lease is free or past
 *   save      SET checkpoint, link + 1   if token = :token and the lease is live
 *   finish    SET state     if token = :token and the lease is live; then out of the live set
 *   release   REMOVE lease  if token = :token
 *   markRestarted  SET updatedAtMs, restarts + 1   if updatedAtMs = :seen and no live lease
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ContinuationError } from '../../src/continuation/errors.ts';
import { chainProblem, type ChainClaim, type ChainProgress, type ChainRecord, type ChainState, type ChainStore } from '../../src/continuation/store.ts';
import { checkDynamoDbOptions, type DynamoDbIdempotencyStoreOptions } from './options.ts';
import { dynamoDbClientHandle, storeSender } from './sdk.ts';

type Item = Record<string, AttributeValue>;

export type DynamoDbChainStoreOptions = DynamoDbIdempotencyStoreOptions;

export interface DynamoDbChainStore extends ChainStore {
  readonly tableName: string;
}

const LIVE = '~chains#live';

export function createDynamoDbChainStore(options: DynamoDbChainStoreOptions): DynamoDbChainStore {
  const settings = checkDynamoDbOptions(options);
  const { tableName, keyAttribute: K, ttlAttribute: TTL, now } = settings;
  const handle = dynamoDbClientHandle(options);

  const send = storeSender(handle, settings, ContinuationError);
  const check = (operation: string, chainId: unknown) => {
    const problem = chainProblem(chainId);
    if (problem !== undefined) throw new ContinuationError('dynamodb', operation, problem, { retryable: false });
  };
  const itemKey = (id: string) => ({ [K]: { S: `~chain#${id}` } });
  const update = (operation: string, id: string, expression: string, condition: string | undefined, values: Record<string, AttributeValue>, names: Record<string, string> = {}, returnNew = false) =>
    send(operation, (sdk, client, o) => {
      const text = `${expression} ${condition ?? ''}`;
      const allNames: Record<string, string> = { ...(text.includes('#k') ? { '#k': K } : {}), ...(text.includes('#state') ? { '#state': 'state' } : {}), ...(text.includes('#ttl') ? { '#ttl': TTL } : {}), ...names };
      // Reserved words (token, result, ...) always go through names.
      for (const word of ['token', 'result', 'reason', 'progress']) if (text.includes(`#${word}`)) allNames[`#${word}`] = word;
      return client.send(new sdk.UpdateItemCommand({
        TableName: tableName,
        Key: id === LIVE ? { [K]: { S: LIVE } } : itemKey(id),
        UpdateExpression: expression,
        ConditionExpression: condition,
        ...(Object.keys(allNames).length > 0 ? { ExpressionAttributeNames: allNames } : {}),
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        ...(returnNew ? { ReturnValues: 'ALL_NEW' as const } : {}),
      }), o);
    });
  const read = async (operation: string, id: string): Promise<ChainRecord | undefined> => {
    const got = await send(operation, (sdk, client, o) => client.send(new sdk.GetItemCommand({ TableName: tableName, Key: itemKey(id), ConsistentRead: true }), o));
    if (!got.ok || got.output.Item === undefined) return undefined;
    return live(recordOf(got.output.Item, id));
  };
  const live = (record: (ChainRecord & { expiresAt: number }) | string): ChainRecord | undefined => {
    if (typeof record === 'string') throw new ContinuationError('dynamodb', 'read', `table ${tableName} holds a chain item this store did not write: ${record}`);
    if (record.expiresAt <= now()) return undefined;
    const { expiresAt: _e, ...rest } = record;
    return rest;
  };
  const leaseLive = '#token = :tok AND lockedUntilMs > :now';

  return {
    name: 'dynamodb',
    tableName,
    async claim(chainId, o): Promise<ChainClaim> {
      check('claim', chainId);
      for (let round = 0; round < 3; round++) {
        const t = now();
        const token = crypto.randomUUID();
        const values: Record<string, AttributeValue> = {
          ':job': { S: o.job }, ':zero': { N: '0' }, ':t': { N: String(t) }, ':running': { S: 'running' }, ':done': { S: 'done' }, ':tok': { S: token },
          ':until': { N: String(t + o.leaseMs) }, ':stall': { N: String(o.stallAfterMs) }, ':exp': { N: String(t + o.retentionMs) }, ':ttl': { N: String(Math.ceil((t + o.retentionMs) / 1000)) },
        };
        let expression = 'SET job = if_not_exists(job, :job), link = if_not_exists(link, :zero), createdAtMs = if_not_exists(createdAtMs, :t), restarts = if_not_exists(restarts, :zero), stallAfterMs = :stall, #state = :running, #token = :tok, lockedUntilMs = :until, updatedAtMs = :t, expiresAtMs = :exp, #ttl = :ttl';
        if (o.body !== undefined) {
          expression += ', body = if_not_exists(body, :body)';
          values[':body'] = { S: o.body };
        }
        const claimed = await update('claim', chainId, expression, 'attribute_not_exists(#k) OR expiresAtMs <= :t OR (#state <> :done AND (attribute_not_exists(lockedUntilMs) OR lockedUntilMs <= :t))', values, {}, true);
        if (claimed.ok) {
          const record = live(recordOf(claimed.output.Attributes ?? {}, chainId));
          if (record === undefined) continue;
          // A new chain joins the live set (for the health check). A crash before this line
          // redelivers the first link, which adds it then.
          if (record.link === 0) await update('claim', LIVE, 'ADD chains :id', undefined, { ':id': { SS: [chainId] } });
          return { status: 'acquired', token, record };
        }
        const record = await read('claim', chainId);
        if (record === undefined) continue;
        if (record.state === 'done') return { status: 'done', record };
        if (record.lockedUntil !== undefined && record.lockedUntil > now()) return { status: 'locked', until: record.lockedUntil };
      }
      throw new ContinuationError('dynamodb', 'claim', `chain ${chainId} changed hands 3 times during one claim`);
    },
    async save(chainId, token, o) {
      check('save', chainId);
      const t = now();
      const values: Record<string, AttributeValue> = { ':tok': { S: token }, ':now': { N: String(t) }, ':cp': { S: o.checkpoint }, ':one': { N: '1' }, ':running': { S: 'running' } };
      let expression = 'SET checkpoint = :cp, updatedAtMs = :now, link = link + :one';
      if (o.progress !== undefined) {
        expression += ', progress = :p';
        values[':p'] = { S: JSON.stringify(o.progress) };
      }
      if (o.release) expression += ' REMOVE #token, lockedUntilMs';
      else {
        expression += ', lockedUntilMs = :until';
        values[':until'] = { N: String(t + (o.leaseMs ?? 0)) };
      }
      return (await update('save', chainId, expression, `${leaseLive} AND #state = :running`, values)).ok;
    },
    async finish(chainId, token, o) {
      check('finish', chainId);
      const t = now();
      const values: Record<string, AttributeValue> = { ':tok': { S: token }, ':now': { N: String(t) }, ':s': { S: o.state } };
      let expression = 'SET #state = :s, updatedAtMs = :now';
      for (const [name, value] of [['result', o.result], ['reason', o.reason], ['progress', o.progress === undefined ? undefined : JSON.stringify(o.progress)]] as const) {
        if (value === undefined) continue;
        expression += `, #${name} = :${name}`;
        values[`:${name}`] = { S: value };
      }
      const done = await update('finish', chainId, `${expression} REMOVE #token, lockedUntilMs`, leaseLive, values);
      // Done chains leave the live set; failed ones stay in it (a kick may run them again).
      if (done.ok && o.state === 'done') await update('finish', LIVE, 'DELETE chains :id', undefined, { ':id': { SS: [chainId] } });
      return done.ok;
    },
    async release(chainId, token) {
      check('release', chainId);
      return (await update('release', chainId, 'SET updatedAtMs = :now REMOVE #token, lockedUntilMs', leaseLive, { ':tok': { S: token }, ':now': { N: String(now()) } })).ok;
    },
    async get(chainId) {
      check('get', chainId);
      return read('get', chainId);
    },
    async listLive(o = {}) {
      const limit = o.limit ?? 1_000;
      const got = await send('listLive', (sdk, client, opts) => client.send(new sdk.GetItemCommand({ TableName: tableName, Key: { [K]: { S: LIVE } }, ConsistentRead: true }), opts));
      const ids = (got.ok ? got.output.Item?.chains?.SS : undefined) ?? [];
      const out: ChainRecord[] = [];
      const gone: string[] = [];
      for (let i = 0; i < ids.length && out.length < limit; i += 100) {
        let keys = ids.slice(i, i + 100).map((id) => itemKey(id));
        for (let round = 0; keys.length > 0 && round < 5; round++) {
          const batch = keys;
          const res = await send('listLive', (sdk, client, opts) => client.send(new sdk.BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: batch, ConsistentRead: true } } }), opts));
          if (!res.ok) break;
          for (const item of res.output.Responses?.[tableName] ?? []) {
            const id = (item[K]?.S ?? '').slice('~chain#'.length);
            const record = live(recordOf(item, id));
            if (record === undefined || record.state === 'done') gone.push(id);
            else if (out.length < limit) out.push(record);
          }
          keys = (res.output.UnprocessedKeys?.[tableName]?.Keys as typeof keys | undefined) ?? [];
        }
      }
      // Chains that ended without leaving the set (a crash after finish) are cleaned up here.
      if (gone.length > 0) await update('listLive', LIVE, 'DELETE chains :ids', undefined, { ':ids': { SS: gone } });
      return out;
    },
    async markRestarted(chainId, seenUpdatedAt) {
      check('markRestarted', chainId);
      const t = now();
      return (await update('markRestarted', chainId, 'SET updatedAtMs = :now ADD restarts :one', 'updatedAtMs = :seen AND #state <> :done AND (attribute_not_exists(lockedUntilMs) OR lockedUntilMs <= :now)', {
        ':now': { N: String(t) }, ':one': { N: '1' }, ':seen': { N: String(seenUpdatedAt) }, ':done': { S: 'done' },
      })).ok;
    },
    async close() {
      handle.close();
    },
  };
}

function recordOf(item: Item, id: string): (ChainRecord & { expiresAt: number }) | string {
  const num = (name: string) => (item[name]?.N === undefined ? undefined : Number(item[name]!.N));
  const state = item.state?.S as ChainState | undefined;
  const job = item.job?.S;
  const link = num('link');
  const createdAt = num('createdAtMs');
  const updatedAt = num('updatedAtMs');
  if (job === undefined || link === undefined || createdAt === undefined || updatedAt === undefined || (state !== 'running' && state !== 'done' && state !== 'failed')) {
    return 'job, link, createdAtMs, updatedAtMs or state is missing';
  }
  let progress: ChainProgress | undefined;
  try {
    progress = item.progress?.S === undefined ? undefined : (JSON.parse(item.progress.S) as ChainProgress);
  } catch {
    progress = undefined;
  }
  return {
    id,
    job,
    state,
    link,
    checkpoint: item.checkpoint?.S,
    progress,
    body: item.body?.S,
    createdAt,
    updatedAt,
    lockedUntil: num('lockedUntilMs'),
    restarts: num('restarts') ?? 0,
    stallAfterMs: num('stallAfterMs') ?? 600_000,
    result: item.result?.S,
    reason: item.reason?.S,
    expiresAt: num('expiresAtMs') ?? Infinity,
  };
}

