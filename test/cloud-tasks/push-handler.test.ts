/**
 * The push handler's edges, after authentication: size limit (413 before the body is read),
 * Cloud Tasks headers, methods, start-up refusal without verification, option errors, and
 * the Cloud Run functions adapter on the real Functions Framework.
 */
import { request as httpRequest, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { createFunctionsPushHandler, createNodePushHandler, createPushHandler, type PushHandlerOptions } from '../../adapters/cloud-tasks/push.ts';
import { AUDIENCE, SERVICE_ACCOUNT, signToken, startJwksServer, type JwksServer } from './helpers/oidc.ts';
import { cloudTasksHeaders, countedRequest, countingJobs, echoBody } from './helpers/push.ts';

let jwks: JwksServer;
beforeAll(async () => {
  jwks = await startJwksServer();
});
afterAll(() => jwks.close());

const noService = () => {
  throw new Error('not needed');
};

function options(overrides: Partial<PushHandlerOptions> = {}) {
  const counting = countingJobs();
  const base: PushHandlerOptions = {
    jobs: counting.jobs,
    service: noService,
    authentication: { serviceAccountEmail: SERVICE_ACCOUNT, audience: AUDIENCE, jwksUrl: jwks.url },
    queueMaxAttempts: 10,
    ...overrides,
  };
  return { counting, options: base };
}

const auth = async () => ({ authorization: `Bearer ${await signToken(jwks)}` });

describe('cloud-tasks push handler', () => {
  it('a body over maxBodyBytes gets 413 from its Content-Length, unread', async () => {
    const { counting, options: o } = options({ maxBodyBytes: 100 });
    const handler = createPushHandler(o);
    const sent = countedRequest(AUDIENCE, echoBody(1) + ' '.repeat(200), { ...cloudTasksHeaders(0), ...(await auth()) });
    const response = await handler(sent.request);
    expect(response.status).toBe(413);
    expect([sent.pulls(), counting.calls.length]).toEqual([0, 0]);
  });

  it('a chunked body (no Content-Length) that grows past maxBodyBytes gets 413; reading stops there', async () => {
    const { counting, options: o } = options({ maxBodyBytes: 1_000 });
    const server = createServer(createNodePushHandler(o));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const headers = { ...cloudTasksHeaders(0), ...(await auth()), 'transfer-encoding': 'chunked' };
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', () => {});
      setTimeout(() => reject(new Error('no answer')), 5_000).unref();
      req.write('x'.repeat(800));
      req.write('x'.repeat(800)); // past the limit; the rest is never sent
    });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(status).toBe(413);
    expect(counting.calls).toEqual([]);
  });

  it('refuses a request without X-CloudTasks-TaskRetryCount (400) and non-POST methods (405), running nothing', async () => {
    const { counting, options: o } = options();
    const handler = createPushHandler(o);
    const headers = { ...cloudTasksHeaders(0), ...(await auth()) };
    delete (headers as Record<string, string>)['x-cloudtasks-taskretrycount'];
    const missing = await handler(countedRequest(AUDIENCE, echoBody(1), headers).request);
    const get = await handler(countedRequest(AUDIENCE, '', { ...cloudTasksHeaders(0), ...(await auth()) }, 'GET').request);
    const forged = await handler(countedRequest(AUDIENCE, echoBody(1), { ...cloudTasksHeaders(0), ...(await auth()), 'x-jobferry-attempts-before': '-1' }).request);
    expect([missing.status, get.status, forged.status]).toEqual([400, 405, 400]);
    expect(counting.calls).toEqual([]);
  });

  it('the attempt is X-CloudTasks-TaskRetryCount + 1 (plus attempts carried by a re-created task), not the execution count', async () => {
    const { counting, options: o } = options();
    const handler = createPushHandler(o);
    const headers = { ...cloudTasksHeaders(4), 'x-cloudtasks-taskexecutioncount': '1', ...(await auth()) };
    await handler(countedRequest(AUDIENCE, echoBody(1), headers).request);
    await handler(countedRequest(AUDIENCE, echoBody(2), { ...cloudTasksHeaders(1), ...(await auth()), 'x-jobferry-attempts-before': '2' }).request);
    expect(counting.calls.map((c) => c.attempt)).toEqual([5, 4]);
  });

  it('a retryable failure answers 503 with Retry-After from the job backoff', async () => {
    const { options: o } = options({ jobs: countingJobs(() => new Error('flaky')).jobs });
    const handler = createPushHandler(o);
    const response = await handler(countedRequest(AUDIENCE, echoBody(1), { ...cloudTasksHeaders(0), ...(await auth()) }).request);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({ outcome: 'retry', delayMs: 2_000 });
  });

  it('a job to bury while the dead-letter queue cannot be written answers 503 (redelivered, not lost), and logs why', async () => {
    const logger = createMemoryLogger('warn');
    const { options: o } = options({ logger, service: () => Promise.reject(new Error('no credentials here')) });
    const handler = createPushHandler(o);
    const bad = JSON.stringify({ v: 1, id: 'x', name: 'test.echo', payload: { n: 'not a number' }, createdAt: new Date().toISOString() });
    const response = await handler(countedRequest(AUDIENCE, bad, { ...cloudTasksHeaders(0), ...(await auth()) }).request);
    expect(response.status).toBe(503);
    expect(logger.records.find((r) => r.event === 'push.error')).toMatchObject({ detail: expect.stringMatching(/^bury failed/), error: { message: 'no credentials here' } });
  });

  describe('verification off', () => {
    it('runs on a developer machine, with a warning at every start', async () => {
      const logger = createMemoryLogger('warn');
      const { counting, options: o } = options({ authentication: false, env: {}, logger });
      const handler = createPushHandler(o);
      await handler.ready;
      const response = await handler(countedRequest(AUDIENCE, echoBody(1), cloudTasksHeaders(0)).request);
      expect(response.status).toBe(200);
      expect(counting.calls).toHaveLength(1);
      createPushHandler(o);
      await new Promise((resolve) => setImmediate(resolve));
      expect(logger.records.filter((r) => r.event === 'push.unverified')).toHaveLength(2);
    });

    for (const variable of ['K_SERVICE', 'FUNCTION_TARGET', 'AWS_LAMBDA_FUNCTION_NAME']) {
      it(`is refused where ${variable} is set: ready rejects, every request gets 500, nothing runs`, async () => {
        const { counting, options: o } = options({ authentication: false, env: { [variable]: 'jobs' } });
        const handler = createPushHandler(o);
        await expect(handler.ready).rejects.toThrow(new RegExp(`authentication: false is refused here: ${variable} is set`));
        const sent = countedRequest(AUDIENCE, echoBody(1), cloudTasksHeaders(0));
        const response = await handler(sent.request);
        expect([response.status, counting.calls.length, sent.pulls()]).toEqual([500, 0, 0]);
      });
    }
  });

  it('wrong options fail at creation with a ConfigError naming each one', () => {
    const attempt = () =>
      createPushHandler({
        jobs: [],
        service: undefined as never,
        authentication: { serviceAccountEmail: 'not-an-email', jwksUrl: 'ftp://keys', algorithms: ['HS256'] },
        queueMaxAttempts: 0,
        retryBy: 'sometimes' as never,
      });
    expect(attempt).toThrow(ConfigError);
    const issues = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as ConfigError).issues.join('\n');
      }
    })();
    for (const name of ['service', 'queueMaxAttempts', 'retryBy', 'serviceAccountEmail', 'jwksUrl', 'algorithms']) expect(issues).toContain(name);
    expect(() => createPushHandler({ jobs: [], service: noService, queueMaxAttempts: 3 } as never)).toThrow(/authentication: required/);
  });

  it('runs on the Functions Framework (Cloud Run functions): verified before anything is parsed', async () => {
    const { http } = await import('@google-cloud/functions-framework');
    const { getTestServer } = await import('@google-cloud/functions-framework/testing');
    const { counting, options: o } = options({ maxBodyBytes: 2_000 });
    http('jobferry-jobs', createFunctionsPushHandler(o));
    const server = getTestServer('jobferry-jobs');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const post = async (body: string, headers: Record<string, string>) => (await fetch(`${base}/`, { method: 'POST', body, headers })).status;
      const ok = await post(echoBody(9), { ...cloudTasksHeaders(0), ...(await auth()) });
      const anonymous = await post(echoBody(9), cloudTasksHeaders(0));
      const large = await post(echoBody(9) + ' '.repeat(3_000), { ...cloudTasksHeaders(0), ...(await auth()) });
      expect([ok, anonymous, large]).toEqual([200, 401, 413]);
      expect(counting.calls).toEqual([{ payload: { n: 9 }, attempt: 1 }]);
    } finally {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
