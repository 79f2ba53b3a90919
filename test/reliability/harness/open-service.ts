/**
 * The child's side of a transport: the real adapter, pointed at the emulator the parent runs.
 * SDK retries are off (SQS maxAttempts 1, gax retry null), so every transport fault reaches
 * jobferry itself.
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
  const { createCloudTasksService } = await import('../../../adapters/cloud-tasks/index.ts');
  return createCloudTasksService({
    mode: 'pull',
    project: transport.project,
    location: transport.location,
    queueId: transport.queueId,
    deadLetterQueueId: transport.deadLetterQueueId,
    endpoint: transport.endpoint,
    insecure: true,
    pollIntervalMs: transport.pollIntervalMs,
    // No gax retries: every transport fault reaches jobferry itself (as maxAttempts 1 does for SQS).
    callOptions: CLOUD_TASKS_CALL,
  });
}

export const CLOUD_TASKS_CALL = { retry: null, timeout: 10_000 } as const;
