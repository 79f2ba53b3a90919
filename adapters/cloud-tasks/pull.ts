/**
 * Pull delivery over the v2beta2 lease API:
 *
 *   reserve  = LeaseTasks, polled every pollIntervalMs until waitMs or the signal (it does not long-poll)
 *   touch    = RenewLease
 *   release  = CancelLease (delay 0) or RenewLease for the delay (the task stays invisible,
 *              and its dispatch count, which is the attempt, carries on)
 *   complete = AcknowledgeTask
 *
 * A lease is held by its schedule time: every call quotes it, and RenewLease changes it. The
 * receipt carries the first one; the lease table keeps the current one after a touch.
 */
import { TransportError } from '../../src/errors.ts';
import type { ReservedJob, ReserveOptions } from '../../src/service.ts';
import { call, type ServiceContext } from './context.ts';
import { MAX_LEASE_MS, msOf, taskIdOf, type Timestamp } from './tasks.ts';
import { grpcCode } from './transport-errors.ts';

interface Lease {
  readonly name: string;
  scheduleTime: { seconds: string; nanos: number };
  expiresAt: number;
}

export interface PullOps {
  reserve(options: ReserveOptions): Promise<ReservedJob[]>;
  touch(job: ReservedJob, leaseMs: number): Promise<void>;
  release(job: ReservedJob, delayMs: number): Promise<void>;
  complete(job: ReservedJob): Promise<void>;
  /** Acknowledges a leased task after it was stored in the dead-letter queue. */
  acknowledge(job: ReservedJob, op: string): Promise<void>;
  /** Task ids released with a delay, still waiting: stats counts them as delayed. */
  delayedUntil(taskId: string, now: number): boolean;
}

const RECEIPT = /^lease:(.+)@(\d+)\.(\d+)$/;

