/**
 * The memory transport for the heartbeat checks, in this process: the queue and its workers
 * share one process (as they do in an app that uses the memory transport), each worker with its
 * own ledger id. Touches are held in the transport: a wrapper delays the memory touch, then lets
 * it through or fails it as a transport that did not answer in time.
 */
import { createMemoryService } from '../../../../adapters/memory/index.ts';
import { createQueue, createWorker, TransportError, type JobService, type Logger } from '../../../../src/index.ts';
import type { HeartbeatRig, TouchHold, WorkerHandle } from '../heartbeat.ts';
import { ledgerJob, producerJob } from '../jobs.ts';
import { openLedger } from '../ledger.ts';
import { recordingService } from '../recording-service.ts';
import { scratchDir } from '../tmp.ts';

export function memoryHeartbeatRig(): HeartbeatRig {
  const dir = scratchDir('heartbeat-memory');
  const memory = createMemoryService({ queue: 'heartbeat' });
  let hold: { release: Promise<'forward' | 'fail'>; held: number; errors: number } | undefined;
  let nextId = 1;

  // The transport, with its touches held while a hold is on.
  const transport: JobService = {
    ...memory,
    touch: async (job, leaseMs) => {
      const current = hold;
      if (current) {
        current.held++;
        if ((await current.release) === 'fail') {
          current.errors++;
          throw new TransportError('[memory] touch failed: the transport did not answer in time', { adapter: 'memory', queue: 'heartbeat', code: 'Timeout', retryable: true });
        }
      }
      try {
        await memory.touch(job, leaseMs);
      } catch (error) {
        if (current) current.errors++;
        throw error;
      }
    },
  };

  return {
    name: 'memory',
    ledgerDir: dir.path,
    async enqueue(id, payload) {
      await createQueue({ service: memory, jobs: [producerJob] }).enqueue(producerJob, payload, { id });
    },
    startWorker(label, settings, jobOptions): WorkerHandle {
      const id = process.pid * 1_000 + nextId++;
      const ledger = openLedger(dir.path, label, id);
      const events: Record<string, number> = {};
      const logger: Logger = {
        isEnabled: (level) => level !== 'debug',
        log: (_level, record) => void (events[String(record.event)] = (events[String(record.event)] ?? 0) + 1),
      };
      const worker = createWorker({ service: recordingService(transport, ledger), jobs: [ledgerJob(ledger, jobOptions)], logger, handleSignals: false, ...settings });
      return {
        pid: id,
        ready: worker.start(),
        async stop() {
          await worker.stop();
          ledger.close();
          return { counts: { ...worker.counts }, events: { ...events } };
        },
      };
    },
    holdTouches(): TouchHold {
      let open!: (how: 'forward' | 'fail') => void;
      const current = { release: new Promise<'forward' | 'fail'>((r) => (open = r)), held: 0, errors: 0 };
      hold = current;
      return {
        get errors() {
          return current.errors;
        },
        get held() {
          return current.held;
        },
        release(how) {
          if (hold === current) hold = undefined;
          open(how);
        },
      };
    },
    async close() {
      await memory.close();
      dir.remove();
    },
  };
}
