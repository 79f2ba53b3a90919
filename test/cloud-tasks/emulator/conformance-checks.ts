/**
 * Conformance checks that need nothing but a Cloud Tasks gRPC endpoint and a real clock, so
 * the same checks run against jobferry's emulator and against a container emulator.
 */
import type { v2 } from '@google-cloud/tasks';
import { expect } from 'vitest';
import { call, failure, type Target } from './helpers.ts';

export interface CheckContext {
  readonly client: v2.CloudTasksClient;
  /** `projects/P/locations/L` */
  readonly parent: string;
  /** The local HTTP target, and its URL as the emulator under test reaches it. */
  readonly target: Target;
  readonly targetUrl: string;
}

export interface Check {
  readonly name: string;
  run(ctx: CheckContext): Promise<void>;
}

let n = 0;
const fresh = (ctx: CheckContext, prefix: string) => `${ctx.parent}/queues/${prefix}-${Date.now().toString(36)}-${++n}`;

export const checks: readonly Check[] = [
  {
    name: 'creates and reads a queue; ALREADY_EXISTS for the same name',
    async run(ctx) {
      const name = fresh(ctx, 'create');
      const [queue] = await ctx.client.createQueue({ parent: ctx.parent, queue: { name } }, call);
      expect(queue.name).toBe(name);
      expect(queue.state).toBe('RUNNING');
      expect((await ctx.client.getQueue({ name }, call))[0].name).toBe(name);
      expect((await failure(ctx.client.createQueue({ parent: ctx.parent, queue: { name } }, call))).code).toBe(6);
    },
  },
  {
    name: 'NOT_FOUND with the real message for a missing queue',
    async run(ctx) {
      expect(await failure(ctx.client.getQueue({ name: fresh(ctx, 'missing') }, call))).toEqual({
        code: 5,
        details: 'Queue does not exist. If you just created the queue, wait at least a minute for the queue to initialize.',
      });
    },
  },
  {
    name: 'INVALID_ARGUMENT for a malformed queue name',
    async run(ctx) {
      expect((await failure(ctx.client.createQueue({ parent: ctx.parent, queue: { name: `${ctx.parent}/queues/bad_name!` } }, call))).code).toBe(3);
    },
  },
  {
    name: 'keeps a task: FULL view has the body, BASIC does not',
    async run(ctx) {
      const queue = fresh(ctx, 'views');
      await ctx.client.createQueue({ parent: ctx.parent, queue: { name: queue } }, call);
      await ctx.client.pauseQueue({ name: queue }, call);
      const [task] = await ctx.client.createTask({ parent: queue, task: { name: `${queue}/tasks/v1`, httpRequest: { url: ctx.targetUrl, body: Buffer.from('b') } } }, call);
      const [full] = await ctx.client.getTask({ name: task.name, responseView: 'FULL' }, call);
      expect(Buffer.from(full.httpRequest!.body as Uint8Array).toString()).toBe('b');
      const [basic] = await ctx.client.getTask({ name: task.name, responseView: 'BASIC' }, call);
      expect(basic.httpRequest?.body?.length ?? 0).toBe(0);
      expect((await ctx.client.listTasks({ parent: queue }, call))[0].map((t) => t.name)).toEqual([task.name]);
    },
  },
  {
    name: 'deduplicates named tasks, live and recently deleted',
    async run(ctx) {
      const queue = fresh(ctx, 'dedupe');
      await ctx.client.createQueue({ parent: ctx.parent, queue: { name: queue } }, call);
      await ctx.client.pauseQueue({ name: queue }, call);
      const task = { name: `${queue}/tasks/once`, httpRequest: { url: ctx.targetUrl } };
      await ctx.client.createTask({ parent: queue, task }, call);
      expect((await failure(ctx.client.createTask({ parent: queue, task }, call))).code).toBe(6);
      await ctx.client.deleteTask({ name: task.name }, call);
      expect((await failure(ctx.client.createTask({ parent: queue, task }, call))).code).toBe(6);
    },
  },
  {
    name: 'INVALID_ARGUMENT with the real message for a bad task ID',
    async run(ctx) {
      const queue = fresh(ctx, 'taskid');
      await ctx.client.createQueue({ parent: ctx.parent, queue: { name: queue } }, call);
      const result = await failure(ctx.client.createTask({ parent: queue, task: { name: `${queue}/tasks/not a valid id`, httpRequest: { url: ctx.targetUrl } } }, call));
      expect(result.code).toBe(3);
      expect(result.details).toContain('Task ID "not a valid id" can contain only letters');
    },
  },
  {
    name: 'dispatches with the Cloud Tasks headers, and retries with the previous response',
    async run(ctx) {
      ctx.target.received.length = 0;
      ctx.target.answers = [{ status: 503 }, { status: 200 }];
      const queue = fresh(ctx, 'dispatch');
      await ctx.client.createQueue(
        { parent: ctx.parent, queue: { name: queue, retryConfig: { minBackoff: { seconds: 1 }, maxBackoff: { seconds: 1 }, maxAttempts: 5 } } },
        call,
      );
      await ctx.client.createTask({ parent: queue, task: { name: `${queue}/tasks/d1`, httpRequest: { url: ctx.targetUrl, body: Buffer.from('hi') } } }, call);
      await ctx.target.waitFor(2, 15_000);
      const [first, second] = ctx.target.received;
      expect(first!.body).toBe('hi');
      expect(first!.headers).toMatchObject({
        'x-cloudtasks-queuename': queue.split('/').at(-1),
        'x-cloudtasks-taskname': 'd1',
        'x-cloudtasks-taskretrycount': '0',
        'x-cloudtasks-taskexecutioncount': '0',
      });
      expect(second!.headers).toMatchObject({ 'x-cloudtasks-taskretrycount': '1', 'x-cloudtasks-taskexecutioncount': '0', 'x-cloudtasks-taskpreviousresponse': '503' });
    },
  },
  {
    name: 'deletes a queue: NOT_FOUND afterwards',
    async run(ctx) {
      const name = fresh(ctx, 'delete');
      await ctx.client.createQueue({ parent: ctx.parent, queue: { name } }, call);
      await ctx.client.deleteQueue({ name }, call);
      expect((await failure(ctx.client.getQueue({ name }, call))).code).toBe(5);
    },
  },
];
