/**
 * What an adapter tells the contract suite, and the harness each test drives it through.
 *
 * Time: with a controllable clock the harness moves the adapter's clock; without one it waits
 * in real time, always through reserve() long polls bounded by a deadline, so a slow real
 * transport (SQS, Cloud Tasks) runs the very same tests.
 */
import { expect, onTestFinished } from 'vitest';
import type { EnqueueResult, JobService, OutgoingJob, PullService, ReservedJob } from '../../src/service.ts';
import { tagsOf } from './fixtures.ts';

/** A missing ability, with the reason the skipped tests will show. */
export interface Unsupported {
  readonly unsupported: string;
}
export type Capability = true | Unsupported;

export interface ContractCapabilities {
  touch: Capability;
  kick: Capability;
  listBuried: Capability;
  /** `exact` counts are checked at once; `approximate` ones are polled until they match. */
  stats: 'exact' | 'approximate' | Unsupported;
  delay: Capability;
  /** `silent`: duplicates are dropped, but enqueue cannot say so (`deduplicated` is not set). */
  dedupe: true | 'silent' | Unsupported;
  groups: Capability;
  priority: Capability;
  /** True when create() returns a clock whose advance() moves the service's time. */
  controllableClock: boolean;
  /** Shortest lease the transport honours (SQS: 1000). */
  minLeaseMs: number;
  /**
   * The suite's unit of leases and delays. Default: minLeaseMs rounded up to whole seconds,
   * at least 1000 (SQS and Cloud Tasks count whole seconds).
   */
  timeUnitMs?: number;
  /** Real time a change may take to show (eventual consistency, slow emulators). Default 5000. */
  settleMs?: number;
}

export interface ContractClock {
  advance(ms: number): Promise<void> | void;
}

export interface ContractContext {
  service: JobService;
  /** Required when capabilities.controllableClock. */
  clock?: ContractClock;
  /** Runs after the test, after service.close(): delete queues, stop emulators. */
  cleanup?(): Promise<void>;
}

export interface ContractSetup {
  /** A fresh, empty queue for each test. */
  create(): Promise<ContractContext>;
  capabilities: ContractCapabilities;
}

export function timeUnitOf(caps: ContractCapabilities): number {
  return caps.timeUnitMs ?? Math.max(1_000, Math.ceil(caps.minLeaseMs / 1_000) * 1_000);
}

export function isUnsupported(value: unknown): value is Unsupported {
  return typeof value === 'object' && value !== null && typeof (value as Unsupported).unsupported === 'string';
}

/** The value of `promise`, or `'still waiting'` if it takes longer than `ms` of real time. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<'still waiting'>((resolve) => (timer = setTimeout(resolve, ms, 'still waiting')));
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** Long enough that a job does not come back during a test. */
export const LONG_LEASE_MS = 60_000;

export interface Harness {
  readonly service: PullService;
  readonly caps: ContractCapabilities;
  /** The suite's unit of leases and delays (see ContractCapabilities.timeUnitMs). */
  readonly unitMs: number;
  /** Enqueues and expects every job to be accepted. */
  send(...jobs: OutgoingJob[]): Promise<EnqueueResult[]>;
  /** Reserves until `count` jobs (or the deadline); returns what it got, in order. */
  reserveUntil(count: number, options?: { leaseMs?: number; max?: number; timeoutMs?: number }): Promise<ReservedJob[]>;
  /** Reserves exactly one job (max 1) or fails. */
  next(leaseMs?: number): Promise<ReservedJob>;
  /** Fails if anything can be reserved at once. */
  expectEmptyNow(): Promise<void>;
  /** Lets `ms` pass (clock or real time) and fails if any job could be reserved meanwhile. */
  expectNothingFor(ms: number): Promise<void>;
  /**
   * For a job due `ms` after `startedAt` (Date.now() taken just before the enqueue/release that
   * set the delay): checks it is not ready before, then reserves it once due.
   */
  expectDueAfter(ms: number, startedAt: number, leaseMs?: number): Promise<ReservedJob>;
  /** Lets `ms` pass: advances the clock, or waits in real time. */
  pass(ms: number): Promise<void>;
}

