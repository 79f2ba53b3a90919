/**
 * dynalite (the npm DynamoDB emulator) in the parent, on 127.0.0.1, with one idempotency table
 * per run: the store every worker child shares, through the real @aws-sdk/client-dynamodb.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createIdempotencyTable } from '../../../adapters/dynamodb/index.ts';
import type { IdempotencyConfig } from './child-config.ts';

export interface IdempotencyBackend {
  readonly endpoint: string;
  /** A fresh, empty table for one run. */
  table(): Promise<IdempotencyConfig>;
  close(): Promise<void>;
}

let tables = 0;

export async function startIdempotencyBackend(): Promise<IdempotencyBackend> {
  // A CommonJS package without type declarations.
  const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    async table() {
      const table = `reliability-${process.pid}-${++tables}`;
      // dynalite has no UpdateTimeToLive; nothing here relies on TTL deletion.
      await createIdempotencyTable({ tableName: table, enableTtl: false, clientConfig: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } });
      return { endpoint, table };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
