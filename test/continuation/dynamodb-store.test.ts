/** The chain store contract on the DynamoDB store, through the real SDK, against dynalite. */
import { afterAll, beforeAll } from 'vitest';
import { createDynamoDbChainStore } from '../../adapters/dynamodb/chain-store.ts';
import { startDynalite, type Dynalite } from '../idempotency/helpers/dynalite.ts';
import { runChainStoreSuite } from './store-suite.ts';

let db: Dynalite;
beforeAll(async () => void (db = await startDynalite()));
afterAll(() => db.close());

runChainStoreSuite('dynamodb (dynalite)', {
  async create(clock) {
    return { store: createDynamoDbChainStore({ tableName: await db.table(), client: db.client, now: clock.now }) };
  },
});
