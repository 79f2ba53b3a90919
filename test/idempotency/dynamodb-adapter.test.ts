/**
 * What is particular to the DynamoDB store: the item layout the docs promise (and IAM and TTL
 * rely on), its errors (missing table, silent server, foreign items), its options, its lazy SDK,
 * and two pipelines sharing one table, as two workers would.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbIdempotencyStore, createIdempotencyTable } from '../../adapters/dynamodb/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { IdempotencyError } from '../../src/idempotency/errors.ts';
import { chargeBody, chargeJob, deferred, delivery, testPipeline } from './helpers.ts';
import { startDynalite, type Dynalite } from './helpers/dynalite.ts';

let db: Dynalite;
beforeAll(async () => void (db = await startDynalite()));
afterAll(() => db.close());

const FP = 'f'.repeat(64);
const rejection = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as IdempotencyError);

describe('DynamoDB idempotency store', () => {
  it('writes the documented item: key, status, fingerprint, token, expiresAtMs and the TTL in seconds', async () => {
    const tableName = await db.table();
    const store = createDynamoDbIdempotencyStore({ tableName, client: db.client, now: () => 1_700_000_000_500 });
    const read = async () => (await db.client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: 'charge#p:1' } }, ConsistentRead: true }))).Item;

    const claim = await store.claim('charge#p:1', { fingerprint: FP, claimMs: 15_000 });
    expect(await read()).toEqual({
      id: { S: 'charge#p:1' },
      status: { S: 'in-progress' },
      fingerprint: { S: FP },
      token: { S: claim.status === 'acquired' ? claim.token : '' },
      expiresAtMs: { N: '1700000015500' },
      ttlSeconds: { N: '1700000016' },
    });
    await store.complete('charge#p:1', claim.status === 'acquired' ? claim.token : '', { fingerprint: FP, result: '{"ok":true}', retentionMs: 86_400_000 });
    expect(await read()).toEqual({
      id: { S: 'charge#p:1' },
      status: { S: 'completed' },
      fingerprint: { S: FP },
      expiresAtMs: { N: '1700086400500' },
      ttlSeconds: { N: '1700086401' },
      completedAtMs: { N: '1700000000500' },
      result: { S: '{"ok":true}' },
    });
  });

  it('at most once: writes a kept claim without the TTL attribute (TTL must never delete a job in doubt)', async () => {
    const tableName = await db.table();
    const store = createDynamoDbIdempotencyStore({ tableName, client: db.client, now: () => 1_700_000_000_500 });
    const claim = await store.claim('charge#p:2', { fingerprint: FP, claimMs: 15_000, keepAbandoned: true });
    const item = (await db.client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: 'charge#p:2' } }, ConsistentRead: true }))).Item;
    expect(item).toEqual({
      id: { S: 'charge#p:2' },
      status: { S: 'in-progress' },
      fingerprint: { S: FP },
      token: { S: claim.status === 'acquired' ? claim.token : '' },
      expiresAtMs: { N: '1700000015500' },
      keepAbandoned: { BOOL: true },
    });
  });

  it('answers acquired when the SDK retried a claim whose first PutItem had committed (its answer lost)', async () => {
    const tableName = await db.table();
    const client = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 3 });
    let lost = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if ((context as { commandName?: string }).commandName === 'PutItemCommand' && lost++ === 0) {
          throw Object.assign(new Error('the answer was lost on its way back'), { name: 'TimeoutError', $metadata: {} });
        }
        return result;
      },
      { step: 'deserialize', name: 'loseFirstAnswer' },
    );
    const store = createDynamoDbIdempotencyStore({ tableName, client });
    try {
      const claim = await store.claim('charge#p:3', { fingerprint: FP, claimMs: 15_000, keepAbandoned: true });
      expect(lost).toBe(2); // the first PutItem's answer was dropped, the retry ran
      expect(claim).toMatchObject({ status: 'acquired' });
      const item = (await db.client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: 'charge#p:3' } }, ConsistentRead: true }))).Item;
      expect(item?.token?.S).toBe(claim.status === 'acquired' ? claim.token : 'not acquired');
    } finally {
      client.destroy();
    }
  });

  it('takes its key and TTL attribute names from the options', async () => {
    const tableName = `custom-${process.pid}`;
    await createIdempotencyTable({ client: db.client, tableName, keyAttribute: 'pk', enableTtl: false });
    const store = createDynamoDbIdempotencyStore({ tableName, client: db.client, keyAttribute: 'pk', ttlAttribute: 'expires' });
    expect((await store.claim('k', { fingerprint: FP, claimMs: 1_000 })).status).toBe('acquired');
    const item = (await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'k' } } }))).Item;
    expect(Object.keys(item ?? {}).sort()).toEqual(['expires', 'expiresAtMs', 'fingerprint', 'pk', 'status', 'token']);
  });

  it('fails a claim on a missing table with a retryable IdempotencyError that names the table', async () => {
    const store = createDynamoDbIdempotencyStore({ tableName: 'no-such-table', client: db.client });
    const error = await rejection(store.claim('k', { fingerprint: FP, claimMs: 1_000 }));
    expect(error).toBeInstanceOf(IdempotencyError);
    expect(error.message).toMatch(/^\[dynamodb\] idempotency claim failed: table no-such-table does not exist/);
    expect(error.retryable).toBe(true);
  });

  it('gives up on a server that never answers after requestTimeoutMs', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const store = createDynamoDbIdempotencyStore({
      tableName: 'any-table',
      clientConfig: { endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 },
      requestTimeoutMs: 300,
    });
    const started = Date.now();
    const error = await rejection(store.claim('k', { fingerprint: FP, claimMs: 1_000 }));
    const waitedMs = Date.now() - started;
    await store.close?.();
    for (const socket of sockets) socket.destroy();
    silent.close();
    expect(error.message).toBe('[dynamodb] idempotency claim failed: no answer from DynamoDB within 300 ms');
    expect(waitedMs).toBeLessThan(5_000);
  });

  it('refuses to interpret an item it did not write', async () => {
    const tableName = await db.table();
    await db.client.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: 'k' }, status: { S: 'weird' } } }));
    const store = createDynamoDbIdempotencyStore({ tableName, client: db.client });
    const error = await rejection(store.claim('k', { fingerprint: FP, claimMs: 1_000 }));
    expect(error.message).toBe(`[dynamodb] idempotency claim failed: table ${tableName} holds an item for key k that this store did not write: status is "weird", not in-progress or completed`);
  });

  it('names every wrong option at construction', () => {
    let issues: readonly string[] = [];
    try {
      createDynamoDbIdempotencyStore({ tableName: 'x', keyAttribute: 'status', requestTimeoutMs: 0, client: {} as never, clientConfig: {}, region: 'eu' } as never);
    } catch (error) {
      issues = (error as ConfigError).issues;
    }
    expect(issues).toEqual([
      `dynamodb.tableName: must be 3-255 characters of letters, digits, '_', '-' or '.', got "x"`,
      'dynamodb.keyAttribute: "status" is an attribute the store writes itself',
      'dynamodb.requestTimeoutMs: must be a number of ms > 0, got 0',
      'dynamodb.clientConfig: give a client or a clientConfig, not both',
      'dynamodb.client: must be a DynamoDBClient (an object with send())',
      'dynamodb.region: unknown option (known: tableName, client, clientConfig, keyAttribute, ttlAttribute, requestTimeoutMs, now)',
    ]);
  });

  it("makes its own client from clientConfig and destroys only that one on close; a caller's client stays usable", async () => {
    const tableName = await db.table();
    const own = createDynamoDbIdempotencyStore({ tableName, clientConfig: { endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } } });
    expect((await own.claim('a', { fingerprint: FP, claimMs: 1_000 })).status).toBe('acquired');
    await own.close?.();
    const shared = createDynamoDbIdempotencyStore({ tableName, client: db.client });
    await shared.close?.();
    expect((await createDynamoDbIdempotencyStore({ tableName, client: db.client }).claim('a', { fingerprint: FP, claimMs: 1_000 })).status).toBe('in-progress');
  });

  it('two workers (two pipelines) on one table: 10 concurrent deliveries run the handler once', async () => {
    const tableName = await db.table();
    const gate = deferred();
    let running = 0;
    const jobs = [0, 1].map(() =>
      chargeJob({
        store: createDynamoDbIdempotencyStore({ tableName, client: db.client }),
        handler: async (p) => {
          running++;
          await gate.promise;
          return { charged: p.amountCents, running };
        },
      }),
    );
    const workers = jobs.map(({ job }) => testPipeline([job]).pipeline);
    const body = chargeBody({ orderId: 'o-9', amountCents: 500 });
    const outcomes = Array.from({ length: 10 }, (_, i) => workers[i % 2]!.run(delivery(body, { transportId: `m-${i}` })));
    // Nine settle while the gate holds the one that runs.
    let settled = 0;
    const nine = deferred();
    for (const o of outcomes) void o.then(() => ++settled === 9 && nine.resolve());
    await nine.promise;
    const runningWhileHeld = running;
    gate.resolve();
    const types = (await Promise.all(outcomes)).map((o) => o.type).sort();

    expect(runningWhileHeld).toBe(1);
    expect(types).toEqual(['completed', ...Array(9).fill('deferred')]);
    expect(jobs[0]!.runs.length + jobs[1]!.runs.length).toBe(1);
    expect(await workers[1]!.run(delivery(body))).toMatchObject({ type: 'completed', duplicate: true, result: { charged: 500, running: 1 } });
  });

  it('loads the SDK on the first store call, once, and neither it nor node:crypto for jobs without idempotency', () => {
    const script = fileURLToPath(new URL('./fixtures/cold-start.ts', import.meta.url));
    const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr).toBe('');
    const seen = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(seen).toMatchObject({ plain: 'completed', guarded: ['retry', 'retry'], sdkBeforeNeed: 0, cryptoBeforeNeed: 0, sdkImportsAfterNeed: 1 });
    expect(seen.guardedError).toMatch(/^\[dynamodb\] idempotency claim failed: .*ECONNREFUSED/);
  });
});
