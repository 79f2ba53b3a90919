/** The record of dispatched requests, and waiting for one to show up. */

export interface DispatchRecord {
  /** Full task name (`projects/.../tasks/T`). */
  readonly task: string;
  /** Full queue name (`projects/.../queues/Q`). */
  readonly queue: string;
  readonly url: string;
  readonly method: string;
  /** The headers sent, Cloud Tasks' own included. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body sent, as UTF-8. */
  readonly body: string;
  /** HTTP status of the answer; undefined while in flight or when no answer came. */
  status: number | undefined;
  /** Why no answer came (deadline, connection refused, ...). */
  error?: string;
  /** Emulator clock, epoch ms. */
  readonly startedAt: number;
  /** Real ms the attempt took (0 while in flight). */
  durationMs: number;
  /** X-CloudTasks-TaskRetryCount of this attempt. */
  readonly retryCount: number;
  /** True for a RunTask dispatch. */
  readonly forced: boolean;
  /** False while the attempt is in flight. */
  done: boolean;
}

export interface DispatchLog {
  readonly records: DispatchRecord[];
  add(record: DispatchRecord): void;
  /** Call when a record changes (its attempt finished). */
  finished(record: DispatchRecord): void;
  /** The first finished record matching `match`, already there or to come. */
  wait(match: (record: DispatchRecord) => boolean, timeoutMs: number): Promise<DispatchRecord>;
  clear(): void;
}

export function createDispatchLog(): DispatchLog {
  const records: DispatchRecord[] = [];
  const waiters = new Set<{ match: (r: DispatchRecord) => boolean; resolve: (r: DispatchRecord) => void }>();
  return {
    records,
    add: (record) => records.push(record),
    finished(record) {
      for (const waiter of waiters) {
        if (waiter.match(record)) {
          waiters.delete(waiter);
          waiter.resolve(record);
        }
      }
    },
    wait(match, timeoutMs) {
      const found = records.find((r) => r.done && match(r));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (r: DispatchRecord) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`[cloud-tasks-emulator] waitForDispatch: no matching dispatch finished within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    clear() {
      records.length = 0;
    },
  };
}
