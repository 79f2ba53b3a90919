/**
 * Transport faults: a worker child reaches its transport through a fault proxy while the parent
 * feeds the queue directly. Phase by phase the proxy throttles, denies access, resets
 * connections and answers server errors; then the queue itself is deleted and made again. The
 * worker must back off (its `worker.backoff` lines), recover after each phase (the first ack
 * that goes through after the fault ends), never crash, never leave an unhandled rejection, lose nothing.
 */
import { jobIdOf, type LedgerPayload } from './jobs.ts';
import { createLedgerReader } from './ledger.ts';
import { countLedger } from './ledger-figures.ts';
import { sleep, until } from './wait.ts';

export interface Fault {
  readonly name: string;
  start(): void;
  stop(): void;
}

export interface WorkerReport {
  /** Log events of the worker(s) so far, by name. */
  readonly events: Readonly<Record<string, number>>;
  readonly counts: Readonly<Record<string, number>>;
}

export interface FaultRig {
  readonly name: string;
  readonly ledgerDir: string;
  /** The log event that shows a transport error was handled (`worker.backoff`; the Lambda wrapper: `lambda.action-failed`). */
  readonly backoffEvent?: string;
  /** Payload of fed job `n` (default: a little work). */
  payloadOf?(n: number): LedgerPayload;
  /** When the transport first answered a call successfully after `t` (default: the first ack in the ledger). */
  recoveredAfter?(t: number): number | undefined;
  /** Starts the worker(s), which reach the transport through the proxy. */
  start(): Promise<void>;
  /** What the worker(s) counted so far. */
  report(): Promise<WorkerReport>;
  /** Stops the worker(s) gracefully; `crashes` = workers that died on their own during the run. */
  stop(): Promise<WorkerReport & { crashes: number }>;
  /** Straight to the emulator, not through the proxy. */
  enqueue(jobs: ReadonlyArray<{ id: string; payload: LedgerPayload }>): Promise<void>;
  pending(): Promise<number>;
  readonly faults: readonly Fault[];
  deleteQueue(): Promise<void>;
  recreateQueue(): Promise<void>;
  /** What the proxy injected, by kind. */
  applied(): Record<string, number>;
  close(): Promise<void>;
}

export interface FaultOptions {
  phaseMs: number;
  /** Jobs fed per second while the faults run. */
  jobsPerSecond: number;
  /** Jobs enqueued after the queue is made again. */
  jobsAfterRecreate: number;
  /** Longest wait for the queue to drain (after the faults, and after the recreate). */
  drainTimeoutMs: number;
}

export interface PhaseFigures {
  readonly fault: string;
  readonly durationMs: number;
  /** worker.backoff lines (the rig's backoffEvent) during the phase. */
  readonly backoffs: number;
  /** From the end of the fault to the first acknowledgement through the transport after it. */
  readonly recoveryMs: number | undefined;
}

export interface FaultFigures {
  readonly transport: string;
  readonly phases: readonly PhaseFigures[];
  readonly jobs: number;
  readonly lost: number;
  readonly lostIds: readonly string[];
  readonly duplicateEffects: number;
  readonly unhandled: number;
  readonly unhandledSamples: readonly string[];
  readonly crashes: number;
  readonly transportErrors: number;
  readonly injected: Readonly<Record<string, number>>;
}

