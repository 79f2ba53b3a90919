/**
 * The memory JobService: a full transport held in process memory, for tests, local
 * development and single-process apps. Delay, dedupe window, ordered groups, priority, leases,
 * bury/kick and exact stats. One timer serves every delayed job, lease and long poll.
 *
 * @example
 * ```ts
 * const service = createMemoryService({ queue: 'emails' });
 * await service.enqueue([{ id: '1', name: 'send-email', body, delayMs: 0 }]);
 * const [job] = await service.reserve({ max: 1, leaseMs: 30_000, waitMs: 1_000 });
 * await service.complete(job);
 * ```
 */
import { TransportError } from '../../src/errors.ts';
import type { BuryInfo, EnqueueResult, JobService, OutgoingJob, QueueStats, ReservedJob, ReserveOptions } from '../../src/service.ts';
import { systemClock } from './clock.ts';
import { checkOptions, type MemoryServiceOptions } from './options.ts';
import type { Lease } from './records.ts';
import { BURIED, DELAYED, READY, RESERVED } from './records.ts';
import { createStore } from './store.ts';
import { exceedsBytes } from '../../src/json-guard.ts';

export interface MemoryService extends Required<JobService> {
  readonly adapter: 'memory';
  /** True while `job`'s reservation is current: its lease has not ended and it is not settled. */
  holds(job: ReservedJob): boolean;
}

interface Waiter {
  readonly max: number;
  readonly leaseMs: number;
  readonly deadline: number;
  readonly resolve: (jobs: ReservedJob[]) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

const MAX_TIMER_MS = 2_147_483_647; // longer setTimeout delays fire at once

export function createMemoryService(options: MemoryServiceOptions = {}): MemoryService {
  const settings = checkOptions(options);
  const { queue, maxBodyBytes, maxDelayMs, maxLeaseMs, maxBatchSize, dedupeWindowMs } = settings;
  const clock = options.clock ?? systemClock;
  const setTimer = clock.setTimeout ? clock.setTimeout.bind(clock) : systemClock.setTimeout;
  const clearTimer = clock.clearTimeout ? clock.clearTimeout.bind(clock) : systemClock.clearTimeout;
  // The store works in ms since `base`: small integers (see records.ts).
  const base = clock.now();
  const now = () => clock.now() - base;
  const store = createStore();
  const dedupe = new Map<string, { readonly transportId: string; readonly until: number }>(); // insertion order = expiry order
  const waiters: Waiter[] = [];
  let timer: unknown;
  let timerAt = Infinity;
  let closed = false;

  const error = (op: string, why: string, code: string) => new TransportError(`[memory] ${op} failed: ${why}`, { adapter: 'memory', queue, code, retryable: false });

  const open = (op: string) => {
    if (closed) throw error(op, 'the service is closed', 'Closed');
  };

  const duration = (op: string, name: string, value: unknown, max: number): number => {
    if (typeof value !== 'number' || !(value >= 0) || value > max) {
      throw error(op, `${name} must be a number of ms from 0 to ${max}, got ${String(value)}`, 'InvalidArgument');
    }
    return value;
  };

  const view = (lease: Lease): ReservedJob => {
    const record = lease.record;
    return {
      body: record.body,
      receipt: String(lease.seq),
      attempt: record.attempt,
      transportId: String(record.seq),
      leaseExpiresAt: base + lease.due,
      enqueuedAt: base + record.enqueuedAt,
      groupKey: record.group,
    };
  };

  const take = (max: number, leaseMs: number, t: number): ReservedJob[] => {
    const jobs: ReservedJob[] = [];
    while (jobs.length < max) {
      const lease = store.take(t, leaseMs);
      if (lease === undefined) break;
      jobs.push(view(lease));
    }
    return jobs;
  };

  const detach = (waiter: Waiter) => {
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
  };

  /** Hands takeable jobs to waiting reservers, oldest first. */
  const serve = (t: number) => {
    while (waiters.length > 0 && store.hasTakeable()) {
      const waiter = waiters.shift()!;
      detach(waiter);
      waiter.resolve(take(waiter.max, waiter.leaseMs, t));
    }
  };

  /** Arms the one timer for the earliest of: a delayed job, a lease end, a long-poll end. */
  const schedule = (t: number) => {
    let next = store.nextDue();
    for (const waiter of waiters) if (waiter.deadline < next) next = waiter.deadline;
    // An earlier timer stays: it finds nothing due, which is cheaper than re-arming each time.
    if (next !== Infinity && !(timer !== undefined && timerAt <= next)) {
      if (timer !== undefined) clearTimer(timer);
      timerAt = next;
      timer = setTimer(onTimer, Math.min(MAX_TIMER_MS, Math.max(0, next - t)));
    }
    // Only a long poll keeps the process alive: a delayed job alone does not.
    const handle = timer as { ref?: () => void; unref?: () => void } | undefined;
    if (waiters.length > 0) handle?.ref?.();
    else handle?.unref?.();
  };

  function onTimer() {
    timer = undefined;
    timerAt = Infinity;
    if (closed) return;
    const t = now();
    if (store.promote(t)) serve(t);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      if (waiter.deadline > t) continue;
      waiters.splice(i, 1);
      detach(waiter);
      waiter.resolve([]);
    }
    schedule(t);
  }

