/**
 * Turns on jobferry's idempotency for `ledger-task` in a child: the DynamoDB store on the
 * dynalite the parent runs (shared by every worker child), keyed by the envelope id, so a
 * redelivery of a completed job completes without running the handler again.
 *
 * The store is wrapped to write each recorded completion into the ledger (after the store
 * answered): the parent can then tell a duplicate whose first run never recorded its completion
 * (it was killed in between: the window idempotency cannot close) from one whose first run did
 * (a failure of jobferry).
 */
import { createHash } from 'node:crypto';
import type { DynamoDbIdempotencyStore } from '../../../adapters/dynamodb/index.ts';
import type { IdempotencyStore } from '../../../src/idempotency/index.ts';
import type { IdempotencyConfig } from './child-config.ts';
import { LEDGER_TASK } from './jobs.ts';
import type { LedgerWriter } from './ledger.ts';

/** Claims last the job's timeout plus this: a killed run blocks its job this long, then it runs again. */
export const CLAIM_MARGIN_MS = 1_500;

export async function idempotencyOption(config: IdempotencyConfig, ledger: LedgerWriter): Promise<Record<string, unknown>> {
  const store = await openStore(config);
  return { idempotency: { store: recordingStore(store, ledger), key: 'id', claimMarginMs: CLAIM_MARGIN_MS, ifAbandoned: config.ifAbandoned ?? 'run' } };
}

/** The store the children share; the parent opens it too, to settle jobs in doubt as an operator would. */
export async function openStore(config: IdempotencyConfig): Promise<DynamoDbIdempotencyStore> {
  const { createDynamoDbIdempotencyStore } = await import('../../../adapters/dynamodb/index.ts');
  return createDynamoDbIdempotencyStore({
    tableName: config.table,
    clientConfig: { endpoint: config.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 },
  });
}

function recordingStore(store: IdempotencyStore, ledger: LedgerWriter): IdempotencyStore {
  return {
    name: store.name,
    claim: (key, options) => store.claim(key, options),
    async complete(key, token, options) {
      const recorded = await store.complete(key, token, options);
      ledger.write('stored', key, 0, String(recorded));
      return recorded;
    },
    release: (key, token) => store.release(key, token),
    forget: store.forget ? (key) => store.forget!(key) : undefined,
    close: store.close ? () => store.close!() : undefined,
  };
}

/** The store key of a `ledger-task` job with `key: 'id'` (src/idempotency/keys.ts: `<job>#i:<sha256(id)>`). */
export function storeKeyOf(jobId: string): string {
  return `${LEDGER_TASK}#i:${createHash('sha256').update(jobId, 'utf8').digest('hex')}`;
}
