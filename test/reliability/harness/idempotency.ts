/**
 * Turns on jobferry's idempotency for `ledger-task` in a child: a DynamoDB store on the dynalite
 * the parent runs, shared by every worker, keyed by the job id.
 */
import type { IdempotencyConfig } from './child-config.ts';

export async function idempotencyOption(config: IdempotencyConfig): Promise<Record<string, unknown>> {
  void config;
  throw new Error('idempotency is not in the core yet: src/idempotency/ is missing');
}
