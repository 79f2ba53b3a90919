/**
 * What every transport's queue rig does the same way through its JobService: send the ledger
 * jobs through the real producer, count what is still queued, list the dead letters by job id.
 */
import { createQueue } from '../../../../src/index.ts';
import type { JobService } from '../../../../src/service.ts';
import { envelopeIdOf, producerJob, type LedgerPayload } from '../jobs.ts';
import type { BuriedRecord } from '../ledger-figures.ts';

export interface QueueRigBase {
  enqueue(jobs: ReadonlyArray<{ id: string; payload: LedgerPayload }>): Promise<void>;
  pending(): Promise<number>;
  buried(): Promise<BuriedRecord[]>;
  /** Moves up to `max` buried jobs back to the live queue (an operator's kick); resolves how many. */
  kick(max: number): Promise<number>;
  /** Deletes the live queue (its jobs go with it); the dead-letter queue stays. */
  deleteQueue(): Promise<void>;
  /** Makes the live queue again under the same name, empty. */
  recreateQueue(): Promise<void>;
  close(): Promise<void>;
}

type RigService = JobService & Required<Pick<JobService, 'stats' | 'listBuried' | 'kick'>>;

export function serviceRigParts(service: RigService): Pick<QueueRigBase, 'enqueue' | 'pending' | 'buried' | 'kick'> {
  return {
    async enqueue(jobs) {
      const results = await createQueue({ service, jobs: [producerJob] }).enqueueMany(jobs.map((j) => ({ job: producerJob, payload: j.payload, options: { id: j.id } })));
      const refused = results.filter((r) => !r.ok);
      if (refused.length > 0) throw new Error(`${service.adapter} enqueue: ${refused.length} of ${jobs.length} jobs refused: ${String((refused[0] as { error?: Error }).error?.message)}`);
    },
    async pending() {
      const s = await service.stats();
      return s.ready + s.reserved + s.delayed;
    },
    async buried() {
      const list = await service.listBuried({ max: 100_000 });
      return list.map((b) => ({ jobId: envelopeIdOf(b.body) ?? b.transportId, reason: b.reason }));
    },
    kick: (max) => service.kick({ max }),
  };
}
