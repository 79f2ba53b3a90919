/**
 * dynalite (an in-process DynamoDB emulator on LevelDB in memory) on 127.0.0.1, a free port,
 * and the REAL @aws-sdk/client-dynamodb pointed at it. One emulator per test file; one fresh
 * table per test.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createIdempotencyTable } from '../../../adapters/dynamodb/table.ts';

export interface Dynalite {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Creates an empty table with a fresh name and resolves to the name. */
  table(): Promise<string>;
  close(): Promise<void>;
}

let tables = 0;

export async function startDynalite(): Promise<Dynalite> {
  // A CommonJS package without type declarations.
  const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  return {
    endpoint,
    client,
    async table() {
      const tableName = `idempotency-${process.pid}-${++tables}`;
      // dynalite has no UpdateTimeToLive: TTL deletion is DynamoDB's business, the store never relies on it.
      await createIdempotencyTable({ client, tableName, enableTtl: false });
      return tableName;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
