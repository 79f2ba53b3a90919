/**
 * End to end on the emulator (manual clock): enqueue through the adapter -> the emulator
 * dispatches an HTTP task with an OIDC token -> the push handler on node:http verifies it,
 * runs the pipeline, answers -> the emulator retries, or the job sits in the dead-letter
 * queue. At the end of each test, every job is accounted for: completed, or buried with its
 * reason; none is lost silently.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createQueue } from '../../src/queue.ts';
import { createNodePushHandler, type PushHandlerOptions } from '../../adapters/cloud-tasks/push.ts';
import type { CloudTasksService } from '../../adapters/cloud-tasks/index.ts';
import { CALL, PARENT, startEmulatorRig, type EmulatorRig } from './helpers/emulator.ts';
import { e2eJobs } from './helpers/e2e-jobs.ts';
import { startHandlerServer, type HandlerServer } from './helpers/server.ts';

const SA = 'tasks@jobferry-test.iam.gserviceaccount.com';
const DAY = 24 * 3_600_000;
const RETRY = { maxAttempts: 3, minBackoff: { seconds: 1 }, maxBackoff: { seconds: 10 }, maxDoublings: 2 };

let rig: EmulatorRig;
let server: HandlerServer;
beforeAll(async () => {
  rig = await startEmulatorRig({ clock: 'manual', tokenTime: 'clock' });
  server = await startHandlerServer();
});
afterAll(async () => {
  await server.close();
  await rig.close();
});
afterEach(() => rig.emulator.reset());

/** A push queue (maxAttempts 3) with its dead-letter queue, the service, and the handler serving them. */
async function setup(overrides: Partial<PushHandlerOptions> = {}, jobOptions: Parameters<typeof e2eJobs>[0] = {}) {
  const { queueId, deadLetterQueueId } = await rig.queues('push', RETRY);
  const now = () => rig.emulator.clock.now();
  const service: CloudTasksService = rig.service({ queueId, deadLetterQueueId, handlerUrl: server.url, serviceAccountEmail: SA, now });
  const jobs = e2eJobs(jobOptions);
  const handler = createNodePushHandler({
    jobs: jobs.jobs,
    service,
    authentication: { serviceAccountEmail: SA, audience: server.url, jwksUrl: rig.emulator.jwksUrl, issuer: rig.emulator.issuer },
    queueMaxAttempts: RETRY.maxAttempts,
    now,
    ...overrides,
  });
  server.use(handler);
  const producer = createQueue({ service, jobs: jobs.jobs, now });
  return { service, jobs, producer, queuePath: `${PARENT}/queues/${queueId}` };
}

const tasksIn = async (queuePath: string) => (await rig.admin.listTasks({ parent: queuePath }, CALL as never))[0];
const statuses = (queuePath: string) => rig.emulator.dispatched.filter((d) => d.queue === queuePath).map((d) => d.status);

