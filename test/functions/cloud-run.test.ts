/**
 * functions/cloud-run.ts end to end on the Cloud Tasks emulator: tasks are created through the
 * adapter (createQueue -> createCloudTasksService), the emulator dispatches them as Cloud Tasks
 * does, with OIDC tokens signed by its key, and the entry verifies each token against the
 * emulator's JWKS (the one thing pointed elsewhere than Google) before running the reference
 * app's job. Its whole configuration comes from the JOBFERRY_* environment, as on Cloud Run.
 */
import { v2 } from '@google-cloud/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudTasksEmulator, type CloudTasksEmulator } from '../../adapters/cloud-tasks/testing.ts';
import { fromConfig } from '../../adapters/cloud-tasks/config.ts';
import type { CloudTasksService } from '../../adapters/cloud-tasks/service.ts';
import { startCloudRun, type CloudRunServer } from '../../functions/cloud-run.ts';
import { jobs } from '../../functions/jobs.ts';
import type { CloudTasksConfig } from '../../src/config.ts';
import { loadConfig } from '../../src/env.ts';
import { createQueue, type Queue } from '../../src/queue.ts';
import { validCharge, watchedLogger, type WatchedLogger } from '../cli/helpers.ts';
import { freePort, runEntry } from './helpers.ts';
import { CALL as CLOUD_TASKS_CALL, LOCATION, PARENT, PROJECT } from '../cloud-tasks/helpers/emulator.ts';
import { SERVICE_ACCOUNT } from '../cloud-tasks/helpers/oidc.ts';

const SA = SERVICE_ACCOUNT;
const CALL = CLOUD_TASKS_CALL as never;
const QUEUE_MAX_ATTEMPTS = 8;

let emulator: CloudTasksEmulator;
let admin: v2.CloudTasksClient;
let app: CloudRunServer;
let logger: WatchedLogger;
let service: CloudTasksService;
let producer: Queue;
let env: Record<string, string>;
let serviceUrl: string;

beforeAll(async () => {
  emulator = await startCloudTasksEmulator();
  admin = new v2.CloudTasksClient(emulator.clientOptions());
  await admin.createQueue({ parent: PARENT, queue: { name: `${PARENT}/queues/jobs`, retryConfig: { maxAttempts: QUEUE_MAX_ATTEMPTS, minBackoff: { seconds: 1 }, maxBackoff: { seconds: 10 } } } }, CALL);
  await admin.createQueue({ parent: PARENT, queue: { name: `${PARENT}/queues/jobs-dead-letter` } }, CALL);
  await admin.pauseQueue({ name: `${PARENT}/queues/jobs-dead-letter` }, CALL);
  // As infra/gcp sets them: the audience is the service URL, the tasks go to its handler path.
  serviceUrl = `http://127.0.0.1:${await freePort()}`;
  env = cloudRunEnv(serviceUrl);
  logger = watchedLogger();
  app = await startCloudRun({ env, jwksUrl: emulator.jwksUrl, host: '127.0.0.1', handleSignals: false, logger });
  service = fromConfig(loadConfig(env) as CloudTasksConfig);
  producer = createQueue({ service, jobs });
});

afterAll(async () => {
  await app?.close();
  await service?.close();
  await admin?.close();
  await emulator?.close();
});

function cloudRunEnv(url: string): Record<string, string> {
  return {
    PORT: new URL(url).port,
    JOBFERRY_ADAPTER: 'cloud-tasks',
    JOBFERRY_QUEUE: 'jobs',
    JOBFERRY_CLOUD_TASKS_PROJECT: PROJECT,
    JOBFERRY_CLOUD_TASKS_LOCATION: LOCATION,
    JOBFERRY_CLOUD_TASKS_QUEUE_ID: 'jobs',
    JOBFERRY_CLOUD_TASKS_DEAD_LETTER_QUEUE_ID: 'jobs-dead-letter',
    JOBFERRY_CLOUD_TASKS_HANDLER_URL: `${url}/`,
    JOBFERRY_CLOUD_TASKS_AUDIENCE: url,
    JOBFERRY_CLOUD_TASKS_SERVICE_ACCOUNT_EMAIL: SA,
    JOBFERRY_CLOUD_TASKS_QUEUE_MAX_ATTEMPTS: String(QUEUE_MAX_ATTEMPTS),
    JOBFERRY_CLOUD_TASKS_ENDPOINT: emulator.grpcEndpoint,
    JOBFERRY_CLOUD_TASKS_INSECURE: 'true',
  };
}

/** The finished attempts of a job's task, once `count` of them are finished. */
async function attemptsOf(jobId: unknown, count = 1) {
  const mine = (d: { done: boolean; body: string }) => d.done && d.body.includes(String(jobId));
  await emulator.waitForDispatch((d) => mine(d) && emulator.dispatched.filter(mine).length >= count);
  return emulator.dispatched.filter(mine);
}

