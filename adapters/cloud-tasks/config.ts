/**
 * The Cloud Tasks adapter as the registry loads it (src/registry.ts): a configuration in
 * (JOBFERRY_ADAPTER=cloud-tasks, JOBFERRY_CLOUD_TASKS_*), a service out.
 */
import type { CloudTasksConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import { createCloudTasksService, type CloudTasksService } from './service.ts';

export function fromConfig(config: CloudTasksConfig, options: { logger?: Logger } = {}): CloudTasksService {
  return createCloudTasksService({
    project: config.project,
    location: config.location,
    queueId: config.queueId,
    deadLetterQueueId: config.deadLetterQueueId,
    mode: config.mode,
    handlerUrl: config.handlerUrl,
    serviceAccountEmail: config.serviceAccountEmail,
    audience: config.audience,
    dispatchDeadlineSeconds: config.dispatchDeadlineSeconds,
    endpoint: config.endpoint,
    insecure: config.insecure,
    fallback: config.fallback,
    credentials: config.credentials,
    pollIntervalMs: config.pollIntervalMs,
    logger: options.logger,
  });
}
