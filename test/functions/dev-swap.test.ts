/**
 * The adapter swap, live: `jobferry dev` runs the SAME reference app (functions/jobs.ts) and the
 * same HTTP API on the memory transport with a pull worker, on fauxqs through the Lambda event
 * source simulator, and on the Cloud Tasks emulator through its dispatcher and a local push
 * handler that verifies the OIDC tokens. Each mode: a job that succeeds, one that retries then
 * succeeds, a poison job that ends in /buried with its reason, and kick.
 */
import { onTestFinished, describe, expect, it } from 'vitest';
import { startSqsEmulator } from '../../adapters/sqs/testing.ts';
import { startDev } from '../../src/cli/dev.ts';
import { openTarget, routeOf } from '../../src/cli/target.ts';
import { loadJobs } from '../../src/cli/load-jobs.ts';
import { get, post, validCharge, watchedLogger } from '../cli/helpers.ts';
import { runJsonLines } from './helpers.ts';

const jobs = await loadJobs('functions/jobs.ts');

async function startApp(env: Record<string, string>, overrides: Record<string, unknown> = {}) {
  const logger = watchedLogger();
  const app = await startDev({ jobs, port: 0, host: '127.0.0.1', env, overrides, logger });
  onTestFinished(() => app.close());
  return { app, logger };
}

const MODES = [
  { name: 'memory (pull worker)', env: {}, overrides: { adapter: 'memory' }, adapter: 'memory', delivery: 'pull' },
  { name: 'sqs on fauxqs (Lambda event source simulator)', env: {}, overrides: { adapter: 'sqs' }, adapter: 'sqs', delivery: 'lambda' },
  { name: 'cloud-tasks on its emulator (dispatcher -> push handler, OIDC verified)', env: {}, overrides: { adapter: 'cloud-tasks' }, adapter: 'cloud-tasks', delivery: 'push' },
] as const;

describe.each(MODES)('jobferry dev, $name', ({ env, overrides, adapter, delivery }) => {
  it('runs a job that succeeds, and one that fails twice then succeeds on its third attempt', { timeout: 30_000 }, async () => {
    const { app, logger } = await startApp(env, overrides);
    expect([app.service.adapter, app.delivery]).toEqual([adapter, delivery]);

    const email = await post(`${app.url}/jobs/send-welcome-email`, { to: 'ann@example.com', name: 'Ann' });
    const inventory = await post(`${app.url}/jobs/sync-inventory`, { sku: 'ABC-1', quantity: 3 });
    expect([email.status, inventory.status]).toEqual([202, 202]);

    const sent = await logger.waitFor((r) => r.event === 'job.completed' && r.jobId === email.json.id);
    expect(sent).toMatchObject({ job: 'send-welcome-email', adapter, attempt: 1, outcome: 'completed' });
    const synced = await logger.waitFor((r) => r.event === 'job.completed' && r.jobId === inventory.json.id);
    expect(synced).toMatchObject({ job: 'sync-inventory', adapter, attempt: 3 });
    expect(logger.records.filter((r) => r.event === 'job.retry' && r.jobId === inventory.json.id).map((r) => r.attempt)).toEqual([1, 2]);
    const stats = await get(`${app.url}/stats`);
    expect(stats.status).toBe(200);
    expect(stats.json).toMatchObject({ adapter, buried: 0 });
  });

  it('buries a poison job with its reason, lists it (secrets redacted), and kicks it back', { timeout: 30_000 }, async () => {
    const { app, logger } = await startApp(env, overrides);
    const charge = await post(`${app.url}/jobs/charge-payment`, { ...validCharge, amountCents: 60_000_000 });
    expect(charge.status).toBe(202);
    await logger.waitFor((r) => r.event === 'job.buried' && r.jobId === charge.json.id);

    const listed = await get(`${app.url}/buried`);
    expect(listed.json.buried).toEqual([
      expect.objectContaining({ job: 'charge-payment', jobId: charge.json.id, reason: 'permanent-error', attempt: 1, payload: { ...validCharge, amountCents: 60_000_000, cardToken: '[redacted]' } }),
    ]);
    expect((listed.json.buried as Array<{ detail: string }>)[0]!.detail).toMatch(/exceeds the single-charge limit/);
    expect((await get(`${app.url}/stats`)).json).toMatchObject({ buried: 1 });

    expect((await post(`${app.url}/kick`, '')).json).toEqual({ moved: 1 });
    // Still over the limit: it runs again from attempt 1 and is buried again.
    await logger.waitFor(() => logger.records.filter((r) => r.event === 'job.buried' && r.jobId === charge.json.id).length === 2);
    const again = logger.records.filter((r) => r.event === 'job.buried' && r.jobId === charge.json.id).at(-1)!;
    expect(again).toMatchObject({ attempt: 1, reason: 'permanent-error' });
  });

  it('runs a batch to its end: exact counts, and its finished job runs once', { timeout: 30_000 }, async () => {
    const { app, logger } = await startApp(env, overrides);
    // 53 fails once (the database is busy), 97 has no billing address (buried).
    const started = await post(`${app.url}/batches`, { job: 'migrate-customer', payloads: [1, 2, 53, 97].map((customerId) => ({ customerId })) });
    expect(started.status).toBe(202);
    const finished = await logger.waitFor((r) => r.event === 'app.migration-finished');
    expect(finished).toMatchObject({ completed: 3, buried: 1, failed: 0, cancelled: 0 });
    expect((await get(`${app.url}/batches/${String(started.json.id)}`)).json).toMatchObject({ state: 'finished', total: 4, completed: 3, buried: 1 });
    expect(logger.records.filter((r) => r.event === 'app.migration-finished')).toHaveLength(1);
  });

  it('refuses a bad payload with 400 and the schema issues, never a 500', async () => {
    const { app } = await startApp(env, overrides);
    const { status, json } = await post(`${app.url}/jobs/charge-payment`, { orderId: 'nope', amountCents: -1 });
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: 'invalid-payload' });
    expect(json.issues).toMatch(/^orderId: .+; amountCents: .+/);
  });
});

