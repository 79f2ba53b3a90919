/**
 * SQS rigs: fauxqs in the parent, a fresh queue (with its dead-letter queue) per run, and worker
 * children that reach it over HTTP. `sqsPullRig` runs pull workers (src/worker.ts); the Lambda
 * rig (lambda-rig.ts) runs the event source mapping here and the wrapper in children.
 */
import { createSqsService, type SqsService } from '../../../../adapters/sqs/index.ts';
import { uniqueQueueName, type SqsEmulator, type TestQueue } from '../../../../adapters/sqs/emulator.ts';
import { loadSqsSdk } from '../../../../adapters/sqs/sdk.ts';
import { spawnChild, type Child } from '../child.ts';
import type { IdempotencyConfig, PullChildConfig, WorkerSettings } from '../child-config.ts';
import type { LedgerJobOptions } from '../jobs.ts';
import type { KillRig } from '../kill-harness.ts';
import { serviceRigParts, type QueueRigBase } from './queue-rig.ts';

export interface SqsQueueRig extends QueueRigBase {
  readonly emulator: SqsEmulator;
  readonly queue: TestQueue;
  /** The parent's own service on the queue (enqueue, stats, dead letters), straight to fauxqs. */
  readonly service: SqsService;
}

/** A fresh queue on `emulator` whose visibility timeout is `leaseSeconds` (the Lambda path's lease). */
export async function sqsQueueRig(emulator: SqsEmulator, prefix: string, leaseSeconds = 30): Promise<SqsQueueRig> {
  // SQS itself never dead-letters here (1000 receives): every dead letter is a jobferry bury, with its reason.
  const queue = await emulator.createQueue(uniqueQueueName(prefix), { deadLetter: { maxReceiveCount: 1_000 }, visibilityTimeoutSeconds: leaseSeconds });
  const attributes = { VisibilityTimeout: String(leaseSeconds), RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queue.deadLetterQueueArn, maxReceiveCount: 1_000 }) };
  const service = createSqsService({ queueUrl: queue.queueUrl, deadLetterQueueUrl: queue.deadLetterQueueUrl, clientConfig: emulator.clientConfig });
  return {
    emulator,
    queue,
    service,
    ...serviceRigParts(service),
    async deleteQueue() {
      const sdk = await loadSqsSdk();
      await (await emulator.client()).send(new sdk.DeleteQueueCommand({ QueueUrl: queue.queueUrl }));
    },
    async recreateQueue() {
      const sdk = await loadSqsSdk();
      const { QueueUrl } = await (await emulator.client()).send(new sdk.CreateQueueCommand({ QueueName: queue.name, Attributes: attributes }));
      if (QueueUrl !== queue.queueUrl) throw new Error(`sqs: the queue made again has another URL (${QueueUrl}, was ${queue.queueUrl})`);
    },
    async close() {
      await service.close();
      await queue.delete();
    },
  };
}

export interface SqsPullRigOptions {
  ledgerDir: string;
  worker: WorkerSettings;
  job?: LedgerJobOptions;
  idempotency?: IdempotencyConfig;
  /** Server-side long poll of the workers' receives, in seconds. */
  waitTimeSeconds?: number;
  /** Where the children send their requests (a fault proxy); default the emulator. */
  endpoint?: string;
}

export function sqsPullRig(queueRig: SqsQueueRig, options: SqsPullRigOptions): KillRig {
  const { emulator, queue } = queueRig;
  return {
    name: 'sqs',
    ledgerDir: options.ledgerDir,
    spawnWorker(label): Child {
      const config: PullChildConfig = {
        label,
        ledgerDir: options.ledgerDir,
        transport: { kind: 'sqs', endpoint: options.endpoint ?? emulator.endpoint, region: emulator.region, queueUrl: queue.queueUrl, deadLetterQueueUrl: queue.deadLetterQueueUrl, waitTimeSeconds: options.waitTimeSeconds ?? 1 },
        worker: options.worker,
        job: options.job,
        idempotency: options.idempotency,
      };
      return spawnChild({ entry: 'workers/pull-worker.ts', label, config });
    },
    enqueue: (jobs) => queueRig.enqueue(jobs),
    pending: () => queueRig.pending(),
    buried: () => queueRig.buried(),
    kick: (max) => queueRig.kick(max),
    close: () => queueRig.close(),
  };
}