describe('cloud-tasks end to end: adapter -> emulator -> push handler', () => {
  it('a job is delivered with a verified token and completes (200); the task is gone', async () => {
    const { jobs, producer, queuePath } = await setup();
    const { id } = await producer.enqueue(jobs.ok, { tag: 'hello' });
    await rig.emulator.clock.advance(0);
    expect(jobs.calls).toEqual([{ job: 'e2e.ok', id, attempt: 1, tag: 'hello' }]);
    expect(statuses(queuePath)).toEqual([200]);
    expect(await tasksIn(queuePath)).toEqual([]);
  });

  it('transient failures: 503 with Retry-After, the queue retries, attempt = retry count + 1, then 200', async () => {
    const { jobs, producer, queuePath } = await setup();
    await producer.enqueue(jobs.flaky, { tag: 'flaky', failures: 2 });
    await rig.emulator.clock.advance(60_000);
    expect(jobs.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const dispatches = rig.emulator.dispatched.filter((d) => d.queue === queuePath);
    expect(dispatches.map((d) => [d.status, d.retryCount])).toEqual([
      [503, 0],
      [503, 1],
      [200, 2],
    ]);
    // Retry-After (the job's 2 s backoff) spaced the attempts, not the queue's 1 s minBackoff.
    expect(dispatches[1]!.startedAt - dispatches[0]!.startedAt).toBeGreaterThanOrEqual(2_000);
    expect(await tasksIn(queuePath)).toEqual([]);
  });

  it("a job failing on the queue's last attempt is buried (attempts-exhausted), not dropped", async () => {
    const { jobs, producer, service, queuePath } = await setup();
    const { id } = await producer.enqueue(jobs.broken, { tag: 'down' });
    await rig.emulator.clock.advance(120_000);
    expect(jobs.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(statuses(queuePath)).toEqual([503, 503, 200]);
    const buried = await service.listBuried();
    expect(buried).toHaveLength(1);
    expect(JSON.parse(buried[0]!.body).id).toBe(id);
    expect(buried[0]).toMatchObject({ reason: 'attempts-exhausted', attempt: 3, sourceQueue: service.queue });
    expect(buried[0]!.detail).toMatch(/failed 3 of 3 attempts; last error: Error: downstream is down for good/);
    expect(await tasksIn(queuePath)).toEqual([]);
  });

  it('poison jobs are buried at once, with their reason: permanent error, invalid payload, unknown job, foreign body', async () => {
    const { jobs, producer, service, queuePath } = await setup();
    await producer.enqueue(jobs.poison, { tag: 'cancelled' });
    // A producer that skips validation (another service, an old version) sends bad payloads.
    await service.enqueue([{ id: 'bad-payload', name: 'e2e.ok', body: JSON.stringify({ v: 1, id: 'bad-payload', name: 'e2e.ok', payload: { tag: 42 }, createdAt: new Date().toISOString() }), delayMs: 0 }]);
    await service.enqueue([{ id: 'no-such-job', name: 'e2e.gone', body: JSON.stringify({ v: 1, id: 'no-such-job', name: 'e2e.gone', payload: {}, createdAt: new Date().toISOString() }), delayMs: 0 }]);
    await service.enqueue([{ id: 'garbage', name: 'x', body: '{"not json', delayMs: 0 }]);
    await rig.emulator.clock.advance(0);

    expect(statuses(queuePath)).toEqual([200, 200, 200, 200]);
    expect(jobs.calls.map((c) => c.job)).toEqual(['e2e.poison']); // poison ran once; the rest never reached a handler
    const reasons = (await service.listBuried()).map((b) => b.reason).sort();
    expect(reasons).toEqual(['invalid-payload', 'malformed-json', 'permanent-error', 'unknown-job']);
    const invalid = (await service.listBuried()).find((b) => b.reason === 'invalid-payload')!;
    expect(invalid.detail).toMatch(/tag/);
    expect(await tasksIn(queuePath)).toEqual([]);
  });

  it("retryBy 'job': 200 plus a new task at the job's backoff; attempts carry over to the new task", async () => {
    const { jobs, producer, queuePath } = await setup({ retryBy: 'job' }, { backoffMs: 30_000 });
    await producer.enqueue(jobs.flaky, { tag: 'resched', failures: 2 });
    await rig.emulator.clock.advance(0);
    expect(jobs.calls.map((c) => c.attempt)).toEqual([1]);
    await rig.emulator.clock.advance(29_000);
    expect(jobs.calls).toHaveLength(1); // the queue did not retry: the job's 30 s backoff rules
    await rig.emulator.clock.advance(1_000);
    await rig.emulator.clock.advance(30_000);
    expect(jobs.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(statuses(queuePath)).toEqual([200, 200, 200]);
    expect(await tasksIn(queuePath)).toEqual([]);
  });

  it('a delay beyond 30 days hops: the task is re-created for the rest, and runs once, on time', async () => {
    const { jobs, producer, queuePath } = await setup();
    const start = rig.emulator.clock.now();
    await producer.enqueue(jobs.ok, { tag: 'later' }, { delayMs: 45 * DAY });
    await rig.emulator.clock.advance(30 * DAY);
    expect(jobs.calls).toEqual([]);
    expect(await tasksIn(queuePath)).toHaveLength(1); // the next hop
    await rig.emulator.clock.advance(15 * DAY);
    expect(jobs.calls.map((c) => c.tag)).toEqual(['later']);
    const ran = rig.emulator.dispatched.filter((d) => d.queue === queuePath).at(-1)!;
    expect(ran.startedAt - start).toBeGreaterThanOrEqual(45 * DAY);
  });

  it('kick moves buried jobs back: they run again from attempt 1', async () => {
    const { jobs, producer, service } = await setup();
    await producer.enqueue(jobs.flaky, { tag: 'kicked', failures: 3 });
    await rig.emulator.clock.advance(120_000);
    expect((await service.listBuried()).map((b) => b.reason)).toEqual(['attempts-exhausted']);
    expect(await service.kick()).toBe(1);
    await rig.emulator.clock.advance(0);
    expect(await service.listBuried()).toEqual([]);
    // attempt 1 again: its 3rd failure (of 'failures: 3' counted per delivery) fails again once
    expect(jobs.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 1]);
  });

  it('a mixed batch: every job ends completed or in the dead-letter queue with its reason', async () => {
    const { jobs, producer, service, queuePath } = await setup();
    const sent = new Map<string, string>();
    for (let i = 0; i < 8; i++) sent.set((await producer.enqueue(jobs.ok, { tag: `ok-${i}` })).id, 'completed');
    for (let i = 0; i < 4; i++) sent.set((await producer.enqueue(jobs.flaky, { tag: `flaky-${i}`, failures: 1 + (i % 2) })).id, 'completed');
    for (let i = 0; i < 3; i++) sent.set((await producer.enqueue(jobs.broken, { tag: `broken-${i}` })).id, 'attempts-exhausted');
    for (let i = 0; i < 3; i++) sent.set((await producer.enqueue(jobs.poison, { tag: `poison-${i}` })).id, 'permanent-error');
    await rig.emulator.clock.advance(300_000);

    const completed = new Set<string>();
    for (const c of jobs.calls) {
      const last = jobs.calls.filter((x) => x.id === c.id).at(-1);
      if (last === c && (c.job === 'e2e.ok' || c.job === 'e2e.flaky')) completed.add(c.id);
    }
    const buried = new Map((await service.listBuried({ max: 100 })).map((b) => [JSON.parse(b.body).id as string, b.reason]));
    const fate = new Map([...sent.keys()].map((id) => [id, completed.has(id) ? 'completed' : (buried.get(id) ?? 'LOST')]));
    expect(fate).toEqual(sent);
    expect(await tasksIn(queuePath)).toEqual([]);
    expect(await service.stats()).toMatchObject({ ready: 0, delayed: 0, reserved: 0, buried: 6 });
  });
});
