/** Fixtures for the memory adapter's own tests. */
import { createManualClock, createMemoryService, type ManualClock, type MemoryService, type MemoryServiceOptions } from '../../adapters/memory/index.ts';
import { makeOutgoing } from '../contract/fixtures.ts';

export { makeOutgoing };

/** A memory service on a manual clock. */
export function manualService(options: MemoryServiceOptions = {}): { service: MemoryService; clock: ManualClock } {
  const clock = createManualClock();
  return { service: createMemoryService({ clock, ...options }), clock };
}

import { deferred, type Deferred } from '../support/deferred.ts';

export { deferred, type Deferred };
