/** A promise with its resolve and reject at hand: what tests wait on instead of sleeping. */
export type Deferred<T = void> = PromiseWithResolvers<T>;

export function deferred<T = void>(): Deferred<T> {
  return Promise.withResolvers<T>();
}
