/**
 * Tasks by name and by queue, and the tombstones of deleted or executed named tasks that make
 * a name unusable for the dedupe window (~1 h on the real service).
 */
import type { EmulatorClock } from './clock.ts';
import { alreadyExists, notFound, TASK_EXISTED_TOO_RECENTLY, TASK_RECENTLY_DELETED } from './errors.ts';
import type { TaskRecord } from './model.ts';

export interface TaskStoreOptions {
  /** How long a deleted or executed task's name stays taken. Real service: about 1 hour. */
  readonly dedupeWindowMs: number;
}

export interface TaskStore {
  /** Adds a new task; ALREADY_EXISTS when the name is live or was used too recently. */
  add(task: TaskRecord): void;
  /** The live task, or NOT_FOUND (with the "existed recently" message for a tombstoned name). */
  get(name: string): TaskRecord;
  find(name: string): TaskRecord | undefined;
  /** Removes a task and keeps its name as a tombstone. */
  remove(task: TaskRecord): void;
  /** Tasks of a queue, in name order. */
  ofQueue(queue: string): TaskRecord[];
  /** Tasks of a queue, in no particular order (cheap: no sort, no copy of the records). */
  inQueue(queue: string): Iterable<TaskRecord>;
  /** Drops a queue's tasks (DeleteQueue), tombstoning their names. */
  dropQueue(queue: string): void;
  all(): Iterable<TaskRecord>;
  readonly size: number;
  reset(): void;
}

export function createTaskStore(clock: EmulatorClock, options: TaskStoreOptions): TaskStore {
  const tasks = new Map<string, TaskRecord>();
  const byQueue = new Map<string, Set<string>>();
  const tombstones = new Map<string, number>();

  const tombstoned = (name: string): boolean => {
    const until = tombstones.get(name);
    if (until === undefined) return false;
    if (until > clock.now()) return true;
    tombstones.delete(name);
    return false;
  };

  const store: TaskStore = {
    add(task) {
      if (tasks.has(task.name)) throw alreadyExists('Requested entity already exists');
      if (tombstoned(task.name)) throw alreadyExists(TASK_EXISTED_TOO_RECENTLY);
      tasks.set(task.name, task);
      let names = byQueue.get(task.queue);
      if (!names) byQueue.set(task.queue, (names = new Set()));
      names.add(task.name);
    },
    get(name) {
      const task = tasks.get(name);
      if (task) return task;
      throw notFound(tombstoned(name) ? TASK_RECENTLY_DELETED : undefined);
    },
    find: (name) => tasks.get(name),
    remove(task) {
      if (tasks.get(task.name) !== task) return;
      tasks.delete(task.name);
      byQueue.get(task.queue)?.delete(task.name);
      tombstones.set(task.name, clock.now() + options.dedupeWindowMs);
      pruneTombstones();
    },
    ofQueue(queue) {
      const names = [...(byQueue.get(queue) ?? [])].sort();
      return names.map((n) => tasks.get(n)!);
    },
    *inQueue(queue) {
      for (const name of byQueue.get(queue) ?? []) yield tasks.get(name)!;
    },
    dropQueue(queue) {
      for (const task of store.ofQueue(queue)) store.remove(task);
      byQueue.delete(queue);
    },
    all: () => tasks.values(),
    get size() {
      return tasks.size;
    },
    reset() {
      tasks.clear();
      byQueue.clear();
      tombstones.clear();
    },
  };

  // Keeps the tombstone map bounded under long runs: expired names are dropped now and then.
  let removals = 0;
  function pruneTombstones(): void {
    if (++removals % 1024 !== 0) return;
    const now = clock.now();
    for (const [name, until] of tombstones) if (until <= now) tombstones.delete(name);
  }

  return store;
}
