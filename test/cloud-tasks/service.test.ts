/**
 * The Cloud Tasks service (push mode) on the emulator, seen through the real client: what a
 * task looks like, dedupe names, limits at enqueue, the dead-letter record, REST fallback,
 * configuration through the registry, and option errors.
 */
import { v2 } from '@google-cloud/tasks';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, TransportError, UnsupportedError } from '../../src/errors.ts';
import { defineJob } from '../../src/job.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { createQueue } from '../../src/queue.ts';
import { createService } from '../../src/registry.ts';
import { createCloudTasksService, DEAD_LETTER_HEADERS, dedupeTaskId, MAX_BODY_BYTES } from '../../adapters/cloud-tasks/index.ts';
import { makeOutgoing } from '../contract/index.ts';
import { CALL, LOCATION, PARENT, PROJECT, startEmulatorRig, type EmulatorRig } from './helpers/emulator.ts';

const SA = 'tasks@jobferry-test.iam.gserviceaccount.com';
const URL_ = 'https://jobs.example.run.app/tasks';
const ping = defineJob({ name: 'ping', schema: z.object({ n: z.number() }), handler: () => {} });

let rig: EmulatorRig;
beforeAll(async () => {
  rig = await startEmulatorRig({ dispatch: false });
});
afterAll(() => rig.close());
afterEach(() => rig.emulator.reset());

async function pushService(overrides: Record<string, unknown> = {}) {
  const queues = await rig.queues('push');
  const service = rig.service({ ...queues, handlerUrl: URL_, serviceAccountEmail: SA, ...overrides });
  return { service, ...queues, queuePath: `${PARENT}/queues/${queues.queueId}`, deadPath: `${PARENT}/queues/${queues.deadLetterQueueId}` };
}
const fullTasks = async (parent: string) => (await rig.admin.listTasks({ parent, responseView: 'FULL' }, CALL as never))[0];

