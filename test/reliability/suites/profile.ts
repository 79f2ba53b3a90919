/**
 * The two sizes of every suite: `ci` (the vitest tests, light enough for a shared 2-core
 * machine) and `full` (`npm run reliability`, the figures of the README table).
 */
export type Profile = 'ci' | 'full';

export interface KillSettings {
  jobs: number;
  workers: number;
  killEveryMs: number;
  minKills: number;
  /** The killer stops after this many (CI); the full run kills until every job is done. */
  maxKills?: number;
  workMs: readonly [number, number];
  leaseMs: number;
  concurrency: number;
  timeoutMs: number;
  settleTimeoutMs: number;
}

export const KILL: Record<Profile, KillSettings> = {
  ci: { jobs: 300, workers: 3, killEveryMs: 200, minKills: 5, maxKills: 5, workMs: [5, 50], leaseMs: 2_000, concurrency: 16, timeoutMs: 60_000, settleTimeoutMs: 15_000 },
  full: { jobs: 10_000, workers: 4, killEveryMs: 200, minKills: 30, workMs: [5, 50], leaseMs: 2_000, concurrency: 16, timeoutMs: 20 * 60_000, settleTimeoutMs: 30_000 },
};

export interface DrainSettings {
  jobs: number;
  concurrency: number;
  workMs: readonly [number, number];
  shutdownGraceMs: number;
  platformGraceMs: number;
  timeoutMs: number;
}

export const DRAIN: Record<Profile, DrainSettings> = {
  ci: { jobs: 12, concurrency: 6, workMs: [100, 4_000], shutdownGraceMs: 1_500, platformGraceMs: 3_500, timeoutMs: 30_000 },
  full: { jobs: 300, concurrency: 16, workMs: [100, 12_000], shutdownGraceMs: 5_000, platformGraceMs: 8_000, timeoutMs: 120_000 },
};

/** Lease of the heartbeat checks, per transport (SQS and Cloud Tasks leases are whole seconds). */
export const HEARTBEAT_LEASE_MS: Record<Profile, { memory: number; sqs: number; cloudTasks: number }> = {
  ci: { memory: 1_000, sqs: 2_000, cloudTasks: 2_000 },
  full: { memory: 4_000, sqs: 4_000, cloudTasks: 4_000 },
};
