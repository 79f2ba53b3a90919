/**
 * Bounded waits: every wait of the reliability suites ends, with an error that says what did
 * not happen, instead of hanging a run.
 */

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/** `promise`, or a WaitTimeoutError naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Checks `condition` every `everyMs` until it holds; rejects after `ms` with `what` and the
 * last progress text `describe()` gives.
 */
export async function until(condition: () => boolean | Promise<boolean>, options: { timeoutMs: number; everyMs?: number; what: string; describe?: () => string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const every = options.everyMs ?? 100;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) {
      const progress = options.describe ? ` (${options.describe()})` : '';
      throw new WaitTimeoutError(`${options.what} did not happen within ${options.timeoutMs} ms${progress}`);
    }
    await sleep(every);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