describe('cloud-tasks service (push mode)', () => {
  it('enqueue creates an HTTP task: POST to handlerUrl, the envelope as body, an OIDC token for the service account, scheduleTime for a delay', async () => {
    const { service, queuePath } = await pushService({ dispatchDeadlineSeconds: 120 });
    const before = Date.now();
    const { id } = await createQueue({ service }).enqueue(ping, { n: 1 }, { delayMs: 90_000 });
    const [task] = await fullTasks(queuePath);
    expect(task!.httpRequest).toMatchObject({ url: URL_, httpMethod: 'POST', oidcToken: { serviceAccountEmail: SA, audience: URL_ } });
    expect(task!.httpRequest!.headers!['Content-Type']).toBe('application/json');
    expect(JSON.parse(Buffer.from(task!.httpRequest!.body as Uint8Array).toString())).toMatchObject({ v: 1, id, name: 'ping', payload: { n: 1 } });
    const scheduled = Number(task!.scheduleTime!.seconds) * 1000;
    expect(scheduled).toBeGreaterThanOrEqual(Math.floor((before + 90_000) / 1000) * 1000);
    expect(Number(task!.dispatchDeadline!.seconds)).toBe(120);
  });

  it('a dedupe key becomes a hashed task name; the same key again is accepted and reported as deduplicated', async () => {
    const { service, queuePath } = await pushService();
    const producer = createQueue({ service });
    const first = await producer.enqueue(ping, { n: 1 }, { dedupeKey: 'order-1' });
    const second = await producer.enqueue(ping, { n: 2 }, { dedupeKey: 'order-1' });
    const third = await producer.enqueue(ping, { n: 3 }, { dedupeKey: 'order-2' });
    expect([first.deduplicated, second.deduplicated, third.deduplicated]).toEqual([false, true, false]);
    const names = (await fullTasks(queuePath)).map((t) => t.name!.split('/').pop()).sort();
    expect(names).toEqual([dedupeTaskId('order-1'), dedupeTaskId('order-2')].sort());
    // Hashes, not sequences: neighbouring keys share no prefix to speak of.
    expect(dedupeTaskId('order-1').slice(0, 4)).not.toBe(dedupeTaskId('order-2').slice(0, 4));
  });

  it('refuses, per job, what Cloud Tasks cannot carry: group keys, priority, oversized bodies, delays past 30 days', async () => {
    const { service, queuePath } = await pushService();
    await expect(createQueue({ service }).enqueue(ping, { n: 1 }, { groupKey: 'g' })).rejects.toThrow(UnsupportedError);
    await expect(createQueue({ service }).enqueue(ping, { n: 1 }, { groupKey: 'g' })).rejects.toThrow(/^\[cloud-tasks\] groupKey is not supported/);
    const results = await service.enqueue([
      makeOutgoing('fine'),
      { ...makeOutgoing('grouped'), groupKey: 'g' },
      { ...makeOutgoing('urgent'), priority: 1 },
      { ...makeOutgoing('huge'), body: 'x'.repeat(MAX_BODY_BYTES + 1) },
      { ...makeOutgoing('far'), delayMs: 31 * 24 * 3_600_000 },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.constructor.name))).toEqual(['ok', 'UnsupportedError', 'UnsupportedError', 'ValidationError', 'ValidationError']);
    expect(results[3]!.ok === false && results[3]!.error.message).toMatch(/^\[cloud-tasks\] enqueue of job contract\.echo rejected: body is larger than/);
    expect(await fullTasks(queuePath)).toHaveLength(1);
  });

  it('a delay past 30 days through the producer hops: scheduled at the limit, notBefore in the envelope', async () => {
    const { service, queuePath } = await pushService();
    const before = Date.now();
    await createQueue({ service }).enqueue(ping, { n: 1 }, { delayMs: 40 * 24 * 3_600_000 });
    const [task] = await fullTasks(queuePath);
    const envelope = JSON.parse(Buffer.from(task!.httpRequest!.body as Uint8Array).toString());
    expect(Date.parse(envelope.notBefore) - before).toBeGreaterThanOrEqual(40 * 24 * 3_600_000);
    expect(Number(task!.scheduleTime!.seconds) * 1000 - before).toBeLessThanOrEqual(30 * 24 * 3_600_000);
  });

  it('bury stores the job in the paused dead-letter queue: same body, reason and facts in headers, detail bounded', async () => {
    const { service, deadPath, queuePath } = await pushService();
    const body = makeOutgoing('dead').body;
    const detail = `payload.card: expected a string ${'x'.repeat(5_000)}\nline two ✓`;
    await service.bury({ body, receipt: 'push:task-1', attempt: 3, transportId: 'task-1' }, { reason: 'invalid-payload', detail, attempt: 3 });
    const [stored] = await fullTasks(deadPath);
    expect(Buffer.from(stored!.httpRequest!.body as Uint8Array).toString()).toBe(body);
    const headers = stored!.httpRequest!.headers!;
    expect(headers[DEAD_LETTER_HEADERS.reason]).toBe('invalid-payload');
    expect(headers[DEAD_LETTER_HEADERS.attempt]).toBe('3');
    expect(headers[DEAD_LETTER_HEADERS.source]).toBe(queuePath);
    const [listed] = await service.listBuried();
    expect(listed).toMatchObject({ reason: 'invalid-payload', attempt: 3, body, sourceQueue: service.queue });
    expect(listed!.detail.length).toBeLessThan(2_100);
    expect(listed!.detail).toMatch(/^payload\.card: expected a string x+\.\.\.\[\d+ more\]$/);
    // The same delivery buried twice (an answer lost on the way back) is kept once.
    await service.bury({ body, receipt: 'push:task-1', attempt: 3, transportId: 'task-1' }, { reason: 'invalid-payload', detail, attempt: 3 });
    expect(await fullTasks(deadPath)).toHaveLength(1);
    const [dead] = await rig.admin.getQueue({ name: deadPath }, CALL as never);
    expect(dead.state).toBe('PAUSED');
  });

  it('warns, once, when the dead-letter queue is running', async () => {
    const logger = createMemoryLogger('warn');
    const { service, deadPath } = await pushService({ logger });
    await rig.admin.resumeQueue({ name: deadPath }, CALL as never);
    const job = { body: '{}', receipt: 'push:t', attempt: 1, transportId: 't' };
    await service.bury(job, { reason: 'malformed-json', detail: 'x', attempt: 1 });
    await service.bury({ ...job, transportId: 'u' }, { reason: 'malformed-json', detail: 'x', attempt: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logger.records.filter((r) => r.event === 'cloud-tasks.dead-letter-running')).toHaveLength(1);
  });

  it('without a dead-letter queue, bury fails clearly (the job is delivered again, not lost)', async () => {
    const { queueId } = await rig.queues('push');
    const service = rig.service({ queueId, handlerUrl: URL_ });
    const error = await service.bury({ body: '{}', receipt: 'push:t', attempt: 1, transportId: 't' }, { reason: 'x', detail: '', attempt: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toMatch(/^\[cloud-tasks\] bury failed: no deadLetterQueueId/);
  });

  it('a missing queue fails enqueue with NOT_FOUND in the result, named by the adapter', async () => {
    const service = rig.service({ queueId: 'no-such-queue', handlerUrl: URL_ });
    const [result] = await service.enqueue([makeOutgoing('lost')]);
    expect(result!.ok).toBe(false);
    expect(!result!.ok && result!.error).toMatchObject({ name: 'TransportError', code: 'NOT_FOUND', adapter: 'cloud-tasks' });
  });

  it('works over the REST fallback (fallback: rest)', async () => {
    const { queueId, deadLetterQueueId } = await rig.queues('push');
    const service = rig.service({ queueId, deadLetterQueueId, handlerUrl: URL_, endpoint: `127.0.0.1:${rig.emulator.restPort}`, fallback: 'rest' });
    const [sent] = await service.enqueue([makeOutgoing('rest', { dedupeKey: 'k' })]);
    const [again] = await service.enqueue([makeOutgoing('rest', { dedupeKey: 'k' })]);
    expect([sent!.ok, again!.ok && again!.deduplicated]).toEqual([true, true]);
    expect(await service.stats()).toMatchObject({ ready: 1, buried: 0 });
  });

  it('uses a client the caller passes, and leaves it open on close', async () => {
    const { queueId } = await rig.queues('push');
    const client = new v2.CloudTasksClient(rig.emulator.clientOptions());
    const service = createCloudTasksService({ project: PROJECT, location: LOCATION, queueId, handlerUrl: URL_, client, callOptions: CALL });
    expect((await service.enqueue([makeOutgoing('mine')]))[0]!.ok).toBe(true);
    await service.close();
    await expect(service.enqueue([makeOutgoing('after')])).rejects.toMatchObject({ code: 'Closed' });
    expect((await client.listTasks({ parent: `${PARENT}/queues/${queueId}` }, CALL as never))[0]).toHaveLength(1);
    await client.close();
  });

  it('is created from a configuration through the registry (JOBFERRY_ADAPTER=cloud-tasks)', async () => {
    const { queueId, deadLetterQueueId } = await rig.queues('push');
    const service = await createService({ adapter: 'cloud-tasks', project: PROJECT, location: LOCATION, queueId, deadLetterQueueId, handlerUrl: URL_, endpoint: rig.emulator.grpcEndpoint, insecure: 'true' });
    try {
      expect(service).toMatchObject({ adapter: 'cloud-tasks', queue: queueId, features: { dedupe: true, groups: false, priority: false } });
      expect((await service.enqueue([makeOutgoing('configured')]))[0]!.ok).toBe(true);
    } finally {
      await service.close?.();
    }
  });

  it('wrong options fail at construction, each one named', () => {
    let error: unknown;
    try {
      createCloudTasksService({ project: 'P!', location: 'mars', queueId: 'a/b', mode: 'push', serviceAccountEmail: 'nope', endpoint: 'localhost', insecure: true, headers: { Host: 'x' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    for (const name of ['project', 'location', 'queueId', 'handlerUrl: required in push mode', 'serviceAccountEmail', 'endpoint', 'headers.Host']) expect(issues).toContain(name);
    expect(() => createCloudTasksService({ project: PROJECT, location: LOCATION, queueId: 'q', handlerUrl: URL_, insecure: true })).toThrow(/insecure: only with an endpoint/);
  });
});
