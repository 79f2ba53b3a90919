/**
 * stats from listing the queue (Cloud Tasks counts tasks, not states). Approximate: a pull
 * task released with a delay looks leased, and only this process knows it is delayed.
 *
 *   push: scheduleTime ahead -> delayed; dispatched, not yet answered -> reserved; else ready
 *   pull: scheduleTime ahead -> delayed when never leased (or released with a delay here), else reserved
 *   buried: tasks in the dead-letter queue (every source queue it serves)
 */
import type { QueueStats } from '../../src/service.ts';
import { listTasks, type ServiceContext } from './context.ts';
import type { DeadLetterOps } from './dead-letter.ts';
import type { PullOps } from './pull.ts';
import { msOf, taskIdOf, type Timestamp } from './tasks.ts';

interface ListedTask {
  name?: string | null;
  scheduleTime?: Timestamp | null;
  dispatchCount?: number | null;
  responseCount?: number | null;
  status?: { attemptDispatchCount?: number | null } | null;
}

export async function queueStats(ctx: ServiceContext, deadLetter: DeadLetterOps, pull: PullOps | undefined): Promise<QueueStats> {
  const api = ctx.settings.mode === 'push' ? 'v2' : 'v2beta2';
  const [tasks, buried] = await Promise.all([listTasks<ListedTask>(ctx, ctx.settings.queuePath, 'BASIC', ctx.settings.maxListedTasks, api, 'stats'), deadLetter.count()]);
  const now = ctx.now();
  let ready = 0;
  let delayed = 0;
  let reserved = 0;
  for (const task of tasks) {
    const ahead = msOf(task.scheduleTime) > now;
    if (api === 'v2') {
      if (ahead) delayed++;
      else if (Number(task.dispatchCount ?? 0) > Number(task.responseCount ?? 0)) reserved++;
      else ready++;
    } else if (!ahead) {
      ready++;
    } else if (Number(task.status?.attemptDispatchCount ?? 0) === 0 || pull?.delayedUntil(taskIdOf(task.name), now)) {
      delayed++;
    } else {
      reserved++;
    }
  }
  return { ready, delayed, reserved, buried, approximate: true };
}
