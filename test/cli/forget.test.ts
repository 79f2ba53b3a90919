/**
 * Settling a job buried in doubt through the local app: a job with ifAbandoned: 'bury' whose
 * run overran its claim is buried as idempotency-in-doubt; `POST /idempotency/forget` (and
 * `jobferry forget <key>`) forgets the abandoned claim, and a kick then runs the job once.
 */
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { z } from 'zod';
import { COMMANDS } from '../../src/cli/commands.ts';
import { startDev } from '../../src/cli/dev.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { defineJob } from '../../src/job.ts';
import { get, post, watchedLogger } from './helpers.ts';

afterEach(() => void vi.restoreAllMocks());

async function appWithChargeInDoubt() {
  const store = createMemoryIdempotencyStore();
  let runs = 0;
  const charge = defineJob({
    name: 'charge',
    schema: z.object({ orderId: z.string() }),
    timeoutMs: 50,
    maxAttempts: 3,
    backoff: { type: 'fixed', delayMs: 10 },
    idempotency: { store, key: (p) => p.orderId, claimMarginMs: 50, ifAbandoned: 'bury' },
    // The first run hangs past its timeout, ignoring its signal: did it charge? Nobody knows.
    handler: () => (++runs === 1 ? new Promise(() => {}) : 'charged'),
  });
  const logger = watchedLogger();
  const app = await startDev({ jobs: new Map([['charge', charge]]), port: 0, host: '127.0.0.1', overrides: { adapter: 'memory' }, logger });
  onTestFinished(() => app.close());
  const { json } = await post(`${app.url}/jobs/charge`, { orderId: 'o-1' });
  await logger.waitFor((r) => r.event === 'job.buried' && r.reason === 'idempotency-in-doubt');
  const buried = (await get(`${app.url}/buried`)).json.buried as Array<{ reason: string; detail: string }>;
  const key = /idempotency key (\S+):/.exec(buried[0]!.detail)![1]!;
  return { app, logger, key, id: json.id, runs: () => runs };
}

describe('forgetting a job in doubt', () => {
  it('POST /idempotency/forget forgets the abandoned claim once; a kick then runs the job', async () => {
    const { app, logger, key, id, runs } = await appWithChargeInDoubt();
    expect(key).toMatch(/^charge#k:[0-9a-f]{64}$/);
    // A kick alone buries it in doubt again.
    await post(`${app.url}/kick`, {});
    await logger.waitFor(() => logger.records.filter((r) => r.event === 'job.buried' && r.reason === 'idempotency-in-doubt').length === 2);
    expect(runs()).toBe(1);

    const forgotten = await post(`${app.url}/idempotency/forget?key=${encodeURIComponent(key)}`, {});
    expect(forgotten).toEqual({ status: 200, json: { key, job: 'charge', store: 'memory', forgotten: true } });
    const again = await post(`${app.url}/idempotency/forget?key=${encodeURIComponent(key)}`, {});
    expect(again.json).toMatchObject({ forgotten: false, why: expect.stringMatching(/^no abandoned claim under this key/) });

    await post(`${app.url}/kick`, {});
    const done = await logger.waitFor((r) => r.event === 'job.completed' && r.jobId === id);
    expect(done).toMatchObject({ attempt: 1 });
    expect(runs()).toBe(2);
    expect((await get(`${app.url}/stats`)).json).toMatchObject({ buried: 0 });
  });

  it.each([
    ['no key', '', 400, /key: the idempotency key to forget is missing/],
    ['a key that is not one', '?key=nonsense', 400, /is not an idempotency key/],
    ['a key of a job the app does not define', '?key=refund%23k%3Aab', 400, /names job "refund", which this app does not define \(known: charge\)/],
  ])('answers %s with a 400 that says why', async (_what, query, status, message) => {
    const { app } = await appWithChargeInDoubt();
    const answer = await post(`${app.url}/idempotency/forget${query}`, {});
    expect(answer.status).toBe(status);
    expect(String(answer.json.message)).toMatch(message);
  });

  it('jobferry forget <key> --server URL forgets through the app, and exits 1 when there is nothing to forget', async () => {
    const { app, key } = await appWithChargeInDoubt();
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    expect(await COMMANDS.forget!([key, '--server', app.url])).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ key, job: 'charge', forgotten: true, next: expect.stringMatching(/kick/) });
    out.length = 0;
    expect(await COMMANDS.forget!([key, '--server', app.url])).toBe(1);
    expect(JSON.parse(out.join(''))).toMatchObject({ forgotten: false, why: expect.stringMatching(/^no abandoned claim/) });
  });
});
