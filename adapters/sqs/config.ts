/**
 * The SQS adapter as the registry loads it (src/registry.ts): a configuration in, a service
 * out. `visibilityTimeoutSeconds` and `pollers` are the pull worker's settings, not the service's.
 */
import type { SqsConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import { createSqsService, type SqsService } from './service.ts';

export function fromConfig(config: SqsConfig, options: { logger?: Logger } = {}): SqsService {
  const clientConfig = config.region === undefined && config.endpoint === undefined ? undefined : { region: config.region, endpoint: config.endpoint };
  return createSqsService({
    queueUrl: config.queueUrl,
    deadLetterQueueUrl: config.deadLetterQueueUrl,
    clientConfig,
    waitTimeSeconds: config.waitTimeSeconds,
    maxBodyBytes: config.maxBodyBytes,
    useMessageMoveTask: config.useMessageMoveTask,
    logger: options.logger,
  });
}