export function createPullOps(ctx: ServiceContext): PullOps {
  const leases = new Map<string, Lease>();
  const delayed = new Map<string, number>();
  const queue = ctx.settings.queueId;

  const fail = (op: string, why: string, code: string) => new TransportError(`[cloud-tasks] ${op} failed: ${why}`, { adapter: 'cloud-tasks', queue, code, retryable: false });

  const seconds = (op: string, name: string, ms: unknown, min: number): number => {
    if (typeof ms !== 'number' || !(ms >= min) || ms > MAX_LEASE_MS) throw fail(op, `${name} must be a number of ms from ${min} to ${MAX_LEASE_MS}, got ${String(ms)}`, 'InvalidArgument');
    return Math.max(1, Math.ceil(ms / 1000));
  };

  const leaseOf = (op: string, job: ReservedJob): Lease => {
    const receipt = job?.receipt;
    const held = typeof receipt === 'string' ? leases.get(receipt) : undefined;
    if (held !== undefined) return held;
    const match = typeof receipt === 'string' ? RECEIPT.exec(receipt) : null;
    if (match === null) {
      const why = typeof receipt === 'string' && receipt.startsWith('push:') ? 'a pushed task is acknowledged by the HTTP answer, not by a lease' : `receipt ${JSON.stringify(receipt)} is not a lease of this queue`;
      throw fail(op, why, 'StaleReceipt');
    }
    return { name: `${ctx.settings.queuePath}/tasks/${match[1]}`, scheduleTime: { seconds: match[2]!, nanos: Number(match[3]) }, expiresAt: Infinity };
  };

  // FAILED_PRECONDITION: the schedule time no longer matches (lease ended, someone else holds
  // it); NOT_FOUND: the task is gone. Either way this receipt is stale.
  const leaseCall = async <T>(op: string, job: ReservedJob, fn: () => Promise<T>): Promise<T> => {
    try {
      return await call(ctx, op, fn);
    } catch (error) {
      const code = grpcCode((error as { cause?: unknown }).cause);
      if (code === 'FAILED_PRECONDITION' || code === 'NOT_FOUND') {
        leases.delete(job.receipt);
        throw new TransportError(`[cloud-tasks] ${op} failed: receipt ${JSON.stringify(job.receipt)} is not current (${code}): the lease ended or the task is gone`, {
          adapter: 'cloud-tasks',
          queue,
          code: 'StaleReceipt',
          retryable: false,
          cause: error,
        });
      }
      throw error;
    }
  };

  const view = (task: BetaTask): ReservedJob => {
    const scheduleTime = { seconds: String(task.scheduleTime?.seconds ?? '0'), nanos: Number(task.scheduleTime?.nanos ?? 0) };
    const taskId = taskIdOf(task.name);
    const receipt = `lease:${taskId}@${scheduleTime.seconds}.${scheduleTime.nanos}`;
    const expiresAt = msOf(scheduleTime);
    leases.set(receipt, { name: task.name ?? '', scheduleTime, expiresAt });
    const firstDispatch = msOf(task.status?.firstAttemptStatus?.dispatchTime);
    return {
      body: task.pullMessage?.payload ?? new Uint8Array(0),
      receipt,
      attempt: Math.max(1, Number(task.status?.attemptDispatchCount ?? 1)),
      transportId: taskId,
      leaseExpiresAt: expiresAt,
      ...(task.createTime ? { enqueuedAt: msOf(task.createTime) } : {}),
      ...(firstDispatch > 0 ? { firstReceivedAt: firstDispatch } : {}),
    };
  };

  const prune = (now: number) => {
    // Leases that ended long ago can no longer be used: forget them (bounded memory).
    for (const [receipt, lease] of leases) if (lease.expiresAt < now - 60_000) leases.delete(receipt);
    for (const [id, until] of delayed) if (until <= now) delayed.delete(id);
  };

  const lease = async (max: number, leaseSeconds: number): Promise<ReservedJob[]> => {
    const client = await ctx.beta();
    const [response] = await call(ctx, 'reserve', () =>
      client.leaseTasks({ parent: ctx.settings.queuePath, maxTasks: max, leaseDuration: { seconds: leaseSeconds }, responseView: 'FULL' }, ctx.callOptions),
    );
    return ((response.tasks ?? []) as BetaTask[]).map(view);
  };

  const acknowledge = async (job: ReservedJob, op: string): Promise<void> => {
    const held = leaseOf(op, job);
    const client = await ctx.beta();
    await leaseCall(op, job, () => client.acknowledgeTask({ name: held.name, scheduleTime: held.scheduleTime }, ctx.callOptions));
    leases.delete(job.receipt);
  };

  return {
    async reserve(options) {
      const max = options?.max;
      if (!Number.isSafeInteger(max) || max < 1 || max > 1000) throw fail('reserve', `max must be an integer from 1 to 1000, got ${String(max)}`, 'InvalidArgument');
      const leaseSeconds = seconds('reserve', 'leaseMs', options.leaseMs, 1);
      const waitMs = options.waitMs ?? 0;
      if (!(waitMs >= 0)) throw fail('reserve', `waitMs must be a number of ms >= 0, got ${String(waitMs)}`, 'InvalidArgument');
      const signal = options.signal;
      const deadline = Date.now() + waitMs;
      prune(ctx.now());
      // Bounded: each round is one LeaseTasks call and one bounded sleep.
      for (;;) {
        if (signal?.aborted) return [];
        const jobs = await lease(max, leaseSeconds);
        // Leased while a stop began: hand them over anyway; the worker releases them.
        if (jobs.length > 0) return jobs;
        const remaining = deadline - Date.now();
        if (remaining <= 0 || signal?.aborted) return [];
        await sleep(Math.min(ctx.settings.pollIntervalMs, remaining), signal);
      }
    },

    async touch(job, leaseMs) {
      const s = seconds('touch', 'leaseMs', leaseMs, 1);
      const held = leaseOf('touch', job);
      const client = await ctx.beta();
      const [renewed] = await leaseCall('touch', job, () => client.renewLease({ name: held.name, scheduleTime: held.scheduleTime, leaseDuration: { seconds: s } }, ctx.callOptions));
      const scheduleTime = { seconds: String(renewed.scheduleTime?.seconds ?? '0'), nanos: Number(renewed.scheduleTime?.nanos ?? 0) };
      leases.set(job.receipt, { name: held.name, scheduleTime, expiresAt: msOf(scheduleTime) });
    },

    async release(job, delayMs) {
      if (typeof delayMs !== 'number' || !(delayMs >= 0) || delayMs > MAX_LEASE_MS) throw fail('release', `delayMs must be a number of ms from 0 to ${MAX_LEASE_MS}, got ${String(delayMs)}`, 'InvalidArgument');
      const held = leaseOf('release', job);
      const client = await ctx.beta();
      if (delayMs === 0) {
        await leaseCall('release', job, () => client.cancelLease({ name: held.name, scheduleTime: held.scheduleTime }, ctx.callOptions));
      } else {
        const s = Math.max(1, Math.ceil(delayMs / 1000));
        await leaseCall('release', job, () => client.renewLease({ name: held.name, scheduleTime: held.scheduleTime, leaseDuration: { seconds: s } }, ctx.callOptions));
        delayed.set(taskIdOf(held.name), ctx.now() + s * 1000);
      }
      leases.delete(job.receipt);
    },

    async complete(job) {
      if (typeof job?.receipt === 'string' && job.receipt.startsWith('push:')) return; // the 2xx answer acknowledges it
      await acknowledge(job, 'complete');
    },

    acknowledge,

    delayedUntil(taskId, now) {
      const until = delayed.get(taskId);
      return until !== undefined && until > now;
    },
  };
}

export interface BetaTask {
  name?: string | null;
  scheduleTime?: Timestamp | null;
  createTime?: Timestamp | null;
  pullMessage?: { payload?: Uint8Array | null; tag?: string | null } | null;
  httpRequest?: { headers?: Record<string, string> | null; body?: Uint8Array | null } | null;
  status?: { attemptDispatchCount?: number | null; firstAttemptStatus?: { dispatchTime?: Timestamp | null } | null } | null;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
