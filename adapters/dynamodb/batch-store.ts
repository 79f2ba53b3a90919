/**
 * The DynamoDB batch store. Counts are exact with single-item conditional writes only (no
 * transactions: they cost as much, and the emulators lack them). Items, in the same table
 * layout as the idempotency store (partition key `keyAttribute`, TTL on `ttlAttribute`):
 *
 *   ~batch#<id>            header: job, total, metadata, prefetch, finishedJob, cancel and
 *                          finish state, counter shard count
 *   ~batch#<id>#n#<k>      counter shard k: completed/failed/buried/cancelled numbers, and
 *                          `pending`, the set of job ids counted but not yet marked counted
 *   ~batch#<id>#j#<job>    marker: the job's outcome, state pending|counted, an owner lease
 *
 * Counting a job (every step conditional, each safe to redo after a crash at any point):
 *   1. put the marker (pending, owned by this caller) unless it exists: one marker per job id;
 *      a pending marker whose owner lease ran out is taken over (the owner crashed)
 *   2. on the job's shard: ADD the counter and the job id to `pending` unless it is in `pending`
 *   3. marker -> counted (only while still its owner)
 *   4. remove the job id from `pending`
 * A redo after step 2 finds the id in `pending` and does not count again; after step 3 it
 * finds the marker counted. Progress reads the header and all shards (one consistent
 * BatchGetItem).
 */
import { BatchError } from '../../src/batch/errors.ts';
import { batchProblem, doneOf, newBatchProblem, type BatchOutcome, type BatchProgress, type BatchRecord, type BatchStore, type FinishClaim, type RecordResult } from '../../src/batch/store.ts';
import { checkDynamoDbOptions, type DynamoDbIdempotencyStoreOptions } from './options.ts';
import { dynamoDbClientHandle, storeSender } from './sdk.ts';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

export interface DynamoDbBatchStoreOptions extends DynamoDbIdempotencyStoreOptions {
  /** Counter items per batch (spreads the writes of a busy batch). 1-99, default 4. */
  counterShards?: number;
  /** How long a caller owns the counting of one job before another may take over. Default 30000. */
  recordLeaseMs?: number;
}

export interface DynamoDbBatchStore extends BatchStore {
  readonly tableName: string;
}

const COUNTERS: Record<BatchOutcome, string> = { completed: 'nc', failed: 'nf', buried: 'nb', cancelled: 'nx' };

