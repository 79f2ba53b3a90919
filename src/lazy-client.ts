/**
 * Optional peer SDKs (the AWS and Google clients) are loaded on first use and only once, and a
 * caller may pass its own client. These two helpers are that pattern, for every adapter: nothing
 * runs at import time, and a failed import is not cached, so it may be retried.
 */

/** `load()` once, memoized; a rejection is turned into `fail(error)` and forgotten. */
export function lazyModule<M>(load: () => Promise<M>, fail: (error: unknown) => Error): () => Promise<M> {
  let loading: Promise<M> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw fail(error);
    }));
}

export interface LazyClient<M, C> {
  /** The SDK module and the client, made once. */
  get(): Promise<{ sdk: M; client: C }>;
  /** Destroys the client if this handle made it; a caller's client is left alone. */
  close(): void;
}

/** The caller's `given` client, or one `make(sdk)` builds on first need (and close() destroys). */
export function lazyClient<M, C extends { destroy(): void }>(load: () => Promise<M>, make: (sdk: M) => C, given: C | undefined): LazyClient<M, C> {
  let made: Promise<{ sdk: M; client: C }> | undefined;
  let owned: C | undefined;
  return {
    get() {
      made ??= load().then(
        (sdk) => ({ sdk, client: given ?? (owned = make(sdk)) }),
        (error: unknown) => {
          made = undefined;
          throw error;
        },
      );
      return made;
    },
    close() {
      owned?.destroy();
      owned = undefined;
      made = undefined;
    },
  };
}