export async function openHarness(setup: ContractSetup): Promise<Harness> {
  const caps = setup.capabilities;
  const ctx = await setup.create();
  onTestFinished(async () => {
    try {
      await ctx.service.close?.();
    } finally {
      await ctx.cleanup?.();
    }
  });
  const service = ctx.service as PullService;
  for (const op of ['reserve', 'release', 'complete', 'bury'] as const) {
    expect(typeof service[op], `${service.adapter} must implement ${op} to run the contract suite`).toBe('function');
  }
  const clock = caps.controllableClock ? ctx.clock : undefined;
  if (caps.controllableClock && clock === undefined) throw new Error('capabilities.controllableClock is true but create() returned no clock');
  const settleMs = caps.settleMs ?? 5_000;
  const unitMs = timeUnitOf(caps);

  const reserveNow = (max: number, leaseMs = LONG_LEASE_MS) => service.reserve({ max, leaseMs, waitMs: 0 });

  const reserveUntil: Harness['reserveUntil'] = async (count, options = {}) => {
    const { leaseMs = LONG_LEASE_MS, max = count, timeoutMs = settleMs } = options;
    const got: ReservedJob[] = [];
    const deadline = Date.now() + timeoutMs;
    // Bounded: each round is a long poll that ends by the deadline (or returns jobs).
    for (let round = 0; got.length < count && round < 10_000; round++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const jobs = await service.reserve({
        max: Math.min(max, count - got.length),
        leaseMs,
        waitMs: Math.min(5_000, Math.ceil(remaining / 1_000) * 1_000),
        signal: AbortSignal.timeout(remaining),
      });
      expect(jobs.length, 'reserve returned more than max').toBeLessThanOrEqual(Math.min(max, count - got.length));
      got.push(...jobs);
    }
    return got;
  };

  const pass = async (ms: number) => {
    if (clock !== undefined) await clock.advance(ms);
    else await new Promise((resolve) => setTimeout(resolve, ms));
  };

  const expectEmptyNow = async () => {
    expect(tagsOf(await reserveNow(10)), 'no job should be ready').toEqual([]);
  };

  return {
    service,
    caps,
    unitMs,
    async send(...jobs) {
      const results = await service.enqueue(jobs);
      expect(results.map((r) => (r.ok ? 'ok' : String(r.error)))).toEqual(jobs.map(() => 'ok'));
      return results;
    },
    reserveUntil,
    async next(leaseMs = LONG_LEASE_MS) {
      const [job] = await reserveUntil(1, { leaseMs });
      expect(job, 'expected a job to reserve').toBeDefined();
      return job!;
    },
    expectEmptyNow,
    async expectNothingFor(ms) {
      if (clock !== undefined) {
        await clock.advance(ms);
        return expectEmptyNow();
      }
      const deadline = Date.now() + ms;
      for (let round = 0; round < 1_000; round++) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        const jobs = await service.reserve({ max: 10, leaseMs: LONG_LEASE_MS, waitMs: Math.ceil(remaining / 1_000) * 1_000, signal: AbortSignal.timeout(remaining) });
        expect(tagsOf(jobs), `no job should be reserved within ${ms} ms`).toEqual([]);
      }
    },
    async expectDueAfter(ms, startedAt, leaseMs = LONG_LEASE_MS) {
      if (clock !== undefined) {
        await clock.advance(ms - 1);
        await expectEmptyNow();
        await clock.advance(1);
        const jobs = await reserveNow(1, leaseMs);
        expect(jobs.length, `a job should be ready ${ms} ms later`).toBe(1);
        return jobs[0]!;
      }
      await expectEmptyNow();
      const [job] = await reserveUntil(1, { leaseMs, timeoutMs: ms + settleMs });
      expect(job, `a job should be ready about ${ms} ms later`).toBeDefined();
      // Real clocks and rounding to whole seconds leave some slack, never a missing delay.
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(ms * 0.8);
      return job!;
    },
    pass,
  };
}
