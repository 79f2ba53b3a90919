/**
 * The AWS SDK is an optional peer dependency, loaded on first use and only once: a Lambda
 * whose records all succeed never loads it, and nothing here runs at import time.
 */
import type * as SqsSdk from '@aws-sdk/client-sqs';
import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import { JobferryError } from '../../src/errors.ts';

export type SqsSdkModule = typeof SqsSdk;
export type { SQSClient, SQSClientConfig };

let loading: Promise<SqsSdkModule> | undefined;

/** `import('@aws-sdk/client-sqs')`, memoized. A failed import is not cached: it may be retried. */
export function loadSqsSdk(): Promise<SqsSdkModule> {
  loading ??= import('@aws-sdk/client-sqs').catch((error: unknown) => {
    loading = undefined;
    throw new JobferryError('[sqs] loading @aws-sdk/client-sqs failed: install it (npm install @aws-sdk/client-sqs) or pass a client', {
      adapter: 'sqs',
      cause: error,
    });
  });
  return loading;
}

/** Where a client comes from: one the caller made, or one made from `clientConfig` on first need. */
export interface ClientSource {
  client?: SQSClient | undefined;
  clientConfig?: SQSClientConfig | undefined;
}

export interface ClientHandle {
  /** The SDK module and the client, made once. */
  get(): Promise<{ sdk: SqsSdkModule; client: SQSClient }>;
  /** Destroys the client if this handle made it; a caller's client is left alone. */
  close(): void;
}

export function clientHandle(source: ClientSource): ClientHandle {
  let made: Promise<{ sdk: SqsSdkModule; client: SQSClient }> | undefined;
  let owned: SQSClient | undefined;
  return {
    get() {
      made ??= loadSqsSdk().then(
        (sdk) => {
          const client = source.client ?? (owned = new sdk.SQSClient(source.clientConfig ?? {}));
          return { sdk, client };
        },
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