describe('functions/cloud-run.ts on the Cloud Tasks emulator', () => {
  it('runs a job the emulator pushes with an OIDC token: verified, completed, answered 200', async () => {
    const { id } = await producer.enqueue('send-welcome-email', { to: 'ann@example.com', name: 'Ann' });
    const done = await logger.waitFor((r) => r.event === 'job.completed' && r.jobId === id);
    expect(done).toMatchObject({ job: 'send-welcome-email', adapter: 'cloud-tasks', queue: 'jobs', attempt: 1 });
    const [attempt] = await attemptsOf(id);
    expect(attempt).toMatchObject({ url: `${serviceUrl}/`, status: 200 });
    expect(attempt!.headers.Authorization ?? attempt!.headers.authorization).toMatch(/^Bearer ey/);
  });

  it('a flaky job: 503 + Retry-After twice, the queue retries, the third attempt completes', async () => {
    const { id } = await producer.enqueue('sync-inventory', { sku: 'SKU-42', quantity: 7 });
    const done = await logger.waitFor((r) => r.event === 'job.completed' && r.jobId === id);
    expect(done.attempt).toBe(3);
    expect((await attemptsOf(id, 3)).map((d) => [d.status, d.retryCount])).toEqual([
      [503, 0],
      [503, 1],
      [200, 2],
    ]);
  });

  it('poison jobs land in the paused dead-letter queue with their reason, and are answered 200 (no retry)', async () => {
    const before = (await service.listBuried()).length;
    const { id } = await producer.enqueue('charge-payment', { ...validCharge, amountCents: 60_000_000 });
    // A producer that skipped validation (another service, another language) sends a bad payload.
    const badId = 'bad-payload-1';
    await service.enqueue([{ id: badId, name: 'send-welcome-email', body: JSON.stringify({ v: 1, id: badId, name: 'send-welcome-email', payload: { to: 'not-an-email' }, createdAt: new Date().toISOString() }), delayMs: 0 }]);
    await logger.waitFor((r) => r.event === 'job.buried' && r.jobId === id);
    await logger.waitFor((r) => r.event === 'job.invalid' && r.jobId === badId);
    // Answered once the dead-letter task is written.
    await attemptsOf(id);
    await attemptsOf(badId);

    const buried = await service.listBuried();
    expect(buried).toHaveLength(before + 2);
    const byId = new Map(buried.map((b) => [JSON.parse(b.body).id as string, b]));
    expect(byId.get(id)).toMatchObject({ reason: 'permanent-error', attempt: 1, sourceQueue: 'jobs' });
    expect(byId.get(id)!.detail).toMatch(/exceeds the single-charge limit/);
    expect(byId.get(badId)).toMatchObject({ reason: 'invalid-payload' });
    expect(byId.get(badId)!.detail).toMatch(/to: /);
    // Buried once each, never retried: one 200 per job.
    expect((await attemptsOf(id)).map((d) => d.status)).toEqual([200]);
    const [deadTasks] = await admin.listTasks({ parent: `${PARENT}/queues/jobs-dead-letter`, responseView: 'FULL' }, CALL);
    const dead = deadTasks.find((t) => Buffer.from(t.httpRequest?.body ?? '').toString().includes(id))!;
    expect(dead.httpRequest?.headers?.['X-Jobferry-Buried-Reason']).toBe('permanent-error');
  });

  it('refuses requests without a valid token before running anything: none, wrong audience, wrong account', async () => {
    const body = JSON.stringify({ v: 1, id: 'forged', name: 'send-welcome-email', payload: { to: 'eve@example.com', name: 'Eve' }, createdAt: new Date().toISOString() });
    const send = (authorization?: string) =>
      fetch(`${serviceUrl}/`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cloudtasks-taskretrycount': '0', ...(authorization ? { authorization } : {}) }, body });
    const otherAudience = await emulator.signOidcToken({ serviceAccountEmail: SA, audience: 'https://elsewhere.example.com' });
    const otherAccount = await emulator.signOidcToken({ serviceAccountEmail: 'intruder@evil.iam.gserviceaccount.com', audience: serviceUrl });
    expect((await send()).status).toBe(401);
    expect((await send(`Bearer ${otherAudience}`)).status).toBe(401);
    expect((await send(`Bearer ${otherAccount}`)).status).toBe(403);
    expect(logger.records.some((r) => r.jobId === 'forged')).toBe(false);
  });

  it('answers GET /healthz with 200 and an unknown path with 404', async () => {
    expect((await fetch(`${serviceUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${serviceUrl}/nope`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses to start without what push needs, naming every variable at once', async () => {
    const { JOBFERRY_CLOUD_TASKS_SERVICE_ACCOUNT_EMAIL: _a, JOBFERRY_CLOUD_TASKS_QUEUE_MAX_ATTEMPTS: _b, JOBFERRY_CLOUD_TASKS_HANDLER_URL: _c, ...partial } = env;
    const failure = startCloudRun({ env: partial, handleSignals: false, logger: watchedLogger() });
    await expect(failure).rejects.toThrow(/JOBFERRY_CLOUD_TASKS_HANDLER_URL \(handlerUrl\): required.*JOBFERRY_CLOUD_TASKS_SERVICE_ACCOUNT_EMAIL \(serviceAccountEmail\): required.*JOBFERRY_CLOUD_TASKS_QUEUE_MAX_ATTEMPTS \(queueMaxAttempts\): required/);
    await expect(startCloudRun({ env: { ...env, JOBFERRY_ADAPTER: 'sqs' }, handleSignals: false })).rejects.toThrow(/JOBFERRY_ADAPTER: .* must be cloud-tasks, got "sqs"/);
    await expect(startCloudRun({ env: { ...env, PORT: 'eighty' }, handleSignals: false })).rejects.toThrow(/PORT: must be an integer from 0 to 65535, got "eighty"/);
    await expect(startCloudRun({ env: { ...env, JOBFERRY_CLOUD_TASKS_QUEUE_MAX_ATTEMPTS: '0' }, handleSignals: false })).rejects.toThrow(/JOBFERRY_CLOUD_TASKS_QUEUE_MAX_ATTEMPTS \(queueMaxAttempts\): must be -1 \(unlimited\) or an integer >= 1/);
  });
});

describe('functions/cloud-run.ts shutting down', () => {
  it('close() lets a request in flight finish (its job completes, the task is answered 200) before it resolves', { timeout: 30_000 }, async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const ownEnv = cloudRunEnv(url);
    const ownLogger = watchedLogger();
    const own = await startCloudRun({ env: ownEnv, jwksUrl: emulator.jwksUrl, host: '127.0.0.1', handleSignals: false, logger: ownLogger });
    const ownService = fromConfig(loadConfig(ownEnv) as CloudTasksConfig);
    try {
      // 40 slices of 25 ms: about a second of work.
      const { id } = await createQueue({ service: ownService, jobs }).enqueue('rebuild-search-index', { index: 'products', documents: 40_000, sliceMs: 25 });
      await ownLogger.waitFor((r) => r.event === 'job.received' && r.jobId === id);
      await own.close();
      expect(ownLogger.records.find((r) => r.event === 'job.completed' && r.jobId === id)).toMatchObject({ attempt: 1 });
      const stopping = ownLogger.records.findIndex((r) => r.event === 'app.stopping');
      const completed = ownLogger.records.findIndex((r) => r.event === 'job.completed' && r.jobId === id);
      const stopped = ownLogger.records.findIndex((r) => r.event === 'app.stopped');
      expect(stopping).toBeLessThan(completed);
      expect(completed).toBeLessThan(stopped);
      const answered = await emulator.waitForDispatch((d) => d.url === `${url}/` && d.body.includes(id));
      expect(answered.status).toBe(200);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      await own.close();
      await ownService.close();
    }
  });

  it('as a process (node functions/cloud-run.ts): listens on $PORT, stops on SIGTERM with exit code 0', { timeout: 30_000 }, async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    // The default JWKS (Google's) is fetched only for a request with a token: none is sent here.
    const entry = runEntry('functions/cloud-run.ts', cloudRunEnv(url));
    const listening = await entry.line((l) => l.event === 'app.listening');
    expect(listening).toMatchObject({ adapter: 'cloud-tasks', queue: 'jobs' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/`, { method: 'POST', body: '{}' })).status).toBe(401);
    entry.child.kill('SIGTERM');
    expect(await entry.exited).toBe(0);
    expect(entry.lines.map((l) => l.event)).toContain('app.stopped');
    expect(entry.stderr()).toBe('');
  });

  it('as a process, a bad configuration is one JSON line naming the variable, and exit code 1', async () => {
    const { JOBFERRY_CLOUD_TASKS_SERVICE_ACCOUNT_EMAIL: _sa, ...partial } = cloudRunEnv(`http://127.0.0.1:${await freePort()}`);
    const entry = runEntry('functions/cloud-run.ts', partial);
    expect(await entry.exited).toBe(1);
    const failed = await entry.line((l) => l.event === 'app.failed');
    expect(JSON.stringify(failed)).toMatch(/JOBFERRY_CLOUD_TASKS_SERVICE_ACCOUNT_EMAIL \(serviceAccountEmail\): required/);
  });
});
