/**
 * Counting the ledger: what was lost, what ran twice, what came back.
 *
 * - lost: a job with no side effect that is not in the dead-letter store with a reason;
 * - duplicate side effects: effects beyond the first, summed over jobs;
 * - redeliveries: deliveries beyond the first, summed over jobs (what the transport handed
 *   out again: after a kill, a lease that ran out, a retry);
 * - double acks: one delivery (job id + attempt) acknowledged twice (never allowed; two
 *   deliveries of a job that both ran are acknowledged once each).
 */
import type { Entry } from './ledger.ts';

export interface BuriedRecord {
  readonly jobId: string;
  readonly reason: string;
}

export interface LedgerFigures {
  readonly jobs: number;
  readonly lost: number;
  /** The first few lost job ids, for the failure message. */
  readonly lostIds: readonly string[];
  readonly effects: number;
  readonly duplicateEffects: number;
  readonly jobsWithDuplicates: number;
  readonly redeliveries: number;
  readonly handlerRuns: number;
  readonly doubleAcks: number;
  readonly buried: number;
  readonly buriedReasons: Readonly<Record<string, number>>;
  readonly unhandled: number;
  readonly unhandledSamples: readonly string[];
}

export function countLedger(jobIds: readonly string[], entries: readonly Entry[], buried: readonly BuriedRecord[]): LedgerFigures {
  const effects = new Map<string, number>();
  const deliveries = new Map<string, number>();
  const acks = new Map<string, number>();
  let handlerRuns = 0;
  let unhandled = 0;
  const unhandledSamples: string[] = [];
  const bump = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);
  for (const e of entries) {
    switch (e.kind) {
      case 'effect':
        bump(effects, e.jobId);
        break;
      case 'reserved':
        bump(deliveries, e.jobId);
        break;
      case 'complete':
        bump(acks, `${e.jobId}@${e.attempt}`);
        break;
      case 'start':
        handlerRuns++;
        break;
      case 'unhandled':
        unhandled++;
        if (unhandledSamples.length < 5) unhandledSamples.push(e.detail);
        break;
    }
  }
  const buriedWithReason = new Map<string, string>();
  const buriedReasons: Record<string, number> = {};
  for (const b of buried) {
    if (b.reason === '') continue; // a dead letter without a reason does not count as accounted for
    buriedWithReason.set(b.jobId, b.reason);
    buriedReasons[b.reason] = (buriedReasons[b.reason] ?? 0) + 1;
  }
  const lostIds: string[] = [];
  let lost = 0;
  let duplicateEffects = 0;
  let jobsWithDuplicates = 0;
  let redeliveries = 0;
  let doubleAcks = 0;
  let totalEffects = 0;
  for (const id of jobIds) {
    const n = effects.get(id) ?? 0;
    totalEffects += n;
    if (n === 0 && !buriedWithReason.has(id)) {
      lost++;
      if (lostIds.length < 10) lostIds.push(id);
    }
    if (n > 1) {
      duplicateEffects += n - 1;
      jobsWithDuplicates++;
    }
    redeliveries += Math.max(0, (deliveries.get(id) ?? 0) - 1);
  }
  for (const n of acks.values()) doubleAcks += Math.max(0, n - 1);
  return {
    jobs: jobIds.length,
    lost,
    lostIds,
    effects: totalEffects,
    duplicateEffects,
    jobsWithDuplicates,
    redeliveries,
    handlerRuns,
    doubleAcks,
    buried: buriedWithReason.size,
    buriedReasons,
    unhandled,
    unhandledSamples,
  };
}
