/**
 * Child process: dynalite (the DynamoDB emulator) on 127.0.0.1, in a process of its own so that
 * the idempotency store's traffic does not share an event loop with the SQS emulator and the
 * harness. Sends `{ type: 'listening', port }` over IPC; exits when the parent goes.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

// A CommonJS package without type declarations.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: Record<string, unknown>) => Server;
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve());
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