export async function runFaults(rig: FaultRig, options: FaultOptions): Promise<FaultFigures> {
  const reader = createLedgerReader(rig.ledgerDir);
  const ids: string[] = [];
  const feed = async (count: number) => {
    const batch = Array.from({ length: count }, () => {
      const n = ids.length;
      const id = jobIdOf(n);
      ids.push(id);
      return { id, payload: rig.payloadOf?.(n) ?? { n, workMs: 5 + (n % 20) } };
    });
    await rig.enqueue(batch);
  };
  // Recovered = an acknowledgement went through the transport again.
  const ackAfter = (t: number) => reader.entries.find((e) => e.kind === 'complete' && e.at > t);
  const backoffs = async () => (await rig.report()).events[rig.backoffEvent ?? 'worker.backoff'] ?? 0;
  const drained = async (what: string) => {
    await until(
      () => {
        reader.poll();
        const done = new Set(reader.entries.filter((e) => e.kind === 'effect').map((e) => e.jobId));
        return ids.every((id) => done.has(id));
      },
      { timeoutMs: options.drainTimeoutMs, everyMs: 100, what, describe: () => `${new Set(reader.entries.filter((e) => e.kind === 'effect').map((e) => e.jobId)).size}/${ids.length} jobs have their effect` },
    );
  };

  try {
    await rig.start();
    let feeding = true;
    const perTick = Math.max(1, Math.round(options.jobsPerSecond / 10));
    // A failed enqueue stops the feeder and fails the run after the phases, never as an
    // unhandled rejection while they run.
    let feedError: unknown;
    const feeder = (async () => {
      while (feeding) {
        await feed(perTick);
        await sleep(100);
      }
    })().catch((error: unknown) => {
      feedError = error;
      feeding = false;
    });

    const phases: Array<{ fault: string; startedAt: number; endedAt: number; backoffs: number }> = [];
    try {
      await sleep(options.phaseMs / 2); // a baseline: jobs flow before the first fault
      for (const fault of rig.faults) {
        const before = await backoffs();
        const startedAt = Date.now();
        fault.start();
        await sleep(options.phaseMs);
        fault.stop();
        const endedAt = Date.now();
        phases.push({ fault: fault.name, startedAt, endedAt, backoffs: (await backoffs()) - before });
        // The next fault starts once the worker recovered from this one (its backoff after a
        // run of failures can outlast a short phase), so each phase meets a worker that polls.
        await sleep(options.phaseMs / 2);
        await until(() => (reader.poll(), (rig.recoveredAfter ? rig.recoveredAfter(endedAt) : ackAfter(endedAt)?.at) !== undefined), {
          timeoutMs: options.drainTimeoutMs,
          everyMs: 50,
          what: `${rig.name}: recovery after ${fault.name}`,
        });
      }
    } finally {
      feeding = false;
      await feeder;
    }
    if (feedError !== undefined) throw feedError;
    await drained(`${rig.name}: every job fed during the faults running`);
    await until(async () => (await rig.pending()) === 0, { timeoutMs: options.drainTimeoutMs, everyMs: 200, what: `${rig.name}: the queue empty before it is deleted` });

    // The queue disappears (an operator deletes it), then is made again.
    const before = await backoffs();
    const deletedAt = Date.now();
    await rig.deleteQueue();
    await sleep(options.phaseMs);
    await rig.recreateQueue();
    const recreatedAt = Date.now();
    const deletedBackoffs = (await backoffs()) - before;
    await feed(options.jobsAfterRecreate);
    await drained(`${rig.name}: the jobs sent to the queue made again running`);
    phases.push({ fault: 'queue deleted, then made again', startedAt: deletedAt, endedAt: recreatedAt, backoffs: deletedBackoffs });

    const stopped = await rig.stop();
    reader.poll();
    const figures = countLedger(ids, reader.entries, []);
    return {
      transport: rig.name,
      phases: phases.map((p) => {
        const at = rig.recoveredAfter ? rig.recoveredAfter(p.endedAt) : ackAfter(p.endedAt)?.at;
        return { fault: p.fault, durationMs: p.endedAt - p.startedAt, backoffs: p.backoffs, recoveryMs: at === undefined ? undefined : at - p.endedAt };
      }),
      jobs: ids.length,
      lost: figures.lost,
      lostIds: figures.lostIds,
      duplicateEffects: figures.duplicateEffects,
      unhandled: figures.unhandled,
      unhandledSamples: figures.unhandledSamples,
      crashes: stopped.crashes,
      transportErrors: stopped.counts.transportErrors ?? 0,
      injected: rig.applied(),
    };
  } finally {
    await rig.close().catch(() => {});
  }
}
