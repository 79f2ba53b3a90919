/**
 * The DynamoDB batch store after a crash between its steps: the items a crashed caller left
 * (a pending marker; a counted id still in the pending set) are written here by hand, as the
 * store's item layout says, and the next record of the job must count it exactly once.
 */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbBatchStore } from '../../adapters/dynamodb/batch-store.ts';
import { startDynalite, type Dynalite } from '../idempotency/helpers/dynalite.ts';
import { testClock } from './store-suite.ts';

let db: Dynalite;
beforeAll(async () => void (db = await startDynalite()));
afterAll(() => db.close());

async function setup() {
  const clock = testClock();
  const tableName = await db.table();
  const store = createDynamoDbBatchStore({ tableName, client: db.client, now: clock.now, counterShards: 1, recordLeaseMs: 1_000 });
  await store.create({ id: 'b1', job: 'migrate', total: 2, createdAt: clock.now(), retentionMs: 3_600_000 });
  const marker = (job: string) => new PutItemCommand({ TableName: tableName, Item: { id: { S: `~batch#b1#j#${job}` }, outcome: { S: 'completed' }, state: { S: 'pending' }, owner: { S: 'crashed' }, ownerUntilMs: { N: String(clock.now() + 1_000) } } });
  return { clock, tableName, store, marker };
}

describe('dynamodb batch store: recovery after a crash mid-count', () => {
  it('a marker left pending (crash before counting) is counted once by the redelivery, after its owner lease', async () => {
    const { clock, store, marker } = await setup();
    await db.client.send(marker('j1'));
    expect(await store.record('b1', 'j1', 'completed')).toMatchObject({ status: 'duplicate' }); // the owner may still be at work
    expect(await store.progress('b1')).toMatchObject({ completed: 0 });
    clock.advance(1_000);
    expect(await store.record('b1', 'j1', 'completed')).toMatchObject({ status: 'recorded', outcome: 'completed' });
    expect(await store.record('b1', 'j1', 'completed')).toMatchObject({ status: 'duplicate' });
    expect(await store.progress('b1')).toMatchObject({ completed: 1, done: 1 });
  });

  it('a job counted but not marked (crash after the counter write) is not counted again', async () => {
    const { clock, tableName, store, marker } = await setup();
    await db.client.send(marker('j2'));
    await db.client.send(new UpdateItemCommand({ TableName: tableName, Key: { id: { S: '~batch#b1#n#0' } }, UpdateExpression: 'ADD nc :one, #p :id', ExpressionAttributeNames: { '#p': 'pending' }, ExpressionAttributeValues: { ':one': { N: '1' }, ':id': { SS: ['j2'] } } }));
    clock.advance(1_000);
    expect(await store.record('b1', 'j2', 'completed')).toMatchObject({ status: 'recorded' });
    expect(await store.progress('b1')).toMatchObject({ completed: 1, done: 1 });
    expect(await store.record('b1', 'j3', 'buried')).toMatchObject({ status: 'recorded', done: true });
    expect(await store.progress('b1')).toMatchObject({ completed: 1, buried: 1, done: 2 });
  });
});
