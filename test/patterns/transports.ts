/**
 * The transports the pattern scenarios (continuations, exclusive jobs) run on: memory, the SQS
 * emulator (fauxqs, a standard queue, the real @aws-sdk/client-sqs) and the Cloud Tasks
 * emulator (v2beta2 pull queues, the real @google-cloud/tasks client). `connect()` is a new
 * process's own client on the same queue: every simulated worker process gets one.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { createSqsService } from '../../adapters/sqs/index.ts';
import type { JobService } from '../../src/service.ts';
import type { WorkerOptions } from '../../src/worker.ts';
import type { EmulatorRig } from '../cloud-tasks/helpers/emulator.ts';
import type { SqsEmulator, TestQueue } from '../../adapters/sqs/emulator.ts';
import { freshQueue, sharedEmulator } from '../sqs/helpers.ts';

export interface PatternTransport {
  readonly label: string;
  /** The producer's service (also read for stats). */
  readonly service: JobService;
  /** A client of its own on the same queue, as a separate process would have. */
  connect(): JobService;
  /** Worker settings that fit the transport (long poll, lease). */
  readonly worker: Partial<WorkerOptions>;
  /** Shortest delay the transport carries for a release or a delayed send, ms (SQS and Cloud Tasks: whole seconds). */
  readonly delayGrainMs: number;
  close(): Promise<void>;
}

export function memoryTransport(workerLeaseMs: number): PatternTransport {
  const service = createMemoryService({ queue: 'patterns' });
  return {
    label: 'memory',
    service,
    connect: () => service,
    worker: { leaseMs: workerLeaseMs, waitMs: 20 },
    delayGrainMs: 1,
    close: async () => undefined,
  };
}

export interface SqsPatternTransport extends PatternTransport {
  readonly emulator: SqsEmulator;
  readonly queue: TestQueue;
}

/** A fresh standard queue (FIFO does not suit continuations) with a dead-letter queue. */
export async function sqsTransport(prefix: string, workerLeaseMs: number, visibilityTimeoutSeconds?: number): Promise<SqsPatternTransport> {
  const sqs = await sharedEmulator();
  const queue = await freshQueue(prefix, { deadLetter: { maxReceiveCount: 50 }, ...(visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeoutSeconds }) });
  const clients: SQSClient[] = [];
  const connect = () => {
    const client = new SQSClient(sqs.clientConfig);
    clients.push(client);
    return createSqsService({ queueUrl: queue.queueUrl, client });
  };
  return {
    label: 'sqs',
    emulator: sqs,
    queue,
    service: connect(),
    connect,
    // A long poll an abort can leave at once (SQS cannot cancel one; the adapter gives back what it brings).
    worker: { leaseMs: workerLeaseMs, waitMs: 20_000 },
    delayGrainMs: 1_000,
    async close() {
      for (const client of clients) client.destroy();
      await queue.delete();
    },
  };
}

/** A fresh pull queue and its paused dead-letter queue on the rig's emulator; polled every 50 ms. */
export async function cloudTasksTransport(rig: EmulatorRig, workerLeaseMs: number): Promise<PatternTransport> {
  const { queueId, deadLetterQueueId } = await rig.queues('pull');
  const connect = () => rig.service({ queueId, deadLetterQueueId, mode: 'pull', pollIntervalMs: 50 });
  return {
    label: 'cloud-tasks',
    service: connect(),
    connect,
    worker: { leaseMs: workerLeaseMs, waitMs: 500 },
    delayGrainMs: 1_000,
    // The rig closes the services it made.
    close: async () => undefined,
  };
}
