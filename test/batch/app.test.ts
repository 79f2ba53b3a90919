/**
 * The reference app's batch (functions/jobs.ts: migrate-customer) through the local app's
 * HTTP API and `jobferry batch --watch`: started over HTTP, watched to the end by the CLI,
 * counted exactly, its finished job run once; cancel, unknown ids and bad input.
 */
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { startReferenceApp } from '../cli/helpers.ts';

const customers = (n: number, from = 1) => Array.from({ length: n }, (_, i) => ({ customerId: from + i, plan: (['basic', 'pro', 'team'] as const)[i % 3] }));

async function captured(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await run(), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('the reference app batch over HTTP and the CLI', () => {
  it('starts a migration over HTTP; `jobferry batch <id> --watch` follows it to its finished job', async () => {
    const { app, logger } = await startReferenceApp();
    const res = await fetch(`${app.url}/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ job: 'migrate-customer', payloads: customers(300), id: 'migration-a' }) });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: 'migration-a', total: 300, sent: 300, failed: [], created: true });

    const watched = await captured(() => main(['batch', 'migration-a', '--watch', '--server', app.url, '--interval-ms', '50']));

    expect(watched.code).toBe(0);
    const final = JSON.parse(watched.stdout) as Record<string, unknown>;
    // 97, 194 and 291 have no billing address: buried; the rest completed (53, 106, ... after a retry).
    expect(final).toMatchObject({ id: 'migration-a', state: 'finished', total: 300, done: 300, completed: 297, failed: 0, buried: 3, cancelled: 0, percent: 100 });
    expect(watched.stderr).toContain('batch migration-a [');
    const finished = await logger.waitFor((r) => r.event === 'app.migration-finished');
    expect(finished).toMatchObject({ completed: 297, buried: 3 });
    expect(logger.records.filter((r) => r.event === 'app.migration-finished')).toHaveLength(1);
    const view = await (await fetch(`${app.url}/batches/migration-a`)).json();
    expect(view).toMatchObject({ state: 'finished', completed: 297 });
  });

  it('`jobferry batch start` sends a file as one batch; cancel stops what has not run', async () => {
    const { app } = await startReferenceApp();
    const started = await captured(() => main(['batch', 'start', 'migrate-customer', JSON.stringify(customers(400)), '--id', 'migration-b', '--server', app.url]));
    expect(started.code).toBe(0);
    const cancelled = await captured(() => main(['batch', 'migration-b', '--cancel', '--server', app.url]));
    expect(JSON.parse(cancelled.stdout)).toEqual({ id: 'migration-b', cancelled: true });

    const watched = await captured(() => main(['batch', 'migration-b', '--watch', '--server', app.url, '--interval-ms', '50']));

    const final = JSON.parse(watched.stdout) as { completed: number; failed: number; buried: number; cancelled: number; done: number; state: string };
    expect(final.state).toBe('finished');
    expect(final.done).toBe(400);
    expect(final.cancelled).toBeGreaterThan(0);
    expect(final.completed + final.failed + final.buried + final.cancelled).toBe(400);
  });

  it('answers 404 for an unknown batch, 400 for invalid payloads (nothing created), 405 for a wrong method', async () => {
    const { app } = await startReferenceApp();
    expect((await fetch(`${app.url}/batches/no-such-batch`)).status).toBe(404);
    const bad = await fetch(`${app.url}/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ job: 'migrate-customer', id: 'migration-c', payloads: [{ customerId: 1 }, { customerId: -5 }] }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid-payload', message: expect.stringContaining('[1]') });
    expect((await fetch(`${app.url}/batches/migration-c`)).status).toBe(404);
    expect((await fetch(`${app.url}/batches`, { method: 'POST', body: JSON.stringify({ job: 'send-welcome-email', payloads: [] }) })).status).toBe(400);
    expect((await fetch(`${app.url}/batches/migration-c/cancel`)).status).toBe(405);
    const cli = await captured(() => main(['batch', 'nope', '--server', app.url]));
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain('no batch "nope"');
  });
});