  /** Brings the store up to the clock, so a lease past its end is stale before the timer fires. */
  const catchUp = (): number => {
    const t = now();
    if (store.promote(t)) {
      serve(t);
      schedule(t);
    }
    return t;
  };

  const current = (op: string, job: ReservedJob): { lease: Lease; t: number } => {
    open(op);
    const t = catchUp();
    const receipt = job?.receipt;
    const lease = typeof receipt === 'string' && receipt !== '' ? store.lease(Number(receipt)) : undefined;
    if (lease === undefined) {
      throw error(op, `receipt ${JSON.stringify(receipt)} is not current: its lease ended, or the job was completed, released or buried`, 'StaleReceipt');
    }
    return { lease, t };
  };

  /** After a settle: wake reservers if a job became takeable, re-arm the timer. */
  const after = (takeable: boolean, t: number) => {
    if (takeable) serve(t);
    schedule(t);
  };

  const enqueueOne = (job: OutgoingJob, t: number): EnqueueResult => {
    const id = job?.id;
    const reject = (why: string, code: string): EnqueueResult => ({ id, ok: false, error: error(`enqueue of job ${String(id)}`, why, code) });
    if (typeof job?.body !== 'string') return reject('body must be a string', 'InvalidArgument');
    if (exceedsBytes(job.body, maxBodyBytes)) return reject(`body is larger than maxBodyBytes (${maxBodyBytes} bytes)`, 'BodyTooLarge');
    const delayMs = job.delayMs ?? 0;
    if (typeof delayMs !== 'number' || !(delayMs >= 0) || delayMs > maxDelayMs) return reject(`delayMs must be a number from 0 to ${maxDelayMs}, got ${String(delayMs)}`, 'InvalidArgument');
    const priority = job.priority ?? 0;
    if (typeof priority !== 'number' || !Number.isFinite(priority)) return reject(`priority must be a finite number, got ${String(priority)}`, 'InvalidArgument');
    for (const key of ['groupKey', 'dedupeKey'] as const) {
      const value = job[key];
      if (value !== undefined && (typeof value !== 'string' || value === '')) return reject(`${key} must be a non-empty string`, 'InvalidArgument');
    }
    const seen = job.dedupeKey === undefined ? undefined : dedupe.get(job.dedupeKey);
    if (seen !== undefined && seen.until > t) return { id, ok: true, transportId: seen.transportId, deduplicated: true };
    const { record, takeable } = store.add(job.body, priority, job.groupKey, delayMs, t);
    const transportId = String(record.seq);
    if (job.dedupeKey !== undefined) {
      dedupe.delete(job.dedupeKey); // re-inserted at the end: the Map stays in expiry order
      dedupe.set(job.dedupeKey, { transportId, until: t + dedupeWindowMs });
    }
    if (takeable) anyTakeable = true;
    return { id, ok: true, transportId };
  };
  let anyTakeable = false; // set by enqueueOne: whether a waiting reserver may be served

