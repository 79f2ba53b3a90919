/**
 * The Cloud Tasks operations on the emulator's one state, independent of API version: the
 * v2 and v2beta2 surfaces (gRPC and REST) translate to and from these.
 */
import type { EmulatorClock } from './clock.ts';
import type { DispatchLog } from './dispatch-log.ts';
import type { Dispatcher } from './dispatcher.ts';
import { failedPrecondition } from './errors.ts';
import { checkLease, leaseDuration, leaseTasks, type LeaseRequest } from './leases.ts';
import type { QueueRecord, TaskRecord } from './model.ts';
import { parseQueueName, parseTaskName } from './names.ts';
import { page, type Page } from './paging.ts';
import type { QueueInput, QueueStore, QueueUpdateFields } from './queue-store.ts';
import { buildTask, type TaskInput } from './task-input.ts';
import type { TaskStore } from './task-store.ts';

export interface CloudTasksService {
  createQueue(parent: string | undefined, input: QueueInput): QueueRecord;
  getQueue(name: string | undefined): QueueRecord;
  listQueues(parent: string | undefined, request: { pageSize?: number | undefined; pageToken?: string | undefined }): Page<QueueRecord>;
  updateQueue(input: QueueInput, fields: QueueUpdateFields): QueueRecord;
  deleteQueue(name: string | undefined): void;
  purgeQueue(name: string | undefined): QueueRecord;
  pauseQueue(name: string | undefined): QueueRecord;
  resumeQueue(name: string | undefined): QueueRecord;
  createTask(parent: string | undefined, input: TaskInput): TaskRecord;
  getTask(name: string | undefined): TaskRecord;
  listTasks(parent: string | undefined, request: { pageSize?: number | undefined; pageToken?: string | undefined }): Page<TaskRecord>;
  deleteTask(name: string | undefined): void;
  runTask(name: string | undefined): TaskRecord;
  leaseTasks(parent: string | undefined, request: LeaseRequest): TaskRecord[];
  renewLease(name: string | undefined, scheduleTimeMs: number | undefined, leaseDurationMs: number | undefined): TaskRecord;
  acknowledgeTask(name: string | undefined, scheduleTimeMs: number | undefined): void;
  cancelLease(name: string | undefined, scheduleTimeMs: number | undefined): TaskRecord;
  /** v2beta2 Queue.stats. */
  queueStats(queue: QueueRecord): QueueStats;
}

export interface QueueStats {
  readonly tasksCount: number;
  /** Earliest schedule time among the queue's tasks; undefined when it has none. */
  readonly oldestEstimatedArrivalTimeMs: number | undefined;
  readonly executedLastMinuteCount: number;
  readonly concurrentDispatchesCount: number;
  readonly effectiveExecutionRate: number;
}

export function createCloudTasksService(deps: {
  clock: EmulatorClock;
  queues: QueueStore;
  tasks: TaskStore;
  dispatcher: Dispatcher;
  log: DispatchLog;
}): CloudTasksService {
  const { clock, queues, tasks, dispatcher, log } = deps;

  const taskOf = (name: string | undefined): TaskRecord => {
    const parts = parseTaskName(name);
    const task = tasks.find(name!);
    if (task) return task;
    queues.get(parts.queue);
    return tasks.get(name!);
  };

  return {
    createQueue: (parent, input) => queues.create(parent, input),
    getQueue: (name) => queues.get(name),
    listQueues: (parent, request) => queues.list(parent, request),
    updateQueue(input, fields) {
      const queue = queues.update(input, fields);
      dispatcher.wake();
      return queue;
    },
    deleteQueue(name) {
      const queue = queues.delete(name);
      tasks.dropQueue(queue.name);
      dispatcher.wake();
    },
    purgeQueue(name) {
      const queue = queues.get(name);
      const now = clock.now();
      for (const task of tasks.ofQueue(queue.name)) if (task.createTimeMs <= now) tasks.remove(task);
      queue.purgeTimeMs = now;
      return queue;
    },
    pauseQueue(name) {
      const queue = queues.get(name);
      queue.state = 'PAUSED';
      return queue;
    },
    resumeQueue(name) {
      const queue = queues.get(name);
      queue.state = 'RUNNING';
      dispatcher.wake();
      return queue;
    },
    createTask(parent, input) {
      parseQueueName(parent);
      const queue = queues.get(parent);
      const task = buildTask(queue, input, clock.now());
      tasks.add(task);
      dispatcher.wake();
      return task;
    },
    getTask: (name) => taskOf(name),
    listTasks(parent, request) {
      const queue = queues.get(parent);
      return page(tasks.ofQueue(queue.name), (t) => t.name, { ...request, scope: `tasks:${queue.name}`, maxPageSize: 1000 });
    },
    deleteTask(name) {
      const task = taskOf(name);
      tasks.remove(task);
      dispatcher.wake();
    },
    runTask(name) {
      const task = taskOf(name);
      if (!task.http) throw failedPrecondition('RunTask cannot be called on a pull task.');
      dispatcher.runNow(task);
      return task;
    },
    leaseTasks(parent, request) {
      const queue = queues.get(parent);
      return leaseTasks(clock, tasks, queue, request);
    },
    renewLease(name, scheduleTimeMs, leaseDurationMs) {
      const task = taskOf(name);
      checkLease(clock, task, scheduleTimeMs, 'RenewLease');
      task.scheduleTimeMs = clock.now() + leaseDuration(leaseDurationMs, 'RenewLeaseRequest');
      task.version += 1;
      return task;
    },
    acknowledgeTask(name, scheduleTimeMs) {
      const task = taskOf(name);
      checkLease(clock, task, scheduleTimeMs, 'AcknowledgeTask');
      tasks.remove(task);
    },
    queueStats(queue) {
      let count = 0;
      let oldest: number | undefined;
      for (const task of tasks.inQueue(queue.name)) {
        count += 1;
        if (oldest === undefined || task.scheduleTimeMs < oldest) oldest = task.scheduleTimeMs;
      }
      const since = clock.now() - 60_000;
      const executed = log.records.filter((r) => r.queue === queue.name && r.done && r.startedAt >= since).length;
      return {
        tasksCount: count,
        oldestEstimatedArrivalTimeMs: oldest,
        executedLastMinuteCount: executed,
        concurrentDispatchesCount: dispatcher.inFlightOf(queue.name),
        effectiveExecutionRate: queue.state === 'RUNNING' ? queue.rateLimits.maxDispatchesPerSecond : 0,
      };
    },
    cancelLease(name, scheduleTimeMs) {
      const task = taskOf(name);
      checkLease(clock, task, scheduleTimeMs, 'CancelLease');
      task.scheduleTimeMs = clock.now();
      task.version += 1;
      return task;
    },
  };
}
