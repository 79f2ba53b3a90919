/** The idempotency store contract on the DynamoDB store, through the real SDK, against dynalite. */
import { afterAll, beforeAll } from 'vitest';
import { createDynamoDbIdempotencyStore } from '../../adapters/dynamodb/index.ts';
import { startDynalite, type Dynalite } from './helpers/dynalite.ts';
import { runIdempotencyStoreSuite } from './store-suite.ts';

let db: Dynalite;
beforeAll(async () => void (db = await startDynalite()));
afterAll(() => db.close());

runIdempotencyStoreSuite('dynamodb (dynalite)', {
  async create(clock) {
    return { store: createDynamoDbIdempotencyStore({ tableName: await db.table(), client: db.client, now: clock.now }) };
  },
});
