/**
 * A chain store that tells the test what happened, so it waits on signals instead of polling:
 * `done` resolves when the chain is finished, `whenProgress(n)` once a checkpoint at or past
 * item n was saved (or the chain is done). Every call goes to the real store underneath.
 */
import type { ChainStore } from '../../src/continuation/store.ts';

export interface ObservedChainStore extends ChainStore {
  /** Resolves when a finish(done) succeeded. */
  readonly done: Promise<void>;
  readonly isDone: boolean;
  whenProgress(items: number): Promise<void>;
}

export function observedChainStore(store: ChainStore): ObservedChainStore {
  const done = Promise.withResolvers<void>();
  let isDone = false;
  let highest = -1;
  const waiters: Array<{ items: number; resolve: () => void }> = [];
  const wake = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (isDone || highest >= waiters[i]!.items) waiters.splice(i, 1)[0]!.resolve();
    }
  };
  return {
    name: store.name,
    claim: (id, o) => store.claim(id, o),
    async save(id, token, o) {
      const saved = await store.save(id, token, o);
      if (saved && o.progress !== undefined) {
        highest = Math.max(highest, o.progress.done);
        wake();
      }
      return saved;
    },
    async finish(id, token, o) {
      const finished = await store.finish(id, token, o);
      if (finished && o.state === 'done') {
        isDone = true;
        done.resolve();
        wake();
      }
      return finished;
    },
    release: (id, token) => store.release(id, token),
    get: (id) => store.get(id),
    listLive: (o) => store.listLive(o),
    markRestarted: (id, seen) => store.markRestarted(id, seen),
    done: done.promise,
    get isDone() {
      return isDone;
    },
    whenProgress(items) {
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ items, resolve });
      wake();
      return promise;
    },
  };
}
