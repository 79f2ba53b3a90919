/**
 * jobferry/dynamodb: the DynamoDB idempotency store. @aws-sdk/client-dynamodb is an optional
 * peer dependency, loaded on the first store call, once.
 *
 * @example
 * ```ts
 * import { createDynamoDbIdempotencyStore } from 'jobferry/dynamodb';
 * const store = createDynamoDbIdempotencyStore({ tableName: 'jobferry-idempotency' });
 * ```
 */
export { createDynamoDbIdempotencyStore } from './store.ts';
export type { DynamoDbIdempotencyStore } from './store.ts';
export type { DynamoDbIdempotencyStoreOptions } from './options.ts';
export { createIdempotencyTable, idempotencyTableInput } from './table.ts';
export type { IdempotencyTableOptions } from './table.ts';
// Batches and continuations: the same table layout (createIdempotencyTable makes it).
export { createDynamoDbBatchStore } from './batch-store.ts';
export type { DynamoDbBatchStore, DynamoDbBatchStoreOptions } from './batch-store.ts';
export { createDynamoDbChainStore } from './chain-store.ts';
export type { DynamoDbChainStore, DynamoDbChainStoreOptions } from './chain-store.ts';
