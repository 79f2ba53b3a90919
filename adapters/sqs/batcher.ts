/**
 * Coalesces single calls (delete this message, change that visibility) made in the same turn of
 * the event loop into batch requests of at most `max` entries. Each caller still gets its own
 * result: the batch's per-entry failure, or the error of the whole request.
 */

export interface Batcher<T> {
  /** Resolves when the batch holding `item` succeeded for it; rejects with its own error. */
  add(item: T): Promise<void>;
  /** Number of items waiting for the next flush. */
  readonly pending: number;
}

/** Sends one batch; returns one entry per item, in order: undefined for success, else its error. */
export type BatchSend<T> = (items: T[]) => Promise<ReadonlyArray<Error | undefined>>;

interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const later: (fn: () => void) => void = typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

export function createBatcher<T>(send: BatchSend<T>, max: number): Batcher<T> {
  let queue: Waiting<T>[] = [];
  let scheduled = false;

  const run = (batch: Waiting<T>[]) => {
    let sent: Promise<ReadonlyArray<Error | undefined>>;
    try {
      sent = send(batch.map((w) => w.item));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (errors) => {
        for (let i = 0; i < batch.length; i++) {
          const error = errors[i];
          if (error === undefined) batch[i]!.resolve();
          else batch[i]!.reject(error);
        }
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    );
  };

  const flush = () => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.length <= max ? queue : queue.slice(0, max);
      queue = queue.length <= max ? [] : queue.slice(max);
      run(batch);
    }
  };

  return {
    add(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= max) {
          const batch = queue.splice(0, max);
          run(batch);
        }
        if (queue.length > 0 && !scheduled) {
          scheduled = true;
          later(flush);
        }
      });
    },
    get pending() {
      return queue.length;
    },
  };
}
