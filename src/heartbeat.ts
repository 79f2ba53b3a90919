/**
 * Keeps leases alive: one timer for all running jobs of a worker. A job whose lease is past
 * its half is touched for another full lease. A touch that fails is logged, never fatal: the
 * job may be redelivered, which at-least-once delivery allows.
 *
 * unwatch() hands back the touch still in flight, if any: on transports whose lease token
 * changes with a renewal (Cloud Tasks pull quotes the task's schedule time), an ack sent beside
 * a touch would quote the old token and be refused, so the worker waits for it first.
 */
import { describeError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { ReservedJob } from './service.ts';

export interface HeartbeatOptions {
  leaseMs: number;
  touch: ((job: ReservedJob, leaseMs: number) => Promise<void>) | undefined;
  logger: Logger;
  adapter: string;
  queue: string;
  now?: () => number;
}

export function createHeartbeat(options: HeartbeatOptions) {
  const { leaseMs, touch, logger } = options;
  const now = options.now ?? Date.now;
  const due = new Map<ReservedJob, number>(); // job -> when to touch next
  const touching = new Map<ReservedJob, Promise<void>>(); // job -> its touch in flight (never rejects)
  let timer: ReturnType<typeof setInterval> | undefined;
  const tickMs = Math.max(50, Math.floor(leaseMs / 4));

  const tick = () => {
    const t = now();
    for (const [job, at] of due) {
      if (at > t) continue;
      due.set(job, t + leaseMs / 2);
      const failed = (error: unknown) => {
        // After the job finished a failed touch means nothing: do not report it.
        if (!due.has(job)) return;
        logger.log('warn', { event: 'worker.touch-failed', adapter: options.adapter, queue: options.queue, transportId: job.transportId, attempt: job.attempt, error: describeError(error) });
      };
      // A touch that throws instead of rejecting must not escape the timer (an uncaught exception).
      let sent: Promise<void>;
      try {
        sent = touch!(job, leaseMs).catch(failed);
      } catch (error) {
        failed(error);
        continue;
      }
      const settled = sent.finally(() => {
        if (touching.get(job) === settled) touching.delete(job);
      });
      touching.set(job, settled);
    }
  };

  return {
    watch(job: ReservedJob) {
      if (touch === undefined) return;
      due.set(job, (job.leaseExpiresAt ?? now() + leaseMs) - leaseMs / 2);
      if (timer === undefined) {
        timer = setInterval(tick, tickMs);
        timer.unref?.();
      }
    },
    /** Stops touching `job`; resolves once a touch of it still in flight has settled. */
    unwatch(job: ReservedJob): Promise<void> | undefined {
      due.delete(job);
      if (due.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
      return touching.get(job);
    },
    close() {
      due.clear();
      touching.clear();
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
