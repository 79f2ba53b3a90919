/**
 * jobferry/testing: helpers for testing your own jobs, with no cloud and no Docker.
 * Transport-specific helpers have their own entries, so a test loads only what it uses:
 * `jobferry/testing/sqs` (SQS emulator, Lambda event source simulator, event fixtures),
 * `jobferry/testing/cloud-tasks` (the Cloud Tasks emulator) and `jobferry/testing/contract`
 * (the JobService contract suite, for authors of new adapters).
 *
 * @example
 * ```ts
 * import { createManualClock, createMemoryService } from 'jobferry/testing';
 * const clock = createManualClock();
 * const service = createMemoryService({ clock });
 * ```
 */
export { createManualClock, createMemoryDispatcher, createMemoryService } from '../adapters/memory/index.ts';
export type { ManualClock, MemoryClock, MemoryService } from '../adapters/memory/index.ts';
export { createMemoryLogger } from './logger.ts';
export { createEnvelope, encodeEnvelope } from './envelope.ts';
