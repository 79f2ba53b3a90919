/**
 * Heartbeat and timeouts, on one pull transport:
 *
 * 1. a job running 3x its lease is never redelivered while its worker lives (a second worker
 *    polls the same queue all along, ready to take a redelivery), and is acknowledged once;
 * 2. once its worker is SIGKILLed, it is redelivered within one lease;
 * 3. a heartbeat (touch) whose answer is an error that arrives after the job completed is not
 *    reported as a failure: the touch is held in the transport until the handler finished, then
 *    answered with an error (the worker waits for a touch in flight before it acks: the ack
 *    comes after that answer, and goes through);
 * 4. a handler that ignores its AbortSignal has its late result discarded: the timed-out
 *    delivery is released once and never acknowledged, the redelivery is acknowledged once.
 */
import type { WorkerSettings } from './child-config.ts';
import type { LedgerJobOptions, LedgerPayload } from './jobs.ts';
import { createLedgerReader, type Entry, type LedgerReader } from './ledger.ts';
import { until, within } from './wait.ts';

export interface StopSummary {
  readonly counts: Readonly<Record<string, number>>;
  readonly events: Readonly<Record<string, number>>;
}

/** A worker, in a child process or (memory) in this one. */
export interface WorkerHandle {
  /** The pid its ledger lines carry. */
  readonly pid: number;
  readonly ready: Promise<void>;
  /** Graceful stop; what it counted. */
  stop(): Promise<StopSummary>;
  /** SIGKILL; absent where the worker cannot die apart from its queue (memory). */
  kill?(): void;
}

export interface TouchHold {
  /** Touch answers that were errors (observed in the transport). */
  readonly errors: number;
  /** Touches held so far. */
  readonly held: number;
  /**
   * Ends the hold: held touches go on to the service (`forward`), or the transport answers
   * them with an error (`fail`: throttling on SQS, UNAVAILABLE on Cloud Tasks). Later touches pass.
   */
  release(how: 'forward' | 'fail'): void;
}

export interface HeartbeatRig {
  readonly name: string;
  readonly ledgerDir: string;
  enqueue(id: string, payload: LedgerPayload): Promise<void>;
  startWorker(label: string, worker: WorkerSettings, job: LedgerJobOptions): WorkerHandle;
  /** Holds the transport's touches (in the transport, not in jobferry) until release(). */
  holdTouches(): TouchHold;
  close(): Promise<void>;
}

export interface HeartbeatFigures {
  readonly transport: string;
  readonly leaseMs: number;
  readonly longRun: { readonly passed: boolean; readonly runMs: number; readonly deliveries: number; readonly runs: number; readonly acks: number; readonly transportErrors: number; readonly touches: number; readonly competitorPolls: number };
  readonly afterKill: { readonly passed: boolean; readonly applicable: boolean; readonly redeliveryMs: number; readonly slackMs: number; readonly touchesBeforeKill: number } | { readonly passed: true; readonly applicable: false; readonly why: string };
  readonly touchAfterCompletion: { readonly passed: boolean; readonly touchErrors: number; readonly reportedFailures: number; readonly completed: number; readonly retried: number; readonly transportErrors: number; readonly redelivered: number };
  readonly ignoredAbort: { readonly passed: boolean; readonly lateEffect: boolean; readonly firstAcks: number; readonly firstReleases: number; readonly totalAcks: number; readonly completedLines: number; readonly retryLines: number };
}

const worker = (leaseMs: number): WorkerSettings => ({ concurrency: 1, leaseMs, waitMs: 1_000, batchSize: 1, shutdownGraceMs: 5_000 });
/** Redelivery later than one lease by more than this fails check 2 (transport timers, poll wake-up, ledger writes). */
export const REDELIVERY_SLACK_MS = 500;

/**
 * Runs the four checks side by side (they wait on timers, not on the CPU), each on a rig of its
 * own from `makeRig` (its own queue and ledger): one check's workers never see another's jobs.
 */
