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

export const jobs = [sendWelcomeEmail, syncInventory, chargePayment, rebuildSearchIndex];
