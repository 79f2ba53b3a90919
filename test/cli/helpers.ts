/** Fixtures for the local app and CLI tests: the reference app on port 0, and log waiters. */
import { onTestFinished } from 'vitest';
import { createMemoryLogger, type LogLevel, type LogRecord, type Logger } from '../../src/logger.ts';
import { startDev, type DevApp } from '../../src/cli/dev.ts';
import { loadJobs } from '../../src/cli/load-jobs.ts';

export interface WatchedLogger extends Logger {
  readonly records: Array<LogRecord & { level: LogLevel }>;
  /** Resolves with the first record (already logged or to come) that matches. */
  waitFor(match: (record: LogRecord) => boolean): Promise<LogRecord>;
}

export function watchedLogger(): WatchedLogger {
  const inner = createMemoryLogger('debug');
  const waiters: Array<{ match: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }> = [];
  return {
    records: inner.records,
    isEnabled: inner.isEnabled,
    log(level, record) {
      inner.log(level, record);
      const logged = inner.records[inner.records.length - 1]!;
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.match(logged)) waiters.splice(i, 1)[0]!.resolve(logged);
      }
    },
    waitFor(match) {
      const seen = inner.records.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

/** The reference app (functions/jobs.ts) on the memory transport, on a free port. */
export async function startReferenceApp(): Promise<{ app: DevApp; logger: WatchedLogger }> {
  const logger = watchedLogger();
  const app = await startDev({ jobs: await loadJobs('functions/jobs.ts'), port: 0, host: '127.0.0.1', overrides: { adapter: 'memory' }, logger });
  onTestFinished(() => app.close());
  return { app, logger };
}

export async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function get(url: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export const validCharge = { orderId: '7d3c1c4e-3c1d-4b3e-9f7a-2b2f3c4d5e6f', amountCents: 1_999, currency: 'EUR', cardToken: 'tok_live_4242424242' };
