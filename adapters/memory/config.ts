/**
 * The memory adapter as the registry loads it (src/registry.ts): a configuration in, a service
 * out. `leaseSeconds` is the worker's default lease, not a property of the store.
 */
import type { MemoryConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import { createMemoryService, type MemoryService } from './service.ts';

export function fromConfig(config: MemoryConfig, _options: { logger?: Logger } = {}): MemoryService {
  return createMemoryService({ queue: config.queue, maxBodyBytes: config.maxBodyBytes });
}
