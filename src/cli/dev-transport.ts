/**
 * How `jobferry dev` carries and delivers jobs. The same jobs and the same HTTP API run on
 * each; the configuration alone picks one:
 *
 * - `memory` (default), or a real queue named by the environment (JOBFERRY_SQS_QUEUE_URL,
 *   JOBFERRY_CLOUD_TASKS_PROJECT / _QUEUE_ID): a pull worker on that transport (dev-pull.ts);
 * - `sqs` with no queue named: fauxqs in this process, delivering through the Lambda event
 *   source simulator to the Lambda wrapper (dev-sqs.ts);
 * - `cloud-tasks` with no queue named: the Cloud Tasks emulator in this process, dispatching
 *   HTTP tasks with OIDC tokens to a local push handler (dev-cloud-tasks.ts).
 *
 * Each module is loaded only when chosen, so the memory app loads no emulator and no SDK.
 */
import type { JobferryConfig } from '../config.ts';
import { isOptionSet, selectedAdapter } from '../env.ts';
import type { AnyJob } from '../job.ts';
import type { Logger } from '../logger.ts';
import type { JobService } from '../service.ts';
import type { Worker } from '../worker.ts';

export interface DevTransportOptions {
  jobs: readonly AnyJob[];
  /** JOBFERRY_* variables. Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Options on top of the environment (`{ adapter: 'sqs' }`). */
  overrides: Record<string, unknown>;
  /** The app's logger, made once the configuration (its log level) is known. */
  logger: (config: JobferryConfig) => Logger;
}

/** `pull`: a pull worker reserves jobs; `lambda`: the Lambda event source simulator pushes them; `push`: Cloud Tasks dispatches them over HTTP. */
export type DevDelivery = 'pull' | 'lambda' | 'push';

export interface DevTransport {
  readonly config: JobferryConfig;
  readonly logger: Logger;
  readonly service: JobService;
  readonly delivery: DevDelivery;
  /** The pull worker, in pull delivery. */
  readonly worker?: Worker;
  /** Facts for the start-up log line: emulator endpoints, the push handler's URL. */
  readonly details: Readonly<Record<string, unknown>>;
  /** Figures for GET /stats (`worker`). */
  counts(): Record<string, unknown>;
  /** Starts delivering jobs. */
  start(): Promise<void>;
  /** Stops delivering (jobs in flight finish or are released), then closes the service and the emulator. */
  close(): Promise<void>;
}

/** Whether the configuration names a queue of its own (then no emulator is started). */
function namesQueue(adapter: string, env: Record<string, string | undefined> | undefined, overrides: Record<string, unknown>): boolean {
  const keys = adapter === 'sqs' ? ['queueUrl'] : adapter === 'cloud-tasks' ? ['project', 'queueId'] : [];
  return keys.some((option) => option in overrides || isOptionSet(adapter, option, env));
}

/** Whether `jobferry dev` runs the configured transport on an in-process emulator (sqs or cloud-tasks with no queue named). */
export function emulatedByDev(env?: Record<string, string | undefined>, overrides: Record<string, unknown> = {}): boolean {
  const adapter = selectedAdapter(env, overrides);
  return (adapter === 'sqs' || adapter === 'cloud-tasks') && !namesQueue(adapter, env, overrides);
}

export async function openDevTransport(options: DevTransportOptions): Promise<DevTransport> {
  if (emulatedByDev(options.env, options.overrides)) {
    const adapter = selectedAdapter(options.env, options.overrides);
    if (adapter === 'sqs') return (await import('./dev-sqs.ts')).startSqsDevTransport(options);
    return (await import('./dev-cloud-tasks.ts')).startCloudTasksDevTransport(options);
  }
  return (await import('./dev-pull.ts')).startPullDevTransport(options);
}

/** The queue the emulated transports create. */
export const DEV_QUEUE = 'jobferry-dev';
