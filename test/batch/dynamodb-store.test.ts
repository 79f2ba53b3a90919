/** The batch store contract on the DynamoDB store, through the real SDK, against dynalite. */
import { afterAll, beforeAll } from 'vitest';
import { createDynamoDbBatchStore } from '../../adapters/dynamodb/batch-store.ts';
import { startDynalite, type Dynalite } from '../idempotency/helpers/dynalite.ts';
import { runBatchStoreSuite } from './store-suite.ts';

let db: Dynalite;
beforeAll(async () => void (db = await startDynalite()));
afterAll(() => db.close());

runBatchStoreSuite('dynamodb (dynalite)', {
  async create(clock) {
    return { store: createDynamoDbBatchStore({ tableName: await db.table(), client: db.client, now: clock.now, counterShards: 3 }) };
  },
});
