/**
 * The dead-letter queue. Cloud Tasks deletes a task after its last attempt and has no
 * dead-letter queue, so jobferry keeps buried jobs as tasks in a second queue that stays
 * PAUSED (push mode: an HTTP queue, never dispatched while paused; pull mode: a pull queue,
 * never leased from). See dead-letter-record.ts for what a stored task holds.
 *
 *   bury       = create the task in the dead-letter queue, THEN acknowledge the original
 *                (pull: AcknowledgeTask; push: the handler's 2xx). A crash between the two
 *                buries the job twice at worst; it never loses it.
 *   kick       = re-create this queue's buried jobs in it (attempt 1 again), then delete them
 *                from the dead-letter queue.
 *   listBuried = the dead-letter queue's tasks, decoded.
 */
import { TransportError } from '../../src/errors.ts';
import type { BuriedJob, BuryInfo, ReservedJob } from '../../src/service.ts';
import { call, createTask, listTasks, type ServiceContext } from './context.ts';
import { buryFacts, factsFromHeaders, factsToHeaders, pullPayload, recordFromPullPayload, toBuriedJob, type StoredRecord } from './dead-letter-record.ts';
import type { BetaTask, PullOps } from './pull.ts';
import { dedupeTaskId, httpTask, msOf, pullTask, taskIdOf } from './tasks.ts';
import { grpcCode, toTransportError } from './transport-errors.ts';

export interface DeadLetterOps {
  bury(job: ReservedJob, info: BuryInfo): Promise<void>;
  listBuried(options?: { max?: number }): Promise<BuriedJob[]>;
  kick(options?: { max?: number }): Promise<number>;
  /** Tasks in the dead-letter queue (all sources), for stats. */
  count(): Promise<number>;
}

const encoder = new TextEncoder();

