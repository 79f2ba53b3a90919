/**
 * The Cloud Tasks emulator for adapter tests: one per test file, fresh queues per test, made
 * with the real @google-cloud/tasks client.
 */
import { v2, v2beta2 } from '@google-cloud/tasks';
import { startCloudTasksEmulator, type CloudTasksEmulator, type CloudTasksEmulatorOptions } from '../../../adapters/cloud-tasks/testing.ts';
import { createCloudTasksService, type CloudTasksService } from '../../../adapters/cloud-tasks/index.ts';
import type { CloudTasksServiceOptions } from '../../../adapters/cloud-tasks/options.ts';

export const PROJECT = 'jobferry-test';
export const LOCATION = 'us-central1';
export const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;
/** No retries and a short timeout: a failing call fails the test at once. */
export const CALL = { retry: null, timeout: 5_000 } as const;

export interface EmulatorRig {
  readonly emulator: CloudTasksEmulator;
  readonly admin: v2.CloudTasksClient;
  readonly adminBeta: v2beta2.CloudTasksClient;
  /** A queue and its paused dead-letter queue, with unique ids. */
  queues(kind: 'push' | 'pull', retryConfig?: Record<string, unknown>): Promise<{ queueId: string; deadLetterQueueId: string }>;
  /** A service on the emulator (its own client, built from endpoint + insecure). */
  service(options: Partial<CloudTasksServiceOptions> & Pick<CloudTasksServiceOptions, 'queueId'>): CloudTasksService;
  close(): Promise<void>;
}

let counter = 0;

export async function startEmulatorRig(options: CloudTasksEmulatorOptions = {}): Promise<EmulatorRig> {
  const emulator = await startCloudTasksEmulator(options);
  const admin = new v2.CloudTasksClient(emulator.clientOptions());
  const adminBeta = new v2beta2.CloudTasksClient(emulator.clientOptions());
  const services: CloudTasksService[] = [];
  return {
    emulator,
    admin,
    adminBeta,
    async queues(kind, retryConfig) {
      counter++;
      const queueId = `q-${process.pid}-${counter}`;
      const deadLetterQueueId = `${queueId}-dead`;
      for (const id of [queueId, deadLetterQueueId]) {
        const name = `${PARENT}/queues/${id}`;
        if (kind === 'pull') await adminBeta.createQueue({ parent: PARENT, queue: { name, pullTarget: {} } }, CALL as never);
        else await admin.createQueue({ parent: PARENT, queue: { name, ...(retryConfig && id === queueId ? { retryConfig } : {}) } }, CALL as never);
      }
      const dead = `${PARENT}/queues/${deadLetterQueueId}`;
      if (kind === 'pull') await adminBeta.pauseQueue({ name: dead }, CALL as never);
      else await admin.pauseQueue({ name: dead }, CALL as never);
      return { queueId, deadLetterQueueId };
    },
    service(overrides) {
      const service = createCloudTasksService({
        project: PROJECT,
        location: LOCATION,
        endpoint: emulator.grpcEndpoint,
        insecure: true,
        callOptions: CALL,
        ...overrides,
      });
      services.push(service);
      return service;
    },
    async close() {
      await Promise.allSettled(services.map((s) => s.close()));
      await Promise.all([admin.close(), adminBeta.close()]);
      await emulator.close();
    },
  };
}
