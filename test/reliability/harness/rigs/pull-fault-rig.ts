/**
 * A pull worker child behind a fault proxy, as a FaultRig: report() asks the child for its
 * counts over IPC, stop() is SIGTERM and the child's stop report. A child that exits before
 * stop() is a crash (it is not respawned: the run then fails on the jobs it leaves).
 */
import type { Child } from '../child.ts';
import type { Fault, FaultRig, WorkerReport } from '../faults.ts';
import type { LedgerPayload } from '../jobs.ts';
import { within } from '../wait.ts';

export interface PullFaultRigParts {
  name: string;
  ledgerDir: string;
  spawnWorker(label: string): Child;
  enqueue(jobs: ReadonlyArray<{ id: string; payload: LedgerPayload }>): Promise<void>;
  pending(): Promise<number>;
  faults: readonly Fault[];
  deleteQueue(): Promise<void>;
  recreateQueue(): Promise<void>;
  applied(): Record<string, number>;
  close(): Promise<void>;
}

export function pullFaultRig(parts: PullFaultRigParts): FaultRig {
  let child: Child | undefined;
  let stopping = false;
  let crashes = 0;
  return {
    ...parts,
    async start() {
      child = parts.spawnWorker(`${parts.name.replace(/\W+/g, '-')}-faults`);
      void child.exited.then((exit) => {
        if (!stopping || exit.code !== 0) crashes++;
      });
      await within(child.ready, 30_000, `${parts.name}: the worker starting`);
    },
    async report(): Promise<WorkerReport> {
      const answer = child!.next('status', 10_000);
      child!.send({ type: 'status' });
      const status = await answer;
      return { events: status.events, counts: status.counts };
    },
    async stop() {
      stopping = true;
      const stopped = child!.next('stopped', 30_000);
      child!.kill('SIGTERM');
      const message = await stopped;
      await within(child!.exited, 10_000, `${parts.name}: the worker exiting`);
      return { events: message.events, counts: message.counts, crashes };
    },
    async close() {
      child?.kill('SIGKILL');
      await parts.close();
    },
  };
}