describe('choosing the transport', () => {
  it('a real queue named by the environment gets a pull worker, and no emulator', { timeout: 30_000 }, async () => {
    // Stands in for a queue on AWS: a fauxqs the app does not own, reached by endpoint.
    const sqs = await startSqsEmulator();
    onTestFinished(() => sqs.stop());
    const queue = await sqs.createQueue('dev-real', { deadLetter: true });
    // The SDK's default credential chain reads these (and never asks a metadata server).
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    const env = {
      JOBFERRY_ADAPTER: 'sqs',
      JOBFERRY_SQS_QUEUE_URL: queue.queueUrl,
      JOBFERRY_SQS_DEAD_LETTER_QUEUE_URL: queue.deadLetterQueueUrl!,
      JOBFERRY_SQS_ENDPOINT: sqs.endpoint,
      JOBFERRY_SQS_REGION: sqs.region,
      JOBFERRY_SQS_WAIT_TIME_SECONDS: '1',
    };
    const { app, logger } = await startApp(env);
    expect([app.delivery, app.config.adapter === 'sqs' && app.config.queueUrl]).toEqual(['pull', queue.queueUrl]);
    const listening = await logger.waitFor((r) => r.event === 'app.listening');
    expect(listening).not.toHaveProperty('emulator');

    const { json } = await post(`${app.url}/jobs/send-welcome-email`, { to: 'bo@example.com', name: 'Bo' });
    await logger.waitFor((r) => r.event === 'job.completed' && r.jobId === json.id);
    expect((await get(`${app.url}/stats`)).json).toMatchObject({ adapter: 'sqs', queue: 'dev-real', worker: { delivery: 'pull worker', completed: 1 } });
  });

  it('`jobferry dev --adapter sqs` from the command line: the Lambda simulator runs a job; SIGINT stops it, exit 0', { timeout: 30_000 }, async () => {
    const { child, line, stderr, exited } = runJsonLines(process.execPath, ['src/cli/main.ts', 'dev', '--adapter', 'sqs', '--port', '0'], { env: { PATH: process.env.PATH } });
    const listening = await line((l) => l.event === 'app.listening');
    expect(listening).toMatchObject({ adapter: 'sqs', delivery: 'lambda', emulator: 'fauxqs (in process)' });
    const { json } = await post(`${String(listening.url)}/jobs/send-welcome-email`, { to: 'cy@example.com', name: 'Cy' });
    expect(await line((l) => l.event === 'job.completed' && l.jobId === json.id)).toMatchObject({ adapter: 'sqs', attempt: 1 });

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr()).toBe('');
  });

  it('JOBFERRY_ADAPTER picks the emulated transport as --adapter does', { timeout: 30_000 }, async () => {
    const { app, logger } = await startApp({ JOBFERRY_ADAPTER: 'cloud-tasks' });
    expect([app.service.adapter, app.delivery]).toEqual(['cloud-tasks', 'push']);
    const listening = await logger.waitFor((r) => r.event === 'app.listening');
    expect(listening).toMatchObject({ delivery: 'push', jwksUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//) });
  });

  it('the CLI commands act on the dev app when its transport is emulated, and on the queue itself when one is named', async () => {
    const saved = { ...process.env };
    onTestFinished(() => void (process.env = saved));
    const noJobs = () => Promise.resolve(jobs);
    process.env.JOBFERRY_ADAPTER = 'sqs';
    const dev = await openTarget(undefined, noJobs);
    expect(dev.where).toBe('http://127.0.0.1:3000');
    await dev.close();
    // The batch and chain commands take the same route (they once asked for a queue URL here).
    expect(routeOf(undefined)).toEqual({ app: 'http://127.0.0.1:3000' });
    process.env.JOBFERRY_SQS_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs';
    const direct = await openTarget(undefined, noJobs);
    expect(direct.where).toBe('sqs queue jobs');
    await direct.close();
  });

  it('refuses an unknown adapter, naming the variable', async () => {
    await expect(startDev({ jobs, port: 0, host: '127.0.0.1', env: { JOBFERRY_ADAPTER: 'kafka' }, logger: watchedLogger() })).rejects.toThrow(/JOBFERRY_ADAPTER: must be one of memory, sqs, cloud-tasks, got "kafka"/);
  });

  it('refuses a real Cloud Tasks push queue (it delivers to its handler URL), naming the way out', async () => {
    const env = { JOBFERRY_ADAPTER: 'cloud-tasks', JOBFERRY_CLOUD_TASKS_PROJECT: 'my-project', JOBFERRY_CLOUD_TASKS_LOCATION: 'europe-west1', JOBFERRY_CLOUD_TASKS_QUEUE_ID: 'jobs' };
    await expect(startDev({ jobs, port: 0, host: '127.0.0.1', env, logger: watchedLogger() })).rejects.toThrow(/push queue delivers to its handlerUrl.*functions\/cloud-run\.ts/);
  });
});
