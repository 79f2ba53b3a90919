/** The chain store contract on the memory store. */
import { createMemoryChainStore } from '../../src/continuation/memory-store.ts';
import { runChainStoreSuite } from './store-suite.ts';

runChainStoreSuite('memory', { create: async (clock) => ({ store: createMemoryChainStore({ now: clock.now }) }) });
