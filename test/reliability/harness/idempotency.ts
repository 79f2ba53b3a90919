/**
 * Turns on jobferry's idempotency for `ledger-task` in a child: the DynamoDB store on the
 * dynalite the parent runs (shared by every worker child), keyed by the envelope id, so a
 * redelivery of a completed job completes without running the handler again.
 */
import type { IdempotencyConfig } from './child-config.ts';

/** Claims last the job's timeout plus this: a killed run blocks its job this long, then it runs again. */
export const CLAIM_MARGIN_MS = 1_500;

export async function idempotencyOption(config: IdempotencyConfig): Promise<Record<string, unknown>> {
  const { createDynamoDbIdempotencyStore } = await import('../../../adapters/dynamodb/index.ts');
  const store = createDynamoDbIdempotencyStore({
    tableName: config.table,
    clientConfig: { endpoint: config.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 },
  });
  return { idempotency: { store, key: 'id', claimMarginMs: CLAIM_MARGIN_MS } };
}
