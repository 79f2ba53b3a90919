/**
 * Adapter registry: adapter names map to lazy imports, so a process loads only the transport
 * it uses (a Lambda on SQS never loads Google's code, and the reverse). A JobService object
 * can be passed instead of a configuration (tests, bundlers, custom transports).
 */
import type { JobferryConfig } from './config.ts';
import { parseConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { JobService } from './service.ts';

export interface AdapterModule<C extends JobferryConfig = JobferryConfig> {
  fromConfig(config: C, options?: { logger?: Logger }): JobService | Promise<JobService>;
}

type Loaders = { [K in JobferryConfig['adapter']]: () => Promise<AdapterModule<Extract<JobferryConfig, { adapter: K }>>> };

const loaders: Loaders = {
  memory: () => import('../adapters/memory/config.ts'),
  sqs: () => import('../adapters/sqs/config.ts'),
  'cloud-tasks': () => import('../adapters/cloud-tasks/config.ts'),
};

export function isJobService(value: unknown): value is JobService {
  const v = value as Partial<JobService> | null;
  return typeof v === 'object' && v !== null && typeof v.enqueue === 'function' && typeof v.adapter === 'string';
}

/**
 * A JobService from a configuration object (validated here) or a ready-made service.
 *
 * @example
 * ```ts
 * const service = await createService(loadConfig()); // JOBFERRY_ADAPTER=sqs ...
 * ```
 */
export async function createService(config: JobferryConfig | JobService | Record<string, unknown>, options: { logger?: Logger } = {}): Promise<JobService> {
  if (isJobService(config)) return config;
  const parsed = parseConfig(config);
  const load = loaders[parsed.adapter] as () => Promise<AdapterModule>;
  let mod: AdapterModule;
  try {
    mod = await load();
  } catch (error) {
    throw new ConfigError([`adapter: could not load the ${parsed.adapter} adapter (is its SDK installed?): ${error instanceof Error ? error.message : String(error)}`], { cause: error });
  }
  return mod.fromConfig(parsed, options);
}