export async function runHeartbeatChecks(makeRig: () => Promise<HeartbeatRig>, leaseMs: number, canKill: boolean): Promise<HeartbeatFigures> {
  const rigs: HeartbeatRig[] = [];
  const withRig = async <T>(check: (rig: HeartbeatRig, reader: LedgerReader) => Promise<T>): Promise<T> => {
    const rig = await makeRig();
    rigs.push(rig);
    return check(rig, createLedgerReader(rig.ledgerDir));
  };
  try {
    const [longRun, afterKill, touchAfterCompletion, ignoredAbort] = await Promise.all([
      withRig((rig, reader) => checkLongRun(rig, reader, leaseMs)),
      canKill ? withRig((rig, reader) => checkAfterKill(rig, reader, leaseMs)) : Promise.resolve({ passed: true, applicable: false, why: 'the queue lives in the worker process: a kill takes it away' } as const),
      withRig((rig, reader) => checkTouchAfterCompletion(rig, reader, leaseMs)),
      withRig((rig, reader) => checkIgnoredAbort(rig, reader)),
    ]);
    return { transport: rigs[0]!.name, leaseMs, longRun, afterKill, touchAfterCompletion, ignoredAbort };
  } finally {
    await Promise.allSettled(rigs.map((rig) => rig.close()));
  }
}

const of = (reader: LedgerReader, id: string, kind?: Entry['kind']) => reader.entries.filter((e) => e.jobId === id && (kind === undefined || e.kind === kind));

async function waitFor(reader: LedgerReader, what: string, timeoutMs: number, test: (entries: readonly Entry[]) => boolean) {
  await until(
    () => {
      reader.poll();
      return test(reader.entries);
    },
    { timeoutMs, everyMs: 20, what },
  );
}

async function checkLongRun(rig: HeartbeatRig, reader: LedgerReader, leaseMs: number) {
  const id = 'hb-long-run';
  // Exactly three leases: the run ends as a heartbeat goes out, so the ack meets a touch in
  // flight (on Cloud Tasks that once lost the ack: known-bugs.test.ts).
  await rig.enqueue(id, { n: 1, workMs: 3 * leaseMs });
  const a = rig.startWorker(`${rig.name}-long-a`, worker(leaseMs), { timeoutMs: 10 * leaseMs });
  const b = rig.startWorker(`${rig.name}-long-b`, worker(leaseMs), { timeoutMs: 10 * leaseMs });
  const summaries: StopSummary[] = [];
  try {
    await within(Promise.all([a.ready, b.ready]), 30_000, `${rig.name}: two workers starting`);
    await waitFor(reader, `${rig.name}: the long job's effect`, 6 * leaseMs + 10_000, () => of(reader, id, 'effect').length > 0);
    // A late redelivery (a lost ack, a lease that ran out) would show up within this.
    await new Promise((r) => setTimeout(r, Math.round(1.5 * leaseMs)));
  } finally {
    for (const s of await Promise.allSettled([a.stop(), b.stop()])) if (s.status === 'fulfilled') summaries.push(s.value);
  }
  reader.poll();
  const start = of(reader, id, 'start')[0]!;
  const effect = of(reader, id, 'effect')[0]!;
  const other = start.pid === a.pid ? b : a;
  const competitorPolls = reader.entries.filter((e) => e.kind === 'reserve-call' && e.pid === other.pid && e.at > start.at && e.at < effect.at).length;
  const deliveries = of(reader, id, 'reserved').length;
  const runs = of(reader, id, 'start').length;
  const acks = of(reader, id, 'complete').length;
  const transportErrors = summaries.reduce((n, s) => n + (s.counts.transportErrors ?? 0), 0);
  const runMs = effect.at - start.at;
  return {
    passed: deliveries === 1 && runs === 1 && acks === 1 && transportErrors === 0 && runMs >= 3 * leaseMs && competitorPolls > 0,
    runMs,
    deliveries,
    runs,
    acks,
    transportErrors,
    touches: of(reader, id, 'touch').length,
    competitorPolls,
  };
}

async function checkAfterKill(rig: HeartbeatRig, reader: LedgerReader, leaseMs: number) {
  const id = 'hb-after-kill';
  await rig.enqueue(id, { n: 2, workMs: 20 * leaseMs, laterWorkMs: 0 });
  const a = rig.startWorker(`${rig.name}-kill-a`, worker(leaseMs), { timeoutMs: 30 * leaseMs });
  const b = rig.startWorker(`${rig.name}-kill-b`, worker(leaseMs), { timeoutMs: 30 * leaseMs });
  try {
    await within(Promise.all([a.ready, b.ready]), 30_000, `${rig.name}: two workers starting`);
    // Running for more than one lease: at least two heartbeats went out.
    await waitFor(reader, `${rig.name}: two heartbeats of the running job`, 5 * leaseMs + 10_000, () => of(reader, id, 'touch').length >= 2);
    const start = of(reader, id, 'start')[0]!;
    const running = start.pid === a.pid ? a : b;
    const touchesBeforeKill = of(reader, id, 'touch').length;
    const killedAt = Date.now();
    running.kill!();
    await waitFor(reader, `${rig.name}: the redelivery after the kill`, 3 * leaseMs + 10_000, () => of(reader, id, 'reserved').some((e) => e.at >= killedAt));
    const redelivered = of(reader, id, 'reserved').find((e) => e.at >= killedAt)!;
    const redeliveryMs = redelivered.at - killedAt;
    await waitFor(reader, `${rig.name}: the redelivered job's effect`, 10_000, () => of(reader, id, 'effect').length > 0);
    return { passed: redeliveryMs <= leaseMs + REDELIVERY_SLACK_MS, applicable: true, redeliveryMs, slackMs: REDELIVERY_SLACK_MS, touchesBeforeKill };
  } finally {
    await Promise.allSettled([a.stop(), b.stop()]);
  }
}

