/**
 * What the store suites share (idempotency, batch, chain): a clock the store is built on, so
 * expiry is exact, and a fresh store per test, closed after it whether it passed or failed.
 */

export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(start = 1_700_000_000_000): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface StoreFactory<S> {
  /** A fresh, empty store on `clock`. */
  create(clock: TestClock): Promise<{ store: S; cleanup?: () => Promise<void> }>;
}

/** Wraps a test body: a fresh store on a fresh clock, then its cleanup and close(). */
export function withFreshStore<S extends { close?(): Promise<void> }>(setup: StoreFactory<S>) {
  return (fn: (ctx: { store: S; clock: TestClock }) => Promise<void>) => async () => {
    const clock = testClock();
    const { store, cleanup } = await setup.create(clock);
    try {
      await fn({ store, clock });
    } finally {
      await cleanup?.();
      await store.close?.();
    }
  };
}
