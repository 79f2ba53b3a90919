/**
 * @aws-sdk/client-dynamodb is an optional peer dependency, loaded on the first store call and
 * only once; nothing here runs at import time. A caller may pass its own client.
 */
import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { IdempotencyError } from '../../src/idempotency/errors.ts';
import { lazyClient, lazyModule, type LazyClient } from '../../src/lazy-client.ts';

export type DynamoDbSdkModule = typeof DynamoDbSdk;
export type { DynamoDBClient, DynamoDBClientConfig };

/** `import('@aws-sdk/client-dynamodb')`, memoized. A failed import is not cached: it may be retried. */
export const loadDynamoDbSdk = lazyModule(
  () => import('@aws-sdk/client-dynamodb'),
  (error) => new IdempotencyError('dynamodb', 'setup', 'loading @aws-sdk/client-dynamodb failed: install it (npm install @aws-sdk/client-dynamodb) or pass a client', { cause: error }),
);

export interface DynamoDbClientSource {
  client?: DynamoDBClient | undefined;
  clientConfig?: DynamoDBClientConfig | undefined;
}

export type DynamoDbClientHandle = LazyClient<DynamoDbSdkModule, DynamoDBClient>;

export function dynamoDbClientHandle(source: DynamoDbClientSource): DynamoDbClientHandle {
  return lazyClient(loadDynamoDbSdk, (sdk) => new sdk.DynamoDBClient(source.clientConfig ?? {}), source.client);
}
