/** The push dispatcher: the request it sends, its headers and OIDC token, pause and RunTask. */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, failure, msOf, PARENT, queueName, startRig, startTarget, ts, type Rig, type Target } from './helpers.ts';

let rig: Rig;
let target: Target;
let queue: string;
beforeAll(async () => {
  rig = await startRig({ clock: 'manual' });
  target = await startTarget();
});
afterAll(async () => {
  await rig.close();
  await target.close();
});
beforeEach(async () => {
  rig.emulator.reset();
  target.received.length = 0;
  target.answers = [];
  target.fallback = { status: 200 };
  queue = queueName('push');
  await rig.client.createQueue({ parent: PARENT, queue: { name: queue, retryConfig: { minBackoff: { seconds: 10 }, maxBackoff: { seconds: 10 } } } }, call);
});

describe('the dispatched request', () => {
  it('sends the method, body, the task headers and the Cloud Tasks headers', async () => {
    const at = rig.emulator.clock.now() + 5000;
    const [task] = await rig.client.createTask(
      {
        parent: queue,
        task: {
          name: `${queue}/tasks/hdr-1`,
          httpRequest: { url: target.url, httpMethod: 'PUT', body: Buffer.from('{"x":1}'), headers: { 'Content-Type': 'application/json', 'X-Custom': 'yes' } },
          scheduleTime: ts(at),
        },
      },
      call,
    );
    await rig.emulator.clock.advance(4999);
    expect(target.received).toHaveLength(0);
    await rig.emulator.clock.advance(1);
    await target.waitFor(1);
    const [req] = target.received;
    expect(req!.method).toBe('PUT');
    expect(req!.url).toBe('/work');
    expect(req!.body).toBe('{"x":1}');
    expect(req!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-custom': 'yes',
      'user-agent': 'Google-Cloud-Tasks',
      'x-cloudtasks-queuename': queue.split('/').at(-1),
      'x-cloudtasks-taskname': 'hdr-1',
      'x-cloudtasks-taskretrycount': '0',
      'x-cloudtasks-taskexecutioncount': '0',
      'x-cloudtasks-tasketa': (at / 1000).toFixed(6),
    });
    expect(req!.headers['x-cloudtasks-taskpreviousresponse']).toBeUndefined();
    expect(req!.headers.authorization).toBeUndefined();
    await rig.emulator.idle();
    // Success: the task is gone, and its name is taken for the dedupe window.
    expect((await failure(rig.client.getTask({ name: task.name }, call))).details).toMatch(/existed recently/);
    expect((await failure(rig.client.createTask({ parent: queue, task: { name: task.name, httpRequest: { url: target.url } } }, call))).code).toBe(6);
    const [record] = rig.emulator.dispatched;
    expect(record).toMatchObject({ task: task.name, queue, url: target.url, method: 'PUT', body: '{"x":1}', status: 200, done: true, retryCount: 0, forced: false });
    expect(record!.startedAt).toBe(at);
  });

  it('sends POST by default', async () => {
    await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(0);
    await target.waitFor(1);
    expect(target.received[0]!.method).toBe('POST');
  });

  it('signs an OIDC token that verifies against the emulator JWKS, with claims like Google', async () => {
    const email = 'runner@jobferry-test.iam.gserviceaccount.com';
    await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url, oidcToken: { serviceAccountEmail: email } } } }, call);
    await rig.client.createTask(
      { parent: queue, task: { httpRequest: { url: target.url, oidcToken: { serviceAccountEmail: email, audience: 'https://my-service.example' } } } },
      call,
    );
    await rig.emulator.clock.advance(0);
    await target.waitFor(2);
    const jwks = createRemoteJWKSet(new URL(rig.emulator.jwksUrl));
    const audiences: string[] = [];
    for (const req of target.received) {
      const token = /^Bearer (.+)$/.exec(String(req.headers.authorization))![1]!;
      const header = decodeProtectedHeader(token);
      expect(header.alg).toBe('RS256');
      expect(header.kid).toMatch(/^[0-9a-f]{40}$/);
      const { payload } = await jwtVerify(token, jwks, { issuer: 'https://accounts.google.com', algorithms: ['RS256'] });
      expect(payload.email).toBe(email);
      expect(payload.email_verified).toBe(true);
      expect(payload.exp! - payload.iat!).toBe(3600);
      expect(Math.abs(payload.iat! * 1000 - Date.now())).toBeLessThan(60_000);
      audiences.push(String(payload.aud));
    }
    expect(audiences.sort()).toEqual(['https://my-service.example', target.url].sort());
    expect(rig.emulator.issuer).toBe('https://accounts.google.com');
  });

  it('overrides an Authorization header of the task with the OIDC token', async () => {
    await rig.client.createTask(
      { parent: queue, task: { httpRequest: { url: target.url, headers: { authorization: 'Bearer forged' }, oidcToken: { serviceAccountEmail: 'a@b.iam.gserviceaccount.com' } } } },
      call,
    );
    await rig.emulator.clock.advance(0);
    await target.waitFor(1);
    expect(target.received[0]!.headers.authorization).not.toBe('Bearer forged');
    expect(String(target.received[0]!.headers.authorization)).toMatch(/^Bearer ey/);
  });
});

describe('queue state and RunTask', () => {
  it('does not dispatch from a paused queue; resuming dispatches', async () => {
    await rig.client.pauseQueue({ name: queue }, call);
    await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } }, call);
    await rig.emulator.clock.advance(60_000);
    expect(target.received).toHaveLength(0);
    await rig.client.resumeQueue({ name: queue }, call);
    await rig.emulator.clock.advance(0);
    await target.waitFor(1);
  });

  it('RunTask dispatches at once, even from a paused queue; a failure reschedules from the call by the backoff', async () => {
    await rig.client.pauseQueue({ name: queue }, call);
    target.fallback = { status: 500 };
    const at = rig.emulator.clock.now() + 3_600_000;
    const [task] = await rig.client.createTask({ parent: queue, task: { httpRequest: { url: target.url }, scheduleTime: ts(at) } }, call);
    const [running] = await rig.client.runTask({ name: task.name }, call);
    expect(running.dispatchCount).toBe(1);
    await target.waitFor(1);
    await rig.emulator.idle();
    const [after] = await rig.client.getTask({ name: task.name }, call);
    expect(msOf(after.scheduleTime)).toBe(rig.emulator.clock.now() + 10_000);
    expect(after.responseCount).toBe(1);
    expect(after.lastAttempt?.responseStatus).toMatchObject({ code: 13, message: 'INTERNAL(13): HTTP status code 500' });
    expect(rig.emulator.dispatched[0]!.forced).toBe(true);
    // RunTask on a task that succeeded: NOT_FOUND.
    target.fallback = { status: 204 };
    await rig.client.runTask({ name: task.name }, call);
    await target.waitFor(2);
    await rig.emulator.idle();
    expect((await failure(rig.client.runTask({ name: task.name }, call))).code).toBe(5);
  });

  it('does not dispatch at all with dispatch: false', async () => {
    const quiet = await startRig({ clock: 'manual', dispatch: false });
    try {
      const q = queueName();
      await quiet.client.createQueue({ parent: PARENT, queue: { name: q } }, call);
      await quiet.client.createTask({ parent: q, task: { httpRequest: { url: target.url } } }, call);
      await quiet.emulator.clock.advance(600_000);
      expect(quiet.emulator.dispatched).toHaveLength(0);
      expect((await quiet.client.listTasks({ parent: q }, call))[0]).toHaveLength(1);
    } finally {
      await quiet.close();
    }
  });
});
