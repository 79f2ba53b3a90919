/** The batch store contract on the memory store. */
import { createMemoryBatchStore } from '../../src/batch/memory-store.ts';
import { runBatchStoreSuite } from './store-suite.ts';

runBatchStoreSuite('memory', { create: async (clock) => ({ store: createMemoryBatchStore({ now: clock.now }) }) });
