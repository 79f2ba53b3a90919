/**
 * @aws-sdk/client-dynamodb is an optional peer dependency, loaded on the first store call and
 * only once; nothing here runs at import time. A caller may pass its own client.
 */
import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { describeError } from '../../src/errors.ts';
import { IdempotencyError } from '../../src/idempotency/errors.ts';
import { lazyClient, lazyModule, type LazyClient } from '../../src/lazy-client.ts';

export type DynamoDbSdkModule = typeof DynamoDbSdk;
export type { DynamoDBClient, DynamoDBClientConfig };

const SDK_MISSING = 'loading @aws-sdk/client-dynamodb failed: install it (npm install @aws-sdk/client-dynamodb) or pass a client';

/** `import('@aws-sdk/client-dynamodb')`, memoized. A failed import is not cached: it may be retried. */
export const loadDynamoDbSdk = lazyModule(
  () => import('@aws-sdk/client-dynamodb'),
  (error) => new IdempotencyError('dynamodb', 'setup', SDK_MISSING, { cause: error }),
);

export interface DynamoDbClientSource {
  client?: DynamoDBClient | undefined;
  clientConfig?: DynamoDBClientConfig | undefined;
}

export type DynamoDbClientHandle = LazyClient<DynamoDbSdkModule, DynamoDBClient>;

export function dynamoDbClientHandle(source: DynamoDbClientSource): DynamoDbClientHandle {
  return lazyClient(loadDynamoDbSdk, (sdk) => new sdk.DynamoDBClient(source.clientConfig ?? {}), source.client);
}

/** One store's error type: `new StoreError('dynamodb', operation, why, { cause })`. */
export type StoreErrorClass<E extends Error> = new (store: string, operation: string, why: string, options?: { cause?: unknown }) => E;

export type StoreCall<T> = (sdk: DynamoDbSdkModule, client: DynamoDBClient, options: { abortSignal: AbortSignal }) => Promise<T>;

/** A failed condition is an answer, not an error: `item` is the item that failed it, if returned. */
export type SendResult<T> = { ok: true; output: T } | { ok: false; item: Record<string, AttributeValue> | undefined };

/**
 * Sends one command within `requestTimeoutMs`. A failed condition comes back as `{ ok: false }`;
 * every other failure is thrown as the store's own error type, saying what went wrong.
 */
export function storeSender<E extends Error>(handle: DynamoDbClientHandle, settings: { requestTimeoutMs: number; tableName: string }, StoreError: StoreErrorClass<E>) {
  const { requestTimeoutMs, tableName } = settings;
  return async <T>(operation: string, call: StoreCall<T>): Promise<SendResult<T>> => {
    let sdk: DynamoDbSdkModule;
    let client: DynamoDBClient;
    try {
      ({ sdk, client } = await handle.get());
    } catch (error) {
      // The loader's error names the idempotency store: each store reports it as its own.
      if (error instanceof StoreError) throw error;
      const { name, message } = describeError(error);
      throw new StoreError('dynamodb', 'setup', error instanceof IdempotencyError ? SDK_MISSING : `${name}: ${message}`, { cause: error });
    }
    try {
      return { ok: true, output: await call(sdk, client, { abortSignal: AbortSignal.timeout(requestTimeoutMs) }) };
    } catch (error) {
      if ((error as { name?: unknown })?.name === 'ConditionalCheckFailedException') return { ok: false, item: (error as { Item?: Record<string, AttributeValue> }).Item };
      if (error instanceof StoreError) throw error;
      const { name, message } = describeError(error);
      if (name === 'AbortError' || name === 'TimeoutError') throw new StoreError('dynamodb', operation, `no answer from DynamoDB within ${requestTimeoutMs} ms`, { cause: error });
      if (name === 'ResourceNotFoundException') throw new StoreError('dynamodb', operation, `table ${tableName} does not exist (${message})`, { cause: error });
      throw new StoreError('dynamodb', operation, `${name}: ${message}`, { cause: error });
    }
  };
}
