/**
 * A JobService that writes what a worker asks of its transport into the ledger, then calls the
 * real service unchanged: reserves (and the calls that start them), acks, releases, buries.
 * It changes no behaviour; it only makes the transport's side visible (which jobs came back,
 * whether a reserve started after SIGTERM, how often a job was acknowledged).
 */
import type { JobService, ReservedJob } from '../../../src/index.ts';
import { envelopeIdOf } from './jobs.ts';
import type { LedgerWriter } from './ledger.ts';

export function recordingService<S extends JobService>(service: S, ledger: LedgerWriter): S {
  const idOf = (job: ReservedJob) => envelopeIdOf(job.body) ?? `transport:${job.transportId}`;
  const wrapped: JobService = {
    adapter: service.adapter,
    queue: service.queue,
    limits: service.limits,
    features: service.features,
    enqueue: (jobs) => service.enqueue(jobs),
  };
  if (service.reserve) {
    wrapped.reserve = async (options) => {
      ledger.write('reserve-call', '-', 0, `max=${options.max}`);
      const jobs = await service.reserve!(options);
      for (const job of jobs) ledger.write('reserved', idOf(job), job.attempt, job.transportId);
      return jobs;
    };
  }
  if (service.touch) {
    wrapped.touch = async (job, leaseMs) => {
      ledger.write('touch', idOf(job), job.attempt, `leaseMs=${leaseMs}`);
      await service.touch!(job, leaseMs);
    };
  }
  if (service.release) {
    wrapped.release = async (job, delayMs) => {
      await service.release!(job, delayMs);
      ledger.write('release', idOf(job), job.attempt, `delayMs=${delayMs}`);
    };
  }
  if (service.complete) {
    wrapped.complete = async (job) => {
      await service.complete!(job);
      ledger.write('complete', idOf(job), job.attempt, job.transportId);
    };
  }
  if (service.bury) {
    wrapped.bury = async (job, info) => {
      await service.bury!(job, info);
      ledger.write('bury', idOf(job), job.attempt, info.reason);
    };
  }
  if (service.kick) wrapped.kick = (options) => service.kick!(options);
  if (service.stats) wrapped.stats = () => service.stats!();
  if (service.listBuried) wrapped.listBuried = (options) => service.listBuried!(options);
  if (service.close) wrapped.close = () => service.close!();
  return wrapped as S;
}
