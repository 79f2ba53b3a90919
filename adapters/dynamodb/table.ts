/**
 * The table an idempotency store needs, for local development and tests (production tables
 * belong in infrastructure code: see the schema in src/idempotency/README.md).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { IdempotencyError } from '../../src/idempotency/errors.ts';
import { describeError } from '../../src/errors.ts';
import { dynamoDbClientHandle, type DynamoDBClient, type DynamoDBClientConfig } from './sdk.ts';

export interface IdempotencyTableOptions {
  tableName: string;
  client?: DynamoDBClient;
  clientConfig?: DynamoDBClientConfig;
  /** Default `id`. */
  keyAttribute?: string;
  /** Default `ttlSeconds`. */
  ttlAttribute?: string;
  /** Turn DynamoDB TTL on for `ttlAttribute` (some emulators lack UpdateTimeToLive). Default true. */
  enableTtl?: boolean;
  /** How long to wait for the table to become ACTIVE. Default 60000. */
  activeTimeoutMs?: number;
}

/** The CreateTable input: on-demand billing, one string partition key. */
export function idempotencyTableInput(tableName: string, keyAttribute = 'id'): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: keyAttribute, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: keyAttribute, KeyType: 'HASH' }],
  };
}

/** Creates the table (an existing one is left as it is), waits until it is ACTIVE, and turns TTL on. */
export async function createIdempotencyTable(options: IdempotencyTableOptions): Promise<void> {
  const handle = dynamoDbClientHandle(options);
  const { sdk, client } = await handle.get();
  const { tableName } = options;
  try {
    try {
      await client.send(new sdk.CreateTableCommand(idempotencyTableInput(tableName, options.keyAttribute)));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    }
    const deadline = Date.now() + (options.activeTimeoutMs ?? 60_000);
    for (;;) {
      const { Table } = await client.send(new sdk.DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`table ${tableName} is still ${Table?.TableStatus ?? 'unknown'}`);
      // DynamoDB offers no signal for this: DescribeTable is the documented way to wait.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (options.enableTtl !== false) {
      await client.send(new sdk.UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: options.ttlAttribute ?? 'ttlSeconds', Enabled: true } }));
    }
  } catch (error) {
    const { name, message } = describeError(error);
    throw new IdempotencyError('dynamodb', 'table setup', `${tableName}: ${name}: ${message}`, { cause: error, retryable: false });
  } finally {
    handle.close();
  }
}
