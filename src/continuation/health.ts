/**
 * The chain health check: finds chains that stopped (no live link and no checkpoint for their
 * stall time: a lost delivery, a crash past the retries) and sends their first body again, so
 * the chain goes on from its last checkpoint. Safe to run from several places at once: one
 * caller wins each restart (markRestarted is conditional), the others skip it.
 *
 * Run it on a schedule (a cron job, a scheduled Lambda or Cloud Scheduler), or with
 * `jobferry chains check`, or POST /chains/check on the local app.
 *
 * @example
 * ```ts
 * const report = await checkChains({ store: chainStore, service });
 * // { checked: 12, stalled: 1, restarted: ['2f6c...'], failed: [] }
 * ```
 */
import { describeError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { JobService } from '../service.ts';
import { isStalled, type ChainRecord, type ChainStore } from './store.ts';

export interface CheckChainsOptions {
  store: ChainStore;
  /** Where stalled chains are sent again (the chains' queue). */
  service: JobService;
  /** Chains looked at, at most. Default 1000. */
  limit?: number;
  logger?: Logger;
  now?: () => number;
}

export interface ChainCheckReport {
  /** Chains not done that were looked at. */
  readonly checked: number;
  /** Of those, stalled. */
  readonly stalled: number;
  /** Chains sent again by this call. */
  readonly restarted: readonly string[];
  /** Stalled chains another caller restarted first, or that moved meanwhile. */
  readonly skipped: readonly string[];
  /** Stalled chains that could not be sent again (no body kept, a send failure). */
  readonly failed: ReadonlyArray<{ readonly id: string; readonly message: string }>;
}

export async function checkChains(options: CheckChainsOptions): Promise<ChainCheckReport> {
  const { store, service } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const live = await store.listLive({ limit: options.limit ?? 1_000 });
  const t = now();
  const stalled = live.filter((c) => isStalled(c, t));
  const restarted: string[] = [];
  const skipped: string[] = [];
  const failed: Array<{ id: string; message: string }> = [];
  for (const chain of stalled) {
    try {
      if (chain.body === undefined) {
        failed.push({ id: chain.id, message: 'the chain kept no body to send again (its first body was too large)' });
        continue;
      }
      if (!(await store.markRestarted(chain.id, chain.updatedAt))) {
        skipped.push(chain.id);
        continue;
      }
      await resend(service, chain);
      restarted.push(chain.id);
      logger.log('warn', { event: 'chain.restarted', job: chain.job, jobId: chain.id, queue: service.queue, adapter: service.adapter, link: chain.link, detail: `stalled for ${t - chain.updatedAt} ms: sent again from link ${chain.link}` });
    } catch (error) {
      const { name, message } = describeError(error);
      failed.push({ id: chain.id, message: `${name}: ${message}` });
      logger.log('error', { event: 'chain.error', job: chain.job, jobId: chain.id, queue: service.queue, adapter: service.adapter, detail: 'restart failed; the next check tries again', error: { name, message } });
    }
  }
  return { checked: live.length, stalled: stalled.length, restarted, skipped, failed };
}

async function resend(service: JobService, chain: ChainRecord): Promise<void> {
  const [sent] = await service.enqueue([{ id: chain.id, name: chain.job, body: chain.body!, delayMs: 0 }]);
  if (sent === undefined || !sent.ok) throw sent?.error ?? new Error('the transport returned no result');
}

/** A chain's state and progress, from any process. */
export function chainProgress(store: ChainStore, chainId: string): Promise<ChainRecord | undefined> {
  return store.get(chainId);
}