async function checkTouchAfterCompletion(rig: HeartbeatRig, reader: LedgerReader, shortestLeaseMs: number) {
  const id = 'hb-touch-after-completion';
  // The held touch extends nothing: the ack must still beat the first lease. A lease of at least
  // 2 s leaves it 600 ms on a loaded machine.
  const leaseMs = Math.max(shortestLeaseMs, 2_000);
  // Past half its lease, so the heartbeat touches it once; done well before the lease ends.
  await rig.enqueue(id, { n: 3, workMs: Math.round(0.7 * leaseMs) });
  const hold = rig.holdTouches();
  const a = rig.startWorker(`${rig.name}-touch`, worker(leaseMs), { timeoutMs: 10 * leaseMs });
  let summary: StopSummary | undefined;
  try {
    await within(a.ready, 30_000, `${rig.name}: the worker starting`);
    await waitFor(reader, `${rig.name}: the handler finishing while its heartbeat is held`, 4 * leaseMs + 10_000, () => of(reader, id, 'effect').length > 0);
    if (hold.held === 0) throw new Error(`${rig.name}: no heartbeat went out while the job ran (held 0): the check would prove nothing`);
    hold.release('fail');
    await waitFor(reader, `${rig.name}: the job acknowledged after its touch failed`, 10_000, () => of(reader, id, 'complete').length > 0);
    // Long enough for a wrongly failed job to come back.
    await new Promise((r) => setTimeout(r, leaseMs));
  } finally {
    hold.release('forward');
    summary = await a.stop().catch(() => undefined);
  }
  reader.poll();
  const reportedFailures = (summary?.events['worker.touch-failed'] ?? 0) + (summary?.events['worker.error'] ?? 0) + (summary?.events['job.retry'] ?? 0);
  const completed = summary?.counts.completed ?? 0;
  const retried = summary?.counts.retried ?? 0;
  const transportErrors = summary?.counts.transportErrors ?? 0;
  const redelivered = of(reader, id, 'reserved').length - 1;
  return { passed: hold.errors > 0 && reportedFailures === 0 && completed === 1 && retried === 0 && transportErrors === 0 && redelivered === 0, touchErrors: hold.errors, reportedFailures, completed, retried, transportErrors, redelivered };
}

async function checkIgnoredAbort(rig: HeartbeatRig, reader: LedgerReader) {
  const id = 'hb-ignored-abort';
  const timeoutMs = 800;
  await rig.enqueue(id, { n: 4, workMs: 3 * timeoutMs, laterWorkMs: 0, mode: 'ignore-abort' });
  const a = rig.startWorker(`${rig.name}-abort`, { ...worker(10_000), concurrency: 2 }, { timeoutMs, ttrSeconds: 10, backoff: { type: 'fixed', delayMs: 100 } });
  let summary: StopSummary | undefined;
  try {
    await within(a.ready, 30_000, `${rig.name}: the worker starting`);
    // Both runs end: the redelivery's, and the first one's late result.
    await waitFor(reader, `${rig.name}: the redelivery's effect and the late one`, 20_000, () => of(reader, id, 'effect').length >= 2);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    summary = await a.stop().catch(() => undefined);
  }
  reader.poll();
  const first = (kind: Entry['kind']) => of(reader, id, kind).filter((e) => e.attempt === 1).length;
  const lateEffect = of(reader, id, 'effect').some((e) => e.attempt === 1);
  const firstAcks = first('complete');
  const firstReleases = first('release');
  const totalAcks = of(reader, id, 'complete').length;
  const completedLines = summary?.events['job.completed'] ?? -1;
  const retryLines = summary?.events['job.retry'] ?? -1;
  return { passed: lateEffect && firstAcks === 0 && firstReleases === 1 && totalAcks === 1 && completedLines === 1 && retryLines === 1, lateEffect, firstAcks, firstReleases, totalAcks, completedLines, retryLines };
}
