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
  /**
   * The killer stops after this many. A kill every ~200 ms for a whole 10,000-job run keeps the
   * workers restarting more than working on a 2-core machine (about 5 jobs/s): the full run
   * kills 100 times (about 20 s of kills), then lets the rest finish; the table says how many
   * jobs finished while the killer ran.
   */
  maxKills?: number;
  workMs: readonly [number, number];
  leaseMs: number;
  concurrency: number;
  timeoutMs: number;
  settleTimeoutMs: number;
}

export const KILL: Record<Profile, KillSettings> = {
  ci: { jobs: 300, workers: 3, killEveryMs: 200, minKills: 5, maxKills: 5, workMs: [5, 50], leaseMs: 2_000, concurrency: 16, timeoutMs: 60_000, settleTimeoutMs: 15_000 },
  full: { jobs: 10_000, workers: 4, killEveryMs: 200, minKills: 30, maxKills: 100, workMs: [5, 50], leaseMs: 2_000, concurrency: 16, timeoutMs: 20 * 60_000, settleTimeoutMs: 30_000 },
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

export interface FaultSettings {
  phaseMs: number;
  jobsPerSecond: number;
  jobsAfterRecreate: number;
  drainTimeoutMs: number;
}

export const FAULTS: Record<Profile, FaultSettings> = {
  ci: { phaseMs: 1_000, jobsPerSecond: 20, jobsAfterRecreate: 20, drainTimeoutMs: 30_000 },
  full: { phaseMs: 15_000, jobsPerSecond: 50, jobsAfterRecreate: 200, drainTimeoutMs: 120_000 },
};

export interface SoakSettings {
  durationMs: number;
  sampleMs: number;
  warmUpMs: number;
  limitMbPerHour: number;
}

/** The full soak's length is `--soak-minutes` (default 30); CI runs 20 s only to check it works. */
export function soakSettings(profile: Profile, minutes = 30): SoakSettings {
  if (profile === 'ci') return { durationMs: 20_000, sampleMs: 1_000, warmUpMs: 5_000, limitMbPerHour: 5 };
  const durationMs = minutes * 60_000;
  return { durationMs, sampleMs: 10_000, warmUpMs: Math.min(5 * 60_000, durationMs / 5), limitMbPerHour: 5 };
}
