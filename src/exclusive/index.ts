/** Exclusive jobs: at most one job per key runs at a time, across processes and adapters. */
export type { ExclusiveOptions, ExclusiveSettings } from './options.ts';
export { exclusiveStoreKey } from './step.ts';