export function createDynamoDbBatchStore(options: DynamoDbBatchStoreOptions): DynamoDbBatchStore {
  const { counterShards = 4, recordLeaseMs = 30_000, ...base } = options;
  const settings = checkDynamoDbOptions(base);
  if (!Number.isSafeInteger(counterShards) || counterShards < 1 || counterShards > 99) throw new BatchError('dynamodb', 'setup', `counterShards: must be an integer from 1 to 99, got ${String(counterShards)}`, { retryable: false });
  if (!(Number.isFinite(recordLeaseMs) && recordLeaseMs > 0)) throw new BatchError('dynamodb', 'setup', `recordLeaseMs: must be a number of ms > 0, got ${String(recordLeaseMs)}`, { retryable: false });
  const { tableName, keyAttribute: K, ttlAttribute: TTL, now } = settings;
  const handle = dynamoDbClientHandle(base);

  const send = storeSender(handle, settings, BatchError);
  const check = (operation: string, problem: string | undefined) => {
    if (problem !== undefined) throw new BatchError('dynamodb', operation, problem, { retryable: false });
  };

  const headerKey = (id: string) => `~batch#${id}`;
  const shardKey = (id: string, k: number) => `~batch#${id}#n#${k}`;
  const markerKey = (id: string, jobId: string) => `~batch#${id}#j#${jobId}`;
  const key = (k: string) => ({ [K]: { S: k } });
  const ttlOf = (record: { createdAt: number; retentionMs: number }) => ({ N: String(Math.ceil((record.createdAt + record.retentionMs) / 1000)) });

  const getItem = async (operation: string, k: string): Promise<Item | undefined> => {
    const got = await send(operation, (sdk, client, o) => client.send(new sdk.GetItemCommand({ TableName: tableName, Key: key(k), ConsistentRead: true }), o));
    return got.ok ? got.output.Item : undefined;
  };
  const update = (operation: string, k: string, input: { UpdateExpression: string; ConditionExpression?: string; names?: Record<string, string>; values?: Record<string, AttributeValue> }) =>
    send(operation, (sdk, client, o) =>
      client.send(new sdk.UpdateItemCommand({
        TableName: tableName,
        Key: key(k),
        UpdateExpression: input.UpdateExpression,
        ConditionExpression: input.ConditionExpression,
        // DynamoDB refuses names an expression does not use.
        ...(() => {
          const names = { ...(`${input.UpdateExpression} ${input.ConditionExpression ?? ''}`.includes('#k') ? { '#k': K } : {}), ...input.names };
          return Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {};
        })(),
        ...(input.values && Object.keys(input.values).length > 0 ? { ExpressionAttributeValues: input.values } : {}),
      }), o),
    );

  const header = async (operation: string, batchId: string): Promise<(BatchRecord & { shards: number; finishUntil: number | undefined }) | undefined> => {
    const item = await getItem(operation, headerKey(batchId));
    if (item === undefined) return undefined;
    const record = headerOf(item, batchId);
    if (typeof record === 'string') throw new BatchError('dynamodb', operation, `table ${tableName} holds an item for batch ${batchId} that this store did not write: ${record}`);
    return record.createdAt + record.retentionMs <= now() ? undefined : record;
  };

  const progress = async (operation: string, batchId: string): Promise<BatchProgress | undefined> => {
    const h = await header(operation, batchId);
    if (h === undefined) return undefined;
    let pending = Array.from({ length: h.shards }, (_, k) => key(shardKey(batchId, k)));
    const counts = { completed: 0, failed: 0, buried: 0, cancelled: 0 };
    for (let round = 0; pending.length > 0; round++) {
      if (round >= 5) throw new BatchError('dynamodb', operation, `DynamoDB left ${pending.length} counter items unread after ${round} rounds (throttled)`);
      const keys = pending;
      const got = await send(operation, (sdk, client, o) => client.send(new sdk.BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }), o));
      if (!got.ok) throw new BatchError('dynamodb', operation, 'BatchGetItem failed a condition');
      for (const item of got.output.Responses?.[tableName] ?? []) {
        for (const [outcome, attr] of Object.entries(COUNTERS) as Array<[BatchOutcome, string]>) counts[outcome] += Number(item[attr]?.N ?? 0);
      }
      pending = (got.output.UnprocessedKeys?.[tableName]?.Keys as typeof pending | undefined) ?? [];
    }
    const { shards: _s, finishUntil: _f, ...batch } = h;
    return { batch, total: h.total, ...counts, done: doneOf(counts) };
  };

  const isDone = async (batchId: string) => {
    const p = await progress('record', batchId);
    return p !== undefined && p.done >= p.total;
  };

  /** Steps 2-4 for a marker this caller owns. */
  const count = async (batchId: string, jobId: string, shards: number, outcome: BatchOutcome, from: BatchOutcome | undefined, owner: string): Promise<'counted' | 'unknown-batch'> => {
    const token = from === undefined ? jobId : `${jobId}#moved`;
    const shard = shardKey(batchId, shardOf(jobId, shards));
    const added = await update('record', shard, {
      UpdateExpression: from === undefined ? 'ADD #c :one, #p :tok' : 'ADD #c :one, #from :minus, #p :tok',
      ConditionExpression: 'attribute_exists(#k) AND NOT contains(#p, :t)',
      names: { '#c': COUNTERS[outcome], '#p': 'pending', ...(from === undefined ? {} : { '#from': COUNTERS[from] }) },
      values: { ':one': { N: '1' }, ':tok': { SS: [token] }, ':t': { S: token }, ...(from === undefined ? {} : { ':minus': { N: '-1' } }) },
    });
    if (!added.ok && (await getItem('record', shard)) === undefined) return 'unknown-batch';
    // Either counted now, or counted by a caller that crashed before marking it (the id is in `pending`).
    const marked = await update('record', markerKey(batchId, jobId), {
      UpdateExpression: 'SET #s = :counted REMOVE #o, #u',
      ConditionExpression: '#s = :pending AND #o = :owner',
      names: { '#s': 'state', '#o': 'owner', '#u': 'ownerUntilMs' },
      values: { ':counted': { S: 'counted' }, ':pending': { S: 'pending' }, ':owner': { S: owner } },
    });
    // Only the marker's owner may forget the id: another caller may be between its steps 1 and 2.
    if (marked.ok) await update('record', shard, { UpdateExpression: 'DELETE #p :tok', names: { '#p': 'pending' }, values: { ':tok': { SS: [token] } } });
    return 'counted';
  };

  return {
    name: 'dynamodb',
    tableName,
    async create(batch) {
      check('create', newBatchProblem(batch));
      const shards = counterShards;
      const ttl = ttlOf(batch);
      // Counters first: a header is only ever seen with its counters in place.
      for (let k = 0; k < shards; k++) {
        await send('create', (sdk, client, o) =>
          client.send(new sdk.PutItemCommand({ TableName: tableName, Item: { ...key(shardKey(batch.id, k)), nc: { N: '0' }, nf: { N: '0' }, nb: { N: '0' }, nx: { N: '0' }, [TTL]: ttl }, ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': K } }), o),
        );
      }
      const item: Item = {
        ...key(headerKey(batch.id)),
        job: { S: batch.job },
        total: { N: String(batch.total) },
        createdAtMs: { N: String(batch.createdAt) },
        retentionMs: { N: String(batch.retentionMs) },
        shards: { N: String(shards) },
        [TTL]: ttl,
      };
      if (batch.metadata !== undefined) item.metadata = { S: batch.metadata };
      if (batch.prefetch !== undefined) item.prefetch = { S: batch.prefetch };
      if (batch.finishedJob !== undefined) item.finishedJob = { S: batch.finishedJob };
      const put = await send('create', (sdk, client, o) => client.send(new sdk.PutItemCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': K } }), o));
      return put.ok ? 'created' : 'exists';
    },
    async get(batchId) {
      check('get', batchProblem(batchId));
      const h = await header('get', batchId);
      if (h === undefined) return undefined;
      const { shards: _s, finishUntil: _f, ...record } = h;
      return record;
    },
    progress(batchId) {
      check('progress', batchProblem(batchId));
      return progress('progress', batchId);
    },
    async outcomeOf(batchId, jobId) {
      check('outcomeOf', batchProblem(batchId, jobId));
      const outcome = (await getItem('outcomeOf', markerKey(batchId, jobId)))?.outcome?.S;
      return outcome === undefined ? undefined : (outcome as BatchOutcome);
    },
    async record(batchId, jobId, outcome): Promise<RecordResult> {
      check('record', batchProblem(batchId, jobId, outcome));
      const h = await header('record', batchId);
      if (h === undefined) return { status: 'unknown-batch' };
      const owner = crypto.randomUUID();
      const mk = markerKey(batchId, jobId);
      const lease = () => ({ ':owner': { S: owner }, ':until': { N: String(now() + recordLeaseMs) }, ':now': { N: String(now()) } });
      for (let round = 0; round < 4; round++) {
        const put = await send('record', (sdk, client, o) =>
          client.send(new sdk.PutItemCommand({
            TableName: tableName,
            Item: { ...key(mk), outcome: { S: outcome }, state: { S: 'pending' }, owner: { S: owner }, ownerUntilMs: { N: String(now() + recordLeaseMs) }, [TTL]: ttlOf(h) },
            ConditionExpression: 'attribute_not_exists(#k)',
            ExpressionAttributeNames: { '#k': K },
          }), o),
        );
        if (put.ok) {
          if ((await count(batchId, jobId, h.shards, outcome, undefined, owner)) === 'unknown-batch') return { status: 'unknown-batch' };
          return { status: 'recorded', outcome, done: await isDone(batchId) };
        }
        const marker = await getItem('record', mk);
        if (marker === undefined) continue; // expired meanwhile
        const previous = marker.outcome?.S as BatchOutcome | undefined;
        const from = marker.from?.S as BatchOutcome | undefined;
        if (previous === undefined || !(previous in COUNTERS)) throw new BatchError('dynamodb', 'record', `table ${tableName} holds a marker for job ${jobId} of batch ${batchId} that this store did not write`);
        if (marker.state?.S === 'pending') {
          // A caller that crashed between its steps: take its counting over once its lease ran out.
          const taken = await update('record', mk, {
            UpdateExpression: 'SET #o = :owner, #u = :until',
            ConditionExpression: '#s = :pending AND #u <= :now',
            names: { '#o': 'owner', '#u': 'ownerUntilMs', '#s': 'state' },
            values: { ...lease(), ':pending': { S: 'pending' } },
          });
          if (!taken.ok) return { status: 'duplicate', outcome: previous, done: await isDone(batchId) };
          if ((await count(batchId, jobId, h.shards, previous, from, owner)) === 'unknown-batch') return { status: 'unknown-batch' };
          return from === undefined ? { status: 'recorded', outcome: previous, done: await isDone(batchId) } : { status: 'moved', outcome: 'completed', from, done: await isDone(batchId) };
        }
        if (outcome === 'completed' && (previous === 'failed' || previous === 'buried')) {
          const moved = await update('record', mk, {
            UpdateExpression: 'SET outcome = :completed, #from = :old, #s = :pending, #o = :owner, #u = :until',
            ConditionExpression: '#s = :counted AND outcome = :old',
            names: { '#from': 'from', '#s': 'state', '#o': 'owner', '#u': 'ownerUntilMs' },
            values: { ':owner': { S: owner }, ':until': { N: String(now() + recordLeaseMs) }, ':completed': { S: 'completed' }, ':old': { S: previous }, ':pending': { S: 'pending' }, ':counted': { S: 'counted' } },
          });
          if (!moved.ok) continue; // changed meanwhile: look again
          if ((await count(batchId, jobId, h.shards, 'completed', previous, owner)) === 'unknown-batch') return { status: 'unknown-batch' };
          return { status: 'moved', outcome: 'completed', from: previous, done: await isDone(batchId) };
        }
        return { status: 'duplicate', outcome: previous, done: await isDone(batchId) };
      }
      throw new BatchError('dynamodb', 'record', `the marker of job ${jobId} in batch ${batchId} changed 4 times during one call`);
    },
    async cancel(batchId) {
      check('cancel', batchProblem(batchId));
      const done = await update('cancel', headerKey(batchId), {
        UpdateExpression: 'SET cancelledAtMs = :now',
        ConditionExpression: 'attribute_exists(#k) AND attribute_not_exists(cancelledAtMs)',
        values: { ':now': { N: String(now()) } },
      });
      return done.ok;
    },
    async claimFinished(batchId, leaseMs): Promise<FinishClaim> {
      check('claimFinished', batchProblem(batchId) ?? (Number.isFinite(leaseMs) && leaseMs > 0 ? undefined : 'leaseMs: must be a number of ms > 0'));
      const p = await progress('claimFinished', batchId);
      if (p === undefined) return { status: 'unknown-batch' };
      if (p.batch.finishedAt !== undefined) return { status: 'finished' };
      if (p.done < p.total) return { status: 'not-done' };
      const token = crypto.randomUUID();
      const t = now();
      const claimed = await update('claimFinished', headerKey(batchId), {
        UpdateExpression: 'SET finishToken = :tok, finishUntilMs = :until',
        ConditionExpression: 'attribute_exists(#k) AND attribute_not_exists(finishedAtMs) AND (attribute_not_exists(finishUntilMs) OR finishUntilMs <= :now)',
        values: { ':tok': { S: token }, ':until': { N: String(t + leaseMs) }, ':now': { N: String(t) } },
      });
      if (claimed.ok) return { status: 'acquired', token, progress: p };
      const h = await header('claimFinished', batchId);
      if (h === undefined) return { status: 'unknown-batch' };
      if (h.finishedAt !== undefined) return { status: 'finished' };
      return { status: 'held', until: h.finishUntil ?? t + leaseMs };
    },
    async completeFinished(batchId, token) {
      check('completeFinished', batchProblem(batchId));
      const done = await update('completeFinished', headerKey(batchId), {
        UpdateExpression: 'SET finishedAtMs = :now REMOVE finishToken, finishUntilMs',
        ConditionExpression: 'finishToken = :tok AND attribute_not_exists(finishedAtMs)',
        values: { ':tok': { S: token }, ':now': { N: String(now()) } },
      });
      return done.ok;
    },
    async releaseFinished(batchId, token) {
      check('releaseFinished', batchProblem(batchId));
      const done = await update('releaseFinished', headerKey(batchId), { UpdateExpression: 'REMOVE finishToken, finishUntilMs', ConditionExpression: 'finishToken = :tok', values: { ':tok': { S: token } } });
      return done.ok;
    },
    async close() {
      handle.close();
    },
  };
}

/** FNV-1a of the job id: which counter shard counts it. */
function shardOf(jobId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < jobId.length; i++) h = Math.imul(h ^ jobId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

function headerOf(item: Item, id: string): (BatchRecord & { shards: number; finishUntil: number | undefined }) | string {
  const num = (name: string) => (item[name]?.N === undefined ? undefined : Number(item[name]!.N));
  const job = item.job?.S;
  const total = num('total');
  const createdAt = num('createdAtMs');
  const retentionMs = num('retentionMs');
  const shards = num('shards');
  if (job === undefined || total === undefined || createdAt === undefined || retentionMs === undefined || shards === undefined) return 'job, total, createdAtMs, retentionMs or shards is missing';
  return {
    id,
    job,
    total,
    createdAt,
    retentionMs,
    shards,
    metadata: item.metadata?.S,
    prefetch: item.prefetch?.S,
    finishedJob: item.finishedJob?.S,
    cancelledAt: num('cancelledAtMs'),
    finishedAt: num('finishedAtMs'),
    finishUntil: num('finishUntilMs'),
  };
}

