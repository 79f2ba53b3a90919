/**
 * Cloud Tasks pull rigs: jobferry's Cloud Tasks emulator in the parent (gRPC, real clock), a
 * fresh v2beta2 pull queue and its paused dead-letter queue per run, and worker children that
 * lease from it through the adapter (LeaseTasks / RenewLease / AcknowledgeTask / CancelLease).
 */
import { v2beta2 } from '@google-cloud/tasks';
import { createCloudTasksService, type CloudTasksService } from '../../../../adapters/cloud-tasks/index.ts';
import { startCloudTasksEmulator, type CloudTasksEmulator } from '../../../../adapters/cloud-tasks/testing.ts';
import { spawnChild, type Child } from '../child.ts';
import type { IdempotencyConfig, PullChildConfig, WorkerSettings } from '../child-config.ts';
import type { LedgerJobOptions } from '../jobs.ts';
import type { KillRig } from '../kill-harness.ts';
import { serviceRigParts, type QueueRigBase } from './queue-rig.ts';
import { CLOUD_TASKS_CALL } from '../open-service.ts';

export const PROJECT = 'jobferry-reliability';
export const LOCATION = 'us-central1';
const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;

export interface CloudTasksBackend {
  readonly emulator: CloudTasksEmulator;
  readonly admin: v2beta2.CloudTasksClient;
  close(): Promise<void>;
}

/**
 * `queueRecreateDelayMs`: the real service keeps a deleted queue's name for 7 days (so does the
 * emulator by default); the fault suite sets 0 to delete a queue and make it again at once.
 */
export async function startCloudTasksBackend(options: { queueRecreateDelayMs?: number } = {}): Promise<CloudTasksBackend> {
  const emulator = await startCloudTasksEmulator(options.queueRecreateDelayMs === undefined ? {} : { queueRecreateDelayMs: options.queueRecreateDelayMs });
  const admin = new v2beta2.CloudTasksClient(emulator.clientOptions());
  return {
    emulator,
    admin,
    async close() {
      await admin.close();
      await emulator.close();
    },
  };
}

export interface CloudTasksQueueRig extends QueueRigBase {
  readonly backend: CloudTasksBackend;
  readonly queueId: string;
  readonly deadLetterQueueId: string;
  readonly service: CloudTasksService;
}

let counter = 0;

export async function cloudTasksQueueRig(backend: CloudTasksBackend, prefix: string): Promise<CloudTasksQueueRig> {
  const queueId = `${prefix}-${process.pid}-${++counter}`;
  const deadLetterQueueId = `${queueId}-dead`;
  const path = (id: string) => `${PARENT}/queues/${id}`;
  const create = (id: string) => backend.admin.createQueue({ parent: PARENT, queue: { name: path(id), pullTarget: {} } }, CLOUD_TASKS_CALL as never);
  await create(queueId);
  await create(deadLetterQueueId);
  await backend.admin.pauseQueue({ name: path(deadLetterQueueId) }, CLOUD_TASKS_CALL as never);
  const service = createCloudTasksService({
    mode: 'pull',
    project: PROJECT,
    location: LOCATION,
    queueId,
    deadLetterQueueId,
    endpoint: backend.emulator.grpcEndpoint,
    insecure: true,
    callOptions: CLOUD_TASKS_CALL,
    maxListedTasks: 100_000,
  });
  return {
    backend,
    queueId,
    deadLetterQueueId,
    service,
    ...serviceRigParts(service),
    async deleteQueue() {
      await backend.admin.deleteQueue({ name: path(queueId) }, CLOUD_TASKS_CALL as never);
    },
    async recreateQueue() {
      await create(queueId);
    },
    async close() {
      await service.close();
      for (const id of [queueId, deadLetterQueueId]) await backend.admin.deleteQueue({ name: path(id) }, CLOUD_TASKS_CALL as never).catch(() => {});
    },
  };
}

export interface CloudTasksPullRigOptions {
  ledgerDir: string;
  worker: WorkerSettings;
  job?: LedgerJobOptions;
  idempotency?: IdempotencyConfig;
  /** LeaseTasks does not long-poll: the adapter polls this often while a reserve waits. */
  pollIntervalMs?: number;
  /** `host:port` the children call (a fault proxy); default the emulator. */
  endpoint?: string;
}

export function cloudTasksPullRig(queueRig: CloudTasksQueueRig, options: CloudTasksPullRigOptions): KillRig {
  return {
    name: 'cloud-tasks pull',
    ledgerDir: options.ledgerDir,
    spawnWorker(label): Child {
      const config: PullChildConfig = {
        label,
        ledgerDir: options.ledgerDir,
        transport: {
          kind: 'cloud-tasks',
          endpoint: options.endpoint ?? queueRig.backend.emulator.grpcEndpoint,
          project: PROJECT,
          location: LOCATION,
          queueId: queueRig.queueId,
          deadLetterQueueId: queueRig.deadLetterQueueId,
          pollIntervalMs: options.pollIntervalMs ?? 200,
        },
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
