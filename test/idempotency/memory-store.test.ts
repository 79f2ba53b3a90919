/** The idempotency store contract on the in-memory store. */
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { runIdempotencyStoreSuite } from './store-suite.ts';

runIdempotencyStoreSuite('memory', {
  async create(clock) {
    return { store: createMemoryIdempotencyStore({ now: clock.now }) };
  },
});
