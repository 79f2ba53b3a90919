/**
 * The reference app's jobs: one module shared by every entry (local dev server, Lambda, Cloud
 * Run, pull worker). Changing the carrier never changes this file.
 *
 * - `send-welcome-email` succeeds;
 * - `sync-inventory` calls a flaky dependency and succeeds on a later attempt;
 * - `charge-payment` has a strict schema: bad input is refused at enqueue, and buried with the
 *   schema issues if it arrives anyway (from a producer that skipped validation);
 * - `rebuild-search-index` is a long job: it works in slices, keeps its lease alive with
 *   touch(), and stops cleanly when its deadline nears or its signal aborts.
 */
import { z } from 'zod';
import { defineJob, PermanentError, RetryLaterError } from '../src/index.ts';
import { batchSummarySchema, createMemoryBatchStore } from '../src/batch/index.ts';

export const sendWelcomeEmail = defineJob({
  name: 'send-welcome-email',
  schema: z.object({ to: z.email(), name: z.string().min(1).max(200) }),
  maxAttempts: 3,
  timeoutMs: 10_000,
  async handler(payload, ctx) {
    // A real app calls its mail provider here, passing ctx.signal so a timeout cancels it.
    ctx.logger.log('info', { event: 'app.email-sent', detail: `welcome e-mail for ${payload.name}` });
    return { delivered: true };
  },
});

/**
 * Stands in for an inventory service that is briefly unavailable: the first two deliveries of
 * a job fail (the second with a Retry-After hint), the third succeeds.
 */
export const syncInventory = defineJob({
  name: 'sync-inventory',
  schema: z.object({ sku: z.string().regex(/^[A-Z0-9-]{3,32}$/), quantity: z.int().min(0) }),
  maxAttempts: 5,
  backoff: { type: 'list', delaysMs: [500, 1_000, 2_000] },
  async handler(payload, ctx) {
    if (ctx.attempt === 1) throw new Error(`inventory service unavailable for ${payload.sku}`);
    if (ctx.attempt === 2) throw new RetryLaterError('inventory service is rate limiting', 750);
    return { sku: payload.sku, synced: payload.quantity };
  },
});

export const chargePayment = defineJob({
  name: 'charge-payment',
  schema: z.strictObject({
    orderId: z.uuid(),
    amountCents: z.int().positive().max(100_000_000),
    currency: z.enum(['EUR', 'USD', 'GBP']),
    cardToken: z.string().min(8),
  }),
  maxAttempts: 4,
  timeoutMs: 15_000,
  // Never logged in clear, even with logPayload on.
  secretFields: ['cardToken'],
  async handler(payload) {
    if (payload.amountCents > 50_000_000) {
      // Retrying cannot help: the job is buried at once with this reason.
      throw new PermanentError(`amount ${payload.amountCents} exceeds the single-charge limit`);
    }
    return { charged: payload.amountCents, currency: payload.currency };
  },
});

export const rebuildSearchIndex = defineJob({
  name: 'rebuild-search-index',
  schema: z.object({ index: z.string().min(1), documents: z.int().min(1).max(10_000_000), sliceMs: z.int().min(1).max(5_000).default(20) }),
  timeoutMs: 120_000,
  ttrSeconds: 30,
  async handler(payload, ctx) {
    const perSlice = 1_000;
    let done = 0;
    let touchedAt = Date.now();
    while (done < payload.documents) {
      if (ctx.signal.aborted) throw new Error(`stopped after ${done} of ${payload.documents} documents`);
      // Leave a margin before the deadline rather than be cut off mid-slice.
      if (Date.now() + payload.sliceMs * 2 > ctx.deadline) throw new Error(`deadline near after ${done} of ${payload.documents} documents`);
      await new Promise((resolve) => setTimeout(resolve, payload.sliceMs));
      done = Math.min(payload.documents, done + perSlice);
      // The pull worker also touches on its own past half the lease; an explicit touch is for
      // work whose pace the handler knows best. Push transports answer false: nothing to extend.
      if (Date.now() - touchedAt > 5_000) {
        await ctx.touch();
        touchedAt = Date.now();
      }
    }
    return { index: payload.index, documents: done };
  },
});

/**
 * Where the app's batches are counted. Locally (`jobferry dev`) a memory store; a deployment
 * uses a shared one, e.g. createDynamoDbBatchStore({ tableName }) from jobferry/dynamodb.
 */
export const batchStore = createMemoryBatchStore();

/** Runs once when a customer migration is done, with its counts. */
export const customerMigrationFinished = defineJob({
  name: 'customer-migration-finished',
  schema: batchSummarySchema,
  handler(summary, ctx) {
    const { completed, failed, buried, cancelled, total } = summary;
    ctx.logger.log('info', { event: 'app.migration-finished', detail: `batch ${summary.batchId}: ${completed} of ${total} customers migrated`, completed, failed, buried, cancelled });
    return { completed, failed, buried, cancelled };
  },
});

/**
 * A data migration over many records, one job per customer, enqueued as one batch:
 *   jobferry batch start migrate-customer @customers.ndjson --watch
 * The plan mapping is fetched once for the whole batch (prefetch) and read by every job as
 * ctx.batch.prefetch. Customers without a billing address (every 97th) cannot be migrated:
 * buried. The database is busy now and then (every 53rd, first attempt): retried.
 */
export const migrateCustomer = defineJob({
  name: 'migrate-customer',
  schema: z.object({ customerId: z.int().positive(), plan: z.enum(['basic', 'pro', 'team']).default('basic') }),
  maxAttempts: 3,
  backoff: { type: 'fixed', delayMs: 250 },
  timeoutMs: 10_000,
  batch: {
    store: batchStore,
    finished: customerMigrationFinished,
    prefetch: () => ({ plans: { basic: 'starter', pro: 'growth', team: 'business' }, fetchedAt: new Date().toISOString() }),
  },
  async handler(payload, ctx) {
    const plans = (ctx.batch?.prefetch as { plans?: Record<string, string> } | undefined)?.plans;
    if (plans === undefined) throw new PermanentError('migrate-customer runs in a batch (queue.batch): the plan mapping is its prefetch');
    // Stands in for reading the old record and writing the new one.
    await new Promise((resolve) => setTimeout(resolve, 5 + (payload.customerId % 15)));
    if (payload.customerId % 97 === 0) throw new PermanentError(`customer ${payload.customerId} has no billing address`);
    if (payload.customerId % 53 === 0 && ctx.attempt === 1) throw new Error('database busy');
    return { customerId: payload.customerId, plan: plans[payload.plan] };
  },
});

export const jobs = [sendWelcomeEmail, syncInventory, chargePayment, rebuildSearchIndex, migrateCustomer, customerMigrationFinished];