  return {
    adapter: 'memory',
    queue,
    limits: { maxBodyBytes, maxDelayMs, maxLeaseMs, maxBatchSize },
    features: { dedupe: true, groups: true, priority: true },

    async enqueue(jobs) {
      open('enqueue');
      if (!Array.isArray(jobs)) throw error('enqueue', 'expected an array of jobs', 'InvalidArgument');
      if (jobs.length > maxBatchSize) throw error('enqueue', `${jobs.length} jobs in one call, more than maxBatchSize (${maxBatchSize})`, 'BatchTooLarge');
      const t = catchUp();
      for (const [key, seen] of dedupe) {
        if (seen.until > t) break;
        dedupe.delete(key);
      }
      anyTakeable = false;
      const results = new Array<EnqueueResult>(jobs.length);
      for (let i = 0; i < jobs.length; i++) results[i] = enqueueOne(jobs[i]!, t);
      after(anyTakeable, t);
      return results;
    },

    async reserve(opts: ReserveOptions) {
      open('reserve');
      const max = opts?.max;
      if (!Number.isSafeInteger(max) || max < 1) throw error('reserve', `max must be an integer >= 1, got ${String(max)}`, 'InvalidArgument');
      const leaseMs = duration('reserve', 'leaseMs', opts.leaseMs, maxLeaseMs);
      const waitMs = duration('reserve', 'waitMs', opts.waitMs ?? 0, Number.MAX_SAFE_INTEGER);
      const signal = opts.signal;
      const t = catchUp();
      if (signal?.aborted) return [];
      const jobs = take(max, leaseMs, t);
      if (jobs.length > 0 || waitMs === 0) {
        if (jobs.length > 0) schedule(t);
        return jobs;
      }
      return new Promise<ReservedJob[]>((resolve) => {
        const waiter: Waiter = {
          max,
          leaseMs,
          deadline: t + waitMs,
          resolve,
          signal,
          onAbort: () => {
            const i = waiters.indexOf(waiter);
            if (i !== -1) waiters.splice(i, 1);
            resolve([]);
          },
        };
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        waiters.push(waiter);
        schedule(t);
      });
    },

    async touch(job, leaseMs) {
      const ms = duration('touch', 'leaseMs', leaseMs, maxLeaseMs);
      const { lease, t } = current('touch', job);
      store.touch(lease, t + ms);
      schedule(t);
    },

    async release(job, delayMs) {
      const ms = duration('release', 'delayMs', delayMs, maxDelayMs);
      const { lease, t } = current('release', job);
      after(store.release(lease, t, ms), t);
    },

    async complete(job) {
      const { lease, t } = current('complete', job);
      after(store.finish(lease), t);
    },

    async bury(job, info: BuryInfo) {
      if (typeof info?.reason !== 'string' || info.reason === '') throw error('bury', 'info.reason must be a non-empty string', 'InvalidArgument');
      const { lease, t } = current('bury', job);
      const attempt = typeof info.attempt === 'number' ? info.attempt : lease.record.attempt;
      after(store.bury(lease, info.reason, String(info.detail ?? ''), attempt, base + t), t);
    },

    async kick(opts = {}) {
      open('kick');
      const max = opts.max ?? Infinity;
      if (!(max >= 0)) throw error('kick', `max must be a number >= 0, got ${String(max)}`, 'InvalidArgument');
      const t = catchUp();
      const { moved, takeable } = store.kick(max);
      after(takeable, t);
      return moved;
    },

    async stats(): Promise<QueueStats> {
      open('stats');
      catchUp();
      const c = store.counts;
      return { ready: c[READY]!, delayed: c[DELAYED]!, reserved: c[RESERVED]!, buried: c[BURIED]!, approximate: false };
    },

    async listBuried(opts = {}) {
      open('listBuried');
      const max = opts.max ?? Infinity;
      if (!(max >= 0)) throw error('listBuried', `max must be a number >= 0, got ${String(max)}`, 'InvalidArgument');
      return store.buried(max).map((entry) => ({
        transportId: String(entry.record.seq),
        body: entry.record.body,
        reason: entry.reason,
        detail: entry.detail,
        attempt: entry.attempt,
        buriedAt: entry.buriedAt,
        sourceQueue: queue,
      }));
    },

    holds(job) {
      if (closed) return false;
      catchUp();
      const receipt = job?.receipt;
      return typeof receipt === 'string' && receipt !== '' && store.lease(Number(receipt)) !== undefined;
    },

    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimer(timer);
      timer = undefined;
      // Pollers wake with nothing, so workers and dispatchers can finish their stop.
      for (const waiter of waiters.splice(0)) {
        detach(waiter);
        waiter.resolve([]);
      }
    },
  };
}
