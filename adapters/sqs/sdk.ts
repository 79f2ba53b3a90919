/**
 * The AWS SDK is an optional peer dependency, loaded on first use and only once: a Lambda
 * whose records all succeed never loads it, and nothing here runs at import time.
 */
import type * as SqsSdk from '@aws-sdk/client-sqs';
import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import { JobferryError } from '../../src/errors.ts';
import { lazyClient, lazyModule, type LazyClient } from '../../src/lazy-client.ts';

export type SqsSdkModule = typeof SqsSdk;
export type { SQSClient, SQSClientConfig };

/** `import('@aws-sdk/client-sqs')`, memoized. A failed import is not cached: it may be retried. */
export const loadSqsSdk = lazyModule(
  () => import('@aws-sdk/client-sqs'),
  (error) => new JobferryError('[sqs] loading @aws-sdk/client-sqs failed: install it (npm install @aws-sdk/client-sqs) or pass a client', { adapter: 'sqs', cause: error }),
);

/** Where a client comes from: one the caller made, or one made from `clientConfig` on first need. */
export interface ClientSource {
  client?: SQSClient | undefined;
  clientConfig?: SQSClientConfig | undefined;
}

export type ClientHandle = LazyClient<SqsSdkModule, SQSClient>;

export function clientHandle(source: ClientSource): ClientHandle {
  return lazyClient(loadSqsSdk, (sdk) => new sdk.SQSClient(source.clientConfig ?? {}), source.client);
}