export function createDeadLetterOps(ctx: ServiceContext, pull: PullOps | undefined): DeadLetterOps {
  const { settings } = ctx;
  const api = settings.mode === 'push' ? 'v2' : 'v2beta2';
  let checked: Promise<void> | undefined;

  const path = (op: string): string => {
    if (settings.deadLetterPath !== undefined) return settings.deadLetterPath;
    throw new TransportError(`[cloud-tasks] ${op} failed: no deadLetterQueueId is configured, so there is nowhere to keep buried jobs`, {
      adapter: 'cloud-tasks',
      queue: settings.queueId,
      code: 'NoDeadLetterQueue',
      retryable: false,
    });
  };

  // A running dead-letter queue would dispatch buried jobs again: say so, once, loudly.
  const checkPaused = (dlq: string) => {
    checked ??= (async () => {
      try {
        const client = settings.mode === 'push' ? await ctx.v2() : await ctx.beta();
        const [queue] = await (client as Awaited<ReturnType<ServiceContext['v2']>>).getQueue({ name: dlq }, ctx.callOptions);
        const state = queue.state as unknown;
        if (state !== 'PAUSED' && state !== 2) {
          ctx.logger.log('error', { event: 'cloud-tasks.dead-letter-running', adapter: 'cloud-tasks', queue: settings.queueId, detail: `dead-letter queue ${dlq} is ${String(state)}, not PAUSED: pause it (gcloud tasks queues pause), or buried jobs run again` });
        }
      } catch (error) {
        // Enqueuers often may not read queues (cloudtasks.queues.get): the check is advice only.
        if (ctx.logger.isEnabled('debug')) ctx.logger.log('debug', { event: 'cloud-tasks.dead-letter-check', adapter: 'cloud-tasks', queue: settings.queueId, detail: String((error as Error)?.message ?? error) });
      }
    })();
    return checked;
  };

  const write = async (dlq: string, body: Uint8Array, facts: ReturnType<typeof buryFacts>, taskId: string | undefined) => {
    if (settings.mode === 'push') {
      const client = await ctx.v2();
      const task = httpTask(settings, dlq, { body, delayMs: 0, taskId, headers: factsToHeaders(facts), now: facts.buriedAt });
      await client.createTask({ parent: dlq, task }, ctx.callOptions);
    } else {
      const client = await ctx.beta();
      await client.createTask({ parent: dlq, task: pullTask(dlq, { body: pullPayload(facts, body), delayMs: 0, taskId, tag: 'jobferry-buried', now: facts.buriedAt }) }, ctx.callOptions);
    }
  };

  const records = async (dlq: string, max: number, op: string): Promise<Array<{ taskId: string; name: string; createdAt: number; record: StoredRecord | undefined }>> => {
    const tasks = await listTasks<BetaTask>(ctx, dlq, 'FULL', Math.min(max, settings.maxListedTasks), api, op);
    return tasks.map((task) => {
      let record: StoredRecord | undefined;
      if (api === 'v2') {
        const facts = factsFromHeaders(task.httpRequest?.headers);
        if (facts !== undefined) record = { facts, body: task.httpRequest?.body ?? new Uint8Array(0) };
      } else {
        record = recordFromPullPayload(task.pullMessage?.payload ?? new Uint8Array(0));
      }
      return { taskId: taskIdOf(task.name), name: task.name ?? '', createdAt: msOf(task.createTime), record };
    });
  };

  return {
    async bury(job, info) {
      if (typeof info?.reason !== 'string' || info.reason === '') throw new TransportError('[cloud-tasks] bury failed: info.reason must be a non-empty string', { adapter: 'cloud-tasks', queue: settings.queueId, code: 'InvalidArgument' });
      const dlq = path('bury');
      void checkPaused(dlq);
      const body = typeof job.body === 'string' ? encoder.encode(job.body) : job.body;
      const facts = buryFacts(info, settings.queuePath, ctx.now());
      // One id per delivery: a bury repeated after a lost answer finds the task already there.
      const taskId = job.transportId ? dedupeTaskId(`${settings.queuePath}/tasks/${job.transportId}#${job.attempt}`) : undefined;
      try {
        await write(dlq, body, facts, taskId);
      } catch (error) {
        if (grpcCode(error) !== 'ALREADY_EXISTS') throw toTransportError(error, 'bury', settings.queueId);
      }
      if (typeof job.receipt === 'string' && job.receipt.startsWith('lease:')) {
        if (pull === undefined) throw new TransportError('[cloud-tasks] bury failed: a lease receipt on a push queue', { adapter: 'cloud-tasks', queue: settings.queueId, code: 'StaleReceipt' });
        await pull.acknowledge(job, 'bury');
      }
    },

    async listBuried(options = {}) {
      const max = options.max ?? 100;
      if (!(max >= 0)) throw new TransportError(`[cloud-tasks] listBuried failed: max must be a number >= 0, got ${String(max)}`, { adapter: 'cloud-tasks', queue: settings.queueId, code: 'InvalidArgument' });
      if (max === 0) return [];
      const found = await records(path('listBuried'), max, 'listBuried');
      return found.map(({ taskId, createdAt, record }) =>
        record !== undefined
          ? toBuriedJob(taskId, record)
          : { transportId: taskId, body: '', reason: 'unknown', detail: 'this task was not buried by jobferry', attempt: 0, buriedAt: createdAt, sourceQueue: '' },
      );
    },

    async kick(options = {}) {
      const max = options.max ?? Infinity;
      if (!(max >= 0)) throw new TransportError(`[cloud-tasks] kick failed: max must be a number >= 0, got ${String(max)}`, { adapter: 'cloud-tasks', queue: settings.queueId, code: 'InvalidArgument' });
      if (max === 0) return 0;
      const dlq = path('kick');
      let moved = 0;
      for (const { name, record } of await records(dlq, settings.maxListedTasks, 'kick')) {
        if (moved >= max) break;
        // A dead-letter queue may serve several queues: only this queue's jobs come back here.
        if (record === undefined || record.facts.source !== settings.queuePath) continue;
        await call(ctx, 'kick', () => createTask(ctx, { body: record.body, delayMs: 0, tag: jobNameOf(record.body) }));
        await call(ctx, 'kick', async () => {
          const client = settings.mode === 'push' ? await ctx.v2() : await ctx.beta();
          await (client as Awaited<ReturnType<ServiceContext['v2']>>).deleteTask({ name }, ctx.callOptions);
        });
        moved++;
      }
      return moved;
    },

    async count() {
      if (settings.deadLetterPath === undefined) return 0;
      return (await listTasks(ctx, settings.deadLetterPath, 'BASIC', settings.maxListedTasks, api, 'stats')).length;
    },
  };
}

// The tag of a re-created pull task: the job name, when the body is an envelope.
function jobNameOf(body: Uint8Array): string {
  try {
    const name = (JSON.parse(new TextDecoder().decode(body)) as { name?: unknown }).name;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}
