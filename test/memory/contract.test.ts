/**
 * The contract suite on the memory adapter, twice: on a manual clock (instant), and in real
 * time with short units, which exercises the suite's real-time path that SQS and Cloud Tasks use.
 */
import { createManualClock, createMemoryService } from '../../adapters/memory/index.ts';
import { runContractSuite } from '../contract/index.ts';

const capabilities = {
  touch: true,
  kick: true,
  listBuried: true,
  stats: 'exact',
  delay: true,
  dedupe: true,
  groups: true,
  priority: true,
} as const;

runContractSuite('memory (manual clock)', {
  capabilities: { ...capabilities, controllableClock: true, minLeaseMs: 1_000 },
  async create() {
    const clock = createManualClock();
    return { service: createMemoryService({ clock }), clock };
  },
});

runContractSuite('memory (real time)', {
  capabilities: { ...capabilities, controllableClock: false, minLeaseMs: 1, timeUnitMs: 150, settleMs: 1_000 },
  async create() {
    return { service: createMemoryService() };
  },
});
