/** The producer side of idempotency: a job keyed by dedupeKey is refused at enqueue without one. */
import { describe, expect, it } from 'vitest';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { ValidationError } from '../../src/errors.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { createQueue } from '../../src/queue.ts';
import { chargeJob } from './helpers.ts';

describe('enqueue of an idempotent job', () => {
  it("refuses a job keyed by dedupeKey that has none, and sends nothing; sends it with one", async () => {
    const { job } = chargeJob({ store: createMemoryIdempotencyStore(), idempotency: { key: 'dedupeKey' } });
    const service = createMemoryService();
    const queue = createQueue({ service, jobs: [job] });

    const refused = await queue.enqueue(job, { orderId: 'o-1', amountCents: 5 }).then(() => undefined, (e: unknown) => e);
    const empty = await queue.enqueue(job, { orderId: 'o-1', amountCents: 5 }, { dedupeKey: '' }).then(() => undefined, (e: unknown) => e);
    await queue.enqueue(job, { orderId: 'o-1', amountCents: 5 }, { dedupeKey: 'order-o-1' });

    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as Error).message).toBe("[memory] enqueue of job charge rejected: its idempotency key is the envelope's dedupeKey: enqueue it with { dedupeKey }");
    expect(empty).toBeInstanceOf(ValidationError);
    expect(await service.stats()).toMatchObject({ ready: 1 });
  });

  it('sends jobs keyed by their payload with or without a dedupeKey', async () => {
    const { job } = chargeJob({ store: createMemoryIdempotencyStore() });
    const service = createMemoryService();
    await createQueue({ service, jobs: [job] }).enqueue(job, { orderId: 'o-1', amountCents: 5 });
    expect(await service.stats()).toMatchObject({ ready: 1 });
  });
});
