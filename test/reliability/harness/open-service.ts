/**
 * The child's side of a transport: the real adapter, pointed at the emulator the parent runs.
 * SDK retries are off (maxAttempts 1), so every transport fault reaches jobferry itself.
 */
import type { JobService } from '../../../src/index.ts';
import type { TransportConfig } from './child-config.ts';

export async function openService(transport: TransportConfig): Promise<JobService> {
  switch (transport.kind) {
    case 'memory': {
      const { createMemoryService } = await import('../../../adapters/memory/index.ts');
      return createMemoryService({ queue: transport.queue });
    }
    case 'sqs': {
      const { createSqsService } = await import('../../../adapters/sqs/index.ts');
      return createSqsService({
        queueUrl: transport.queueUrl,
        deadLetterQueueUrl: transport.deadLetterQueueUrl,
        waitTimeSeconds: transport.waitTimeSeconds,
        clientConfig: sqsClientConfig(transport.endpoint, transport.region),
      });
    }
    case 'cloud-tasks':
      return openCloudTasks(transport);
  }
}

export function sqsClientConfig(endpoint: string, region: string) {
  return { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
}

async function openCloudTasks(transport: Extract<TransportConfig, { kind: 'cloud-tasks' }>): Promise<JobService> {
  // The pull side of the Cloud Tasks adapter (v2beta2 LeaseTasks): loaded by path, so this
  // file still compiles and the other transports still run while it is being written.
  const path = '../../../adapters/cloud-tasks/index.ts';
  let adapter: Record<string, unknown>;
  try {
    adapter = (await import(path)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`[cloud-tasks] the pull adapter is missing: adapters/cloud-tasks/index.ts could not be loaded (${(error as Error).message})`);
  }
  const create = adapter.createCloudTasksService;
  if (typeof create !== 'function') throw new Error('[cloud-tasks] the pull adapter is missing: adapters/cloud-tasks/index.ts exports no createCloudTasksService');
  return (create as (options: unknown) => JobService)({ queue: transport.queue, deadLetterQueue: transport.deadLetterQueue, grpc: { host: transport.host, port: transport.port } });
}
