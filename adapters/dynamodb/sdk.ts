/**
 * @aws-sdk/client-dynamodb is an optional peer dependency, loaded on the first store call and
 * only once; nothing here runs at import time. A caller may pass its own client.
 */
import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { IdempotencyError } from '../../src/idempotency/errors.ts';

export type DynamoDbSdkModule = typeof DynamoDbSdk;
export type { DynamoDBClient, DynamoDBClientConfig };

let loading: Promise<DynamoDbSdkModule> | undefined;

/** `import('@aws-sdk/client-dynamodb')`, memoized. A failed import is not cached: it may be retried. */
export function loadDynamoDbSdk(): Promise<DynamoDbSdkModule> {
  loading ??= import('@aws-sdk/client-dynamodb').catch((error: unknown) => {
    loading = undefined;
    throw new IdempotencyError('dynamodb', 'setup', 'loading @aws-sdk/client-dynamodb failed: install it (npm install @aws-sdk/client-dynamodb) or pass a client', { cause: error });
  });
  return loading;
}

export interface DynamoDbClientSource {
  client?: DynamoDBClient | undefined;
  clientConfig?: DynamoDBClientConfig | undefined;
}

export interface DynamoDbClientHandle {
  /** The SDK module and the client, made once. */
  get(): Promise<{ sdk: DynamoDbSdkModule; client: DynamoDBClient }>;
  /** Destroys the client if this handle made it; a caller's client is left alone. */
  close(): void;
}

export function dynamoDbClientHandle(source: DynamoDbClientSource): DynamoDbClientHandle {
  let made: Promise<{ sdk: DynamoDbSdkModule; client: DynamoDBClient }> | undefined;
  let owned: DynamoDBClient | undefined;
  return {
    get() {
      made ??= loadDynamoDbSdk().then(
        (sdk) => ({ sdk, client: source.client ?? (owned = new sdk.DynamoDBClient(source.clientConfig ?? {})) }),
        (error: unknown) => {
          made = undefined;
          throw error;
        },
      );
      return made;
    },
    close() {
      owned?.destroy();
      owned = undefined;
      made = undefined;
    },
  };
}
