/**
 * jobferry/memory: the in-memory transport and its push-mode dispatcher.
 *
 * @example
 * ```ts
 * import { createMemoryService, createMemoryDispatcher } from 'jobferry/memory';
 * const service = createMemoryService({ queue: 'emails' });
 * const dispatcher = createMemoryDispatcher({ service, concurrency: 4, deliver: async (job) => { ... } });
 * dispatcher.start();
 * ```
 */
export { createMemoryService } from './service.ts';
export type { MemoryService } from './service.ts';
export type { MemoryServiceOptions } from './options.ts';
export { createMemoryDispatcher } from './dispatcher.ts';
export type { MemoryDispatcher, MemoryDispatcherOptions } from './dispatcher.ts';
export { createManualClock, systemClock } from './clock.ts';
export type { ManualClock, MemoryClock } from './clock.ts';
