/** Fixtures for the memory adapter's own tests. */
import { createManualClock, createMemoryService, type ManualClock, type MemoryService, type MemoryServiceOptions } from '../../adapters/memory/index.ts';
import { makeOutgoing } from '../contract/fixtures.ts';

export { makeOutgoing };

/** A memory service on a manual clock. */
export function manualService(options: MemoryServiceOptions = {}): { service: MemoryService; clock: ManualClock } {
  const clock = createManualClock();
  return { service: createMemoryService({ clock, ...options }), clock };
}

export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
