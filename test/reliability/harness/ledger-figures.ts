/**
 * Counting the ledger: what was lost, what ran twice, what came back.
 *
 * - lost: a job with no side effect that is not in the dead-letter store with a reason;
 * - duplicate side effects: effects beyond the first, summed over jobs;
 * - redeliveries: deliveries beyond the first, summed over jobs (what the transport handed
 *   out again: after a kill, a lease that ran out, a retry);
 * - of the duplicates, those in the crash window: the run that wrote the first effect was
 *   SIGKILLed before its completion was recorded. With idempotency on, "recorded" is the
 *   store's completion record (`stored` lines; src/idempotency/README.md names this window:
 *   effect done, completion not yet stored) and a duplicate outside the window is a jobferry
 *   failure. Without idempotency, it is the ack: a run killed after its effect and before its
 *   ack is redelivered, as at-least-once delivery allows;
 * - of the duplicates, those a downstream that honours idempotency keys drops: the effect carried
 *   the same `ctx.idempotencyKey` as an earlier one (a payment provider answers a repeated
 *   Idempotency-Key with the first charge); `duplicatesApplied` is what such a system would still
 *   apply twice (every duplicate, without idempotency: no key travels then);
 * - double acks: one delivery (job id + attempt + transport id) acknowledged twice (never
 *   allowed; two deliveries of a job that both ran are acknowledged once each, and a kicked or
 *   re-sent copy is a new delivery even where its attempt starts again at 1).
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
  readonly duplicatesInCrashWindow: number;
  readonly duplicatesOutsideCrashWindow: number;
  /** Duplicates that carried an earlier effect's idempotency key: a key-honouring downstream drops them. */
  readonly duplicatesDroppedByKey: number;
  /** Duplicates a key-honouring downstream would still apply. */
  readonly duplicatesApplied: number;
  readonly redeliveries: number;
  readonly handlerRuns: number;
  readonly doubleAcks: number;
  readonly buried: number;
  readonly buriedReasons: Readonly<Record<string, number>>;
  readonly unhandled: number;
  readonly unhandledSamples: readonly string[];
}

export interface CountOptions {
  /** Pids that were SIGKILLed. */
  killed?: ReadonlySet<number>;
  /** With idempotency on: the store key of a job id (completions are recorded under it). */
  storeKeyOf?: (jobId: string) => string;
}

export function countLedger(jobIds: readonly string[], entries: readonly Entry[], buried: readonly BuriedRecord[], options: CountOptions = {}): LedgerFigures {
  const killed = options.killed ?? new Set<number>();
  const storedBy = new Set<string>(); // `${storeKey} ${pid}`
  const effects = new Map<string, number>();
  const keysSeen = new Set<string>();
  let droppedByKey = 0;
  const firstEffect = new Map<string, Entry>();
  const ackedBy = new Set<string>(); // `${jobId} ${pid}`
  const deliveries = new Map<string, number>();
  const acks = new Map<string, number>();
  let handlerRuns = 0;
  let unhandled = 0;
  const unhandledSamples: string[] = [];
  const bump = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);
  for (const e of entries) {
    switch (e.kind) {
      case 'effect': {
        bump(effects, e.jobId);
        if (e.detail !== '') {
          if (keysSeen.has(e.detail)) droppedByKey++;
          else keysSeen.add(e.detail);
        }
        const first = firstEffect.get(e.jobId);
        if (first === undefined || e.at < first.at) firstEffect.set(e.jobId, e);
        break;
      }
      case 'reserved':
        bump(deliveries, e.jobId);
        break;
      case 'complete':
        bump(acks, `${e.jobId}@${e.attempt}@${e.detail}`);
        ackedBy.add(`${e.jobId} ${e.pid}`);
        break;
      case 'start':
        handlerRuns++;
        break;
      case 'stored':
        if (e.detail === 'true') storedBy.add(`${e.jobId} ${e.pid}`);
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
  let inWindow = 0;
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
      const first = firstEffect.get(id)!;
      const recorded = options.storeKeyOf ? storedBy.has(`${options.storeKeyOf(id)} ${first.pid}`) : ackedBy.has(`${id} ${first.pid}`);
      if (killed.has(first.pid) && !recorded) inWindow += n - 1;
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
    duplicatesInCrashWindow: inWindow,
    duplicatesOutsideCrashWindow: duplicateEffects - inWindow,
    duplicatesDroppedByKey: droppedByKey,
    duplicatesApplied: duplicateEffects - droppedByKey,
    redeliveries,
    handlerRuns,
    doubleAcks,
    buried: buriedWithReason.size,
    buriedReasons,
    unhandled,
    unhandledSamples,
  };
}
