/**
 * The local app's HTTP API on the reference app: bad input is a 4xx with the reason (never a
 * 500), good input is enqueued and run, buried jobs are listed redacted and can be kicked.
 */
import { describe, expect, it } from 'vitest';
import { get, post, startReferenceApp, validCharge } from './helpers.ts';

describe('local app HTTP API', () => {
  it('enqueues a valid job and runs it to completion', async () => {
    const { app, logger } = await startReferenceApp();
    const { status, json } = await post(`${app.url}/jobs/send-welcome-email`, { to: 'ann@example.com', name: 'Ann' });
    expect(status).toBe(202);
    const done = await logger.waitFor((r) => r.event === 'job.completed' && r.jobId === json.id);
    expect(done).toMatchObject({ job: 'send-welcome-email', adapter: 'memory', attempt: 1, outcome: 'completed' });
  });

  it('answers 400 with the schema issues for a bad payload, and enqueues nothing', async () => {
    const { app } = await startReferenceApp();
    const { status, json } = await post(`${app.url}/jobs/charge-payment`, { orderId: 'nope', amountCents: -1 });
    expect(status).toBe(400);
    expect(json.error).toBe('invalid-payload');
    expect(json.issues).toMatch(/^orderId: .+; amountCents: .+; currency: .+; cardToken: .+$/);
    expect((await get(`${app.url}/stats`)).json).toMatchObject({ ready: 0, delayed: 0, reserved: 0, buried: 0 });
  });

  it.each([
    ['malformed JSON', '{"to":', 400, 'malformed-json'],
    ['a depth bomb', '['.repeat(5_000) + ']'.repeat(5_000), 400, 'too-deep'],
    ['a body over the size limit', JSON.stringify({ to: 'a@example.com', name: 'x'.repeat(1_100_000) }), 413, 'body-too-large'],
  ])('answers %s with a 4xx and its reason', async (_what, body, status, error) => {
    const { app } = await startReferenceApp();
    const answer = await post(`${app.url}/jobs/send-welcome-email`, body);
    expect([answer.status, answer.json.error]).toEqual([status, error]);
  });

  it('answers 404 for an unknown job, naming the known ones', async () => {
    const { app } = await startReferenceApp();
    const { status, json } = await post(`${app.url}/jobs/no-such-job`, {});
    expect(status).toBe(404);
    expect(json).toMatchObject({ error: 'unknown-job' });
    expect(json.known).toContain('send-welcome-email');
  });

  it('answers 400 for an unknown query parameter and 405 for a wrong method', async () => {
    const { app } = await startReferenceApp();
    expect((await post(`${app.url}/jobs/send-welcome-email?delay=5`, { to: 'a@example.com', name: 'A' })).status).toBe(400);
    expect((await get(`${app.url}/jobs/send-welcome-email`)).status).toBe(405);
  });

  it('retries a job whose dependency fails, until it succeeds', async () => {
    const { app, logger } = await startReferenceApp();
    const { json } = await post(`${app.url}/jobs/sync-inventory`, { sku: 'ABC-1', quantity: 3 });
    const done = await logger.waitFor((r) => r.event === 'job.completed' && r.jobId === json.id);
    expect(done.attempt).toBe(3);
    expect(logger.records.filter((r) => r.event === 'job.retry' && r.jobId === json.id).map((r) => r.delayMs)).toEqual([500, 750]);
  });

  it('lists a buried job with its reason and its secrets redacted, and kicks it', async () => {
    const { app, logger } = await startReferenceApp();
    const { json } = await post(`${app.url}/jobs/charge-payment`, { ...validCharge, amountCents: 60_000_000 });
    await logger.waitFor((r) => r.event === 'job.buried' && r.jobId === json.id);
    const { json: listed } = await get(`${app.url}/buried`);
    expect(listed.buried).toEqual([
      expect.objectContaining({ job: 'charge-payment', jobId: json.id, reason: 'permanent-error', attempt: 1, payload: { ...validCharge, amountCents: 60_000_000, cardToken: '[redacted]' } }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(validCharge.cardToken);
    expect((await post(`${app.url}/kick`, '')).json).toEqual({ moved: 1 });
    // Still over the limit: the kicked job runs again and is buried again, with attempt 1.
    await logger.waitFor((r) => r.event === 'job.buried' && r.jobId === json.id && logger.records.filter((x) => x.event === 'job.buried').length === 2);
  });

  it('enqueues a batch after validating every payload, or nothing', async () => {
    const { app, logger } = await startReferenceApp();
    const bad = await post(`${app.url}/jobs/send-welcome-email/batch`, [{ to: 'a@example.com', name: 'A' }, { to: 'not-an-email', name: 'B' }]);
    expect(bad.status).toBe(400);
    expect(String(bad.json.message)).toContain('[1]');
    const payloads = Array.from({ length: 25 }, (_, i) => ({ to: `user${i}@example.com`, name: `User ${i}` }));
    const good = await post(`${app.url}/jobs/send-welcome-email/batch`, payloads);
    expect(good).toEqual({ status: 202, json: { job: 'send-welcome-email', sent: 25, failed: [] } });
    await logger.waitFor(() => logger.records.filter((r) => r.event === 'job.completed').length === 25);
  });
});
