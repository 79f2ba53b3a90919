/**
 * The exclusive-jobs scenarios (scenario.ts) with the lock users deploy across processes: the
 * DynamoDB idempotency store (the real @aws-sdk/client-dynamodb against dynalite), each worker
 * process with its own DynamoDB client and its own SQS client, on the SQS emulator.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createDynamoDbIdempotencyStore } from '../../adapters/dynamodb/index.ts';
import type { IdempotencyStore } from '../../src/idempotency/store.ts';
import { startDynalite, type Dynalite } from '../idempotency/helpers/dynalite.ts';
import { sqsTransport } from '../patterns/transports.ts';
import { runCrashedHolderScenario, runLedgerScenario } from './scenario.ts';

let db: Dynalite;
const clients: DynamoDBClient[] = [];
beforeAll(async () => void (db = await startDynalite()));
afterAll(async () => {
  for (const client of clients) client.destroy();
  await db?.close();
});

/** A process's own client on the table, as each Lambda or container has. */
function lockOn(tableName: string): () => IdempotencyStore {
  return () => {
    const client = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    clients.push(client);
    return createDynamoDbIdempotencyStore({ tableName, client });
  };
}

describe('exclusive jobs with the DynamoDB lock (dynalite) on the SQS emulator', () => {
  it('never runs two jobs with one key at once: 12 jobs on 3 keys, 3 workers of 4 slots; every job runs once', async () => {
    const transport = await sqsTransport('exclusive-ddb', 1_000);
    try {
      await runLedgerScenario({ transport, store: lockOn(await db.table()), keys: 3, jobsPerKey: 4, workers: 3, slots: 4, holdMs: (n) => 20 + (n % 5) * 10, retryDelayMs: 200, withinMs: 30_000 });
    } finally {
      await transport.close();
    }
  }, 60_000);

  it("a holder whose worker died frees the key when its lease ends; the waiting job and the dead worker's job then run", async () => {
    const transport = await sqsTransport('exclusive-ddb-crash', 1_000);
    try {
      await runCrashedHolderScenario({ transport, store: lockOn(await db.table()), timeoutMs: 500, leaseMarginMs: 200, retryDelayMs: 200 });
    } finally {
      await transport.close();
    }
  }, 30_000);
});
