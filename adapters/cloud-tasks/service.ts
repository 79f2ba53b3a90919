/**
 * The Cloud Tasks JobService. Push mode (default): tasks are HTTP requests to the push
 * handler (v2 API); pull mode: workers lease pull tasks (v2beta2 API, beta). Both keep
 * buried jobs in a paused dead-letter queue.
 *
 * Nothing is loaded or connected at construction: the SDK is imported, and the client built,
 * at the first call.
 *
 * @example
 * ```ts
 * const service = createCloudTasksService({
 *   project: 'my-project', location: 'europe-west1', queueId: 'emails', deadLetterQueueId: 'emails-dead',
 *   handlerUrl: 'https://jobs-abc.a.run.app/tasks', serviceAccountEmail: 'tasks@my-project.iam.gserviceaccount.com',
 * });
 * await createQueue({ service }).enqueue(sendEmail, { to: 'a@example.com' }, { delayMs: 60_000 });
 * ```
 */
import { TransportError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logger.ts';
import type { JobService, ReservedJob } from '../../src/service.ts';
import { lazyV2, lazyV2beta2 } from './client.ts';
import { createTask, type ServiceContext } from './context.ts';
import { createDeadLetterOps } from './dead-letter.ts';
import { enqueueJobs, limitsOf } from './enqueue.ts';
import { ATTEMPTS_BEFORE_HEADER } from './headers.ts';
import { checkServiceOptions, type CloudTasksServiceOptions, type CloudTasksSettings } from './options.ts';
import { createPullOps } from './pull.ts';
import { queueStats } from './stats.ts';
import { toTransportError } from './transport-errors.ts';

export interface CloudTasksService extends JobService {
  readonly adapter: 'cloud-tasks';
  readonly mode: 'push' | 'pull';
  /** Full queue name: `projects/p/locations/l/queues/q`. */
  readonly queuePath: string;
  readonly deadLetterQueuePath: string | undefined;
  bury: NonNullable<JobService['bury']>;
  release: NonNullable<JobService['release']>;
  complete: NonNullable<JobService['complete']>;
  kick: NonNullable<JobService['kick']>;
  listBuried: NonNullable<JobService['listBuried']>;
  stats: NonNullable<JobService['stats']>;
  close: NonNullable<JobService['close']>;
}

export function createCloudTasksService(options: CloudTasksServiceOptions): CloudTasksService {
  const settings: CloudTasksSettings = checkServiceOptions(options);
  const source = { authClient: options.authClient, client: options.client, pullClient: options.pullClient };
  const getV2 = lazyV2(settings, source);
  const getBeta = lazyV2beta2(settings, source);
  const used = { v2: false, beta: false };
  let closed = false;
  const open = (op: string) => {
    if (closed) throw new TransportError(`[cloud-tasks] ${op} failed: the service is closed`, { adapter: 'cloud-tasks', queue: settings.queueId, code: 'Closed' });
  };
  const ctx: ServiceContext = {
    settings,
    logger: options.logger ?? silentLogger,
    now: options.now ?? Date.now,
    v2: () => ((used.v2 = true), getV2()),
    beta: () => ((used.beta = true), getBeta()),
    callOptions: options.callOptions ?? {},
  };
  const pull = settings.mode === 'pull' ? createPullOps(ctx) : undefined;
  const deadLetter = createDeadLetterOps(ctx, pull);

  // Push mode: release re-creates the task for the delay, carrying the attempts used so far,
  // and the push handler's 2xx then acknowledges the old one.
  const releasePushed = async (job: ReservedJob, delayMs: number) => {
    const max = limitsOf(settings.mode).maxDelayMs;
    if (typeof delayMs !== 'number' || !(delayMs >= 0) || delayMs > max) {
      throw new TransportError(`[cloud-tasks] release failed: delayMs must be a number of ms from 0 to ${max}, got ${String(delayMs)}`, { adapter: 'cloud-tasks', queue: settings.queueId, code: 'InvalidArgument' });
    }
    const body = typeof job.body === 'string' ? new TextEncoder().encode(job.body) : job.body;
    try {
      await createTask(ctx, { body, delayMs, headers: { [ATTEMPTS_BEFORE_HEADER]: String(job.attempt) }, tag: '' });
    } catch (error) {
      throw toTransportError(error, 'release', settings.queueId);
    }
  };

  const service: CloudTasksService = {
    adapter: 'cloud-tasks',
    queue: settings.queueId,
    mode: settings.mode,
    queuePath: settings.queuePath,
    deadLetterQueuePath: settings.deadLetterPath,
    limits: limitsOf(settings.mode),
    features: { dedupe: true, groups: false, priority: false },
    async enqueue(jobs) {
      open('enqueue');
      return enqueueJobs(ctx, jobs);
    },
    async release(job, delayMs) {
      open('release');
      if (typeof job?.receipt === 'string' && job.receipt.startsWith('push:') && settings.mode === 'push') return releasePushed(job, delayMs);
      if (pull === undefined) throw new TransportError('[cloud-tasks] release failed: not a pushed task of this push queue', { adapter: 'cloud-tasks', queue: settings.queueId, code: 'StaleReceipt' });
      return pull.release(job, delayMs);
    },
    async complete(job) {
      open('complete');
      if (typeof job?.receipt === 'string' && job.receipt.startsWith('push:')) return; // the handler's 2xx acknowledges it
      if (pull === undefined) throw new TransportError('[cloud-tasks] complete failed: a push queue acknowledges by the HTTP answer', { adapter: 'cloud-tasks', queue: settings.queueId, code: 'StaleReceipt' });
      return pull.complete(job);
    },
    async bury(job, info) {
      open('bury');
      return deadLetter.bury(job, info);
    },
    async kick(opts) {
      open('kick');
      return deadLetter.kick(opts);
    },
    async listBuried(opts) {
      open('listBuried');
      return deadLetter.listBuried(opts);
    },
    async stats() {
      open('stats');
      return queueStats(ctx, deadLetter, pull);
    },
    async close() {
      if (closed) return;
      closed = true;
      // Only clients built here are closed here; a caller's client stays the caller's.
      const mine: Array<Promise<{ close(): Promise<void> }>> = [];
      if (used.v2 && options.client === undefined) mine.push(getV2());
      if (used.beta && options.pullClient === undefined) mine.push(getBeta());
      await Promise.allSettled(mine.map((client) => client.then((c) => c.close())));
    },
  };
  if (pull !== undefined) {
    Object.assign(service, {
      async reserve(opts: Parameters<typeof pull.reserve>[0]) {
        open('reserve');
        return pull.reserve(opts);
      },
      async touch(job: ReservedJob, leaseMs: number) {
        open('touch');
        return pull.touch(job, leaseMs);
      },
    });
  }
  return service;
}
