/**
 * dynalite (the npm DynamoDB emulator) in a child process of its own (workers/dynalite-server.ts)
 * on 127.0.0.1, with one idempotency table per run: the store every worker child shares,
 * through the real @aws-sdk/client-dynamodb.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createIdempotencyTable } from '../../../adapters/dynamodb/index.ts';
import type { IdempotencyConfig } from './child-config.ts';
import { within } from './wait.ts';

export interface IdempotencyBackend {
  readonly endpoint: string;
  /** A fresh, empty table for one run. */
  table(): Promise<IdempotencyConfig>;
  close(): Promise<void>;
}

let tables = 0;

export async function startIdempotencyBackend(): Promise<IdempotencyBackend> {
  const entry = fileURLToPath(new URL('../workers/dynalite-server.ts', import.meta.url));
  const child = spawn(process.execPath, [entry], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let port: number;
  try {
    port = await within(
      new Promise<number>((resolve, reject) => {
        child.once('message', (m: { type?: string; port?: number }) => (m?.type === 'listening' && typeof m.port === 'number' ? resolve(m.port) : reject(new Error(`dynalite: unexpected message ${JSON.stringify(m)}`))));
        void exited.then(() => reject(new Error('dynalite: the server process exited before it listened')));
      }),
      20_000,
      'dynalite listening',
    );
  } catch (error) {
    // A server that never said it listens (or said something else) must not outlive the run.
    child.kill('SIGKILL');
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    async table() {
      const table = `reliability-${process.pid}-${++tables}`;
      // dynalite has no UpdateTimeToLive; nothing here relies on TTL deletion.
      await createIdempotencyTable({ tableName: table, enableTtl: false, clientConfig: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } });
      return { endpoint, table };
    },
    async close() {
      child.kill('SIGTERM');
      await within(exited, 5_000, 'dynalite exiting').catch(() => child.kill('SIGKILL'));
    },
  };
}
