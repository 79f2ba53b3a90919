/**
 * Simulated worker processes in one test process: each has its own client (transport.connect())
 * and its own pull worker. A process can be
 *
 * - stopped: the worker's graceful stop (what a deploy or a scale-in does);
 * - killed: from that moment its transport answers nothing (every call rejects, a receive in
 *   flight brings nothing back: what it had reserved stays invisible until its lease ends, as
 *   with a real SIGKILL), and its handlers are left where they are, as zombies.
 *
 * A process that goes is replaced by a fresh one (`replace`), as a platform restarts a
 * crashed container. Shared stores (chain store, idempotency store) are what survive.
 */
import type { AnyJob } from '../../src/job.ts';
import type { JobService, OutgoingJob } from '../../src/service.ts';
import { createWorker, type StopReport, type Worker, type WorkerOptions } from '../../src/worker.ts';
import type { PatternTransport } from './transports.ts';

export interface WorkerProcess {
  readonly id: number;
  readonly worker: Worker;
  readonly alive: boolean;
  /** Cuts the transport at once and lets the worker wind down behind it. */
  kill(): void;
  /** Graceful stop. */
  stop(): Promise<StopReport>;
}

export interface ProcessesOptions {
  transport: PatternTransport;
  /** The job definitions of one process (a closure may tell which process runs a job). */
  jobs(process: WorkerProcess): AnyJob[];
  worker: Partial<WorkerOptions>;
  /** Return true to lose a send (the transport says ok, nothing arrives). */
  lose?: (job: OutgoingJob) => boolean;
}

export interface Processes {
  start(): Promise<WorkerProcess>;
  /** Kills or stops `process` and starts another in its place; resolves once the new one runs. */
  replace(process: WorkerProcess, how: 'kill' | 'stop'): Promise<WorkerProcess>;
  readonly all: readonly WorkerProcess[];
  /** Sends lost so far. */
  readonly lost: number;
  /** Jobs the graceful stops gave back at the end of their grace period. */
  readonly releasedAtStop: number;
  /** Stops every process (killed ones included: their stop ends behind the cut transport). */
  stopAll(): Promise<void>;
  counts(): { completed: number; retried: number; buried: number; deferred: number; transportErrors: number };
}

const gone = () => Promise.reject(new Error('[test] the worker process was killed: its transport answers nothing'));

/** The transport of one process, with a kill switch and optional lost sends. */
function processService(service: JobService, lose: ProcessesOptions['lose'], onLost: () => void): JobService & { sever(): void } {
  let severed = false;
  const cut = <A extends unknown[], R>(fn: ((...args: A) => Promise<R>) | undefined) => fn && ((...args: A) => (severed ? gone() : fn.apply(service, args)));
  const wrapped = Object.create(service) as JobService & { sever(): void };
  Object.assign(wrapped, {
    sever: () => void (severed = true),
    touch: cut(service.touch),
    release: cut(service.release),
    complete: cut(service.complete),
    bury: cut(service.bury),
    reserve: service.reserve && (async (o: Parameters<NonNullable<JobService['reserve']>>[0]) => {
      if (severed) return gone();
      const jobs = await service.reserve!(o);
      // A dead process receives nothing: what the receive reserved comes back when its lease ends.
      return severed ? [] : jobs;
    }),
    enqueue: async (jobs: readonly OutgoingJob[]) => {
      if (severed) return gone();
      const kept = jobs.filter((j) => !(lose?.(j) ?? false));
      for (let n = kept.length; n < jobs.length; n++) onLost();
      const sent = kept.length > 0 ? await service.enqueue(kept) : [];
      const byId = new Map(sent.map((r, i) => [kept[i]!, r]));
      return jobs.map((j) => byId.get(j) ?? { id: j.id, ok: true as const });
    },
  });
  return wrapped;
}

export function createProcesses(options: ProcessesOptions): Processes {
  const all: WorkerProcess[] = [];
  let lost = 0;
  let releasedAtStop = 0;
  const stops: Array<Promise<unknown>> = [];

  const start = async (): Promise<WorkerProcess> => {
    const service = processService(options.transport.connect(), options.lose, () => lost++);
    let alive = true;
    const proc: WorkerProcess = {
      id: all.length + 1,
      worker: undefined as unknown as Worker,
      get alive() {
        return alive;
      },
      kill() {
        alive = false;
        service.sever();
        stops.push(proc.worker.stop());
      },
      stop() {
        alive = false;
        const stopped = proc.worker.stop().then((report) => {
          releasedAtStop += report.released;
          return report;
        });
        stops.push(stopped);
        return stopped;
      },
    };
    (proc as { worker: Worker }).worker = createWorker({ service, jobs: options.jobs(proc), handleSignals: false, ...options.transport.worker, ...options.worker });
    all.push(proc);
    await proc.worker.start();
    return proc;
  };

  return {
    start,
    async replace(proc, how) {
      if (how === 'kill') proc.kill();
      else void proc.stop();
      return start();
    },
    get all() {
      return all;
    },
    get lost() {
      return lost;
    },
    get releasedAtStop() {
      return releasedAtStop;
    },
    async stopAll() {
      await Promise.allSettled([...all.map((p) => p.worker.stop()), ...stops]);
    },
    counts() {
      const sum = { completed: 0, retried: 0, buried: 0, deferred: 0, transportErrors: 0 };
      for (const p of all) for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += p.worker.counts[k];
      return sum;
    },
  };
}
