/**
 * What every part of the Cloud Tasks service shares: settings, the lazily built clients, one
 * way to call them (call options, error mapping), and the writing of a task into a queue.
 */
import type { Logger } from '../../src/logger.ts';
import type { V2beta2Client, V2Client } from './client.ts';
import type { CloudTasksSettings } from './options.ts';
import { httpTask, pullTask, taskIdOf } from './tasks.ts';
import { toTransportError } from './transport-errors.ts';

export interface ServiceContext {
  readonly settings: CloudTasksSettings;
  readonly logger: Logger;
  readonly now: () => number;
  readonly v2: () => Promise<V2Client>;
  readonly beta: () => Promise<V2beta2Client>;
  readonly callOptions: Readonly<Record<string, unknown>>;
}

/** Runs one SDK call; any failure becomes a TransportError naming the operation. */
export async function call<T>(ctx: ServiceContext, op: string, fn: () => Promise<T>, queue = ctx.settings.queueId): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toTransportError(error, op, queue);
  }
}

export interface NewTask {
  readonly body: Uint8Array;
  readonly delayMs: number;
  readonly taskId?: string;
  /** Push mode: extra headers of this task. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Pull mode: the tag (the job name). */
  readonly tag: string;
}

/**
 * Creates a task in this service's queue (HTTP task in push mode, pull task in pull mode) and
 * resolves to its id. Failures are raw SDK errors: callers decide what ALREADY_EXISTS means.
 */
export async function createTask(ctx: ServiceContext, task: NewTask): Promise<string> {
  const { settings } = ctx;
  const now = ctx.now();
  const input = { body: task.body, delayMs: task.delayMs, taskId: task.taskId, headers: task.headers, now };
  if (settings.mode === 'push') {
    const client = await ctx.v2();
    const [created] = await client.createTask({ parent: settings.queuePath, task: httpTask(settings, settings.queuePath, input) }, ctx.callOptions);
    return taskIdOf(created.name);
  }
  const client = await ctx.beta();
  const [created] = await client.createTask({ parent: settings.queuePath, task: pullTask(settings.queuePath, { ...input, tag: task.tag }) }, ctx.callOptions);
  return taskIdOf(created.name);
}

/** Pages through a queue's tasks (`FULL` view includes bodies and headers), at most `max`. */
export async function listTasks<T>(ctx: ServiceContext, parent: string, view: 'BASIC' | 'FULL', max: number, api: 'v2' | 'v2beta2', op: string): Promise<T[]> {
  const out: T[] = [];
  let pageToken: string | undefined;
  const options = { ...ctx.callOptions, autoPaginate: false };
  do {
    const pageSize = Math.min(1000, max - out.length);
    const request = { parent, responseView: view, pageSize, ...(pageToken ? { pageToken } : {}) };
    const [tasks, next] = await call(ctx, op, async () => {
      const client = api === 'v2' ? await ctx.v2() : await ctx.beta();
      return (await (client as V2Client).listTasks(request as never, options as never)) as unknown as [T[], { pageToken?: string } | null | undefined];
    });
    out.push(...tasks);
    pageToken = next?.pageToken || undefined;
  } while (pageToken !== undefined && out.length < max);
  return out.slice(0, max);
}
