/**
 * The push handler's security matrix: every forged, expired, misdirected or missing token is
 * refused with 401 or 403 before the body is read, the pipeline is called, or the service is
 * created. Only the valid token reaches the job. Checked on the Web handler (the body stream
 * counts its reads) and on node:http (the client withholds the body: an answer before it is
 * sent proves the server never waited for it).
 */
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, type Pipeline } from '../../src/pipeline.ts';
import { createNodePushHandler, createPushHandler } from '../../adapters/cloud-tasks/push.ts';
import type { PushHandlerOptions } from '../../adapters/cloud-tasks/push.ts';
import { AUDIENCE, hs256WithPublicKey, SERVICE_ACCOUNT, signToken, startJwksServer, unsignedToken, validClaims, type JwksServer } from './helpers/oidc.ts';
import { cloudTasksHeaders, countedRequest, countingJobs, echoBody } from './helpers/push.ts';

interface Case {
  readonly name: string;
  /** The Authorization header, or undefined for none. */
  readonly authorization: (jwks: JwksServer) => Promise<string | undefined>;
  readonly status: 401 | 403;
}

const now = () => Math.floor(Date.now() / 1000);
const bearer = async (token: Promise<string> | string) => `Bearer ${await token}`;

const refused: Case[] = [
  { name: 'signed by another key', status: 401, authorization: (j) => bearer(signToken(j, { key: j.otherKey })) },
  { name: 'alg none', status: 401, authorization: () => bearer(unsignedToken()) },
  { name: 'HS256 signed with the public key', status: 401, authorization: (j) => bearer(hs256WithPublicKey(j.key)) },
  { name: 'unknown kid', status: 401, authorization: (j) => bearer(signToken(j, { header: { kid: 'no-such-key' } })) },
  { name: 'wrong iss', status: 401, authorization: (j) => bearer(signToken(j, { claims: { iss: 'https://evil.example.com' } })) },
  { name: 'wrong aud', status: 401, authorization: (j) => bearer(signToken(j, { claims: { aud: 'https://other.example.run.app/' } })) },
  { name: 'missing aud', status: 401, authorization: (j) => bearer(signToken(j, { claims: { aud: undefined } })) },
  { name: 'expired', status: 401, authorization: (j) => bearer(signToken(j, { claims: { iat: now() - 1000, exp: now() - 60 } })) },
  { name: 'iat in the future', status: 401, authorization: (j) => bearer(signToken(j, { claims: { iat: now() + 600, exp: now() + 4200 } })) },
  { name: 'wrong email', status: 403, authorization: (j) => bearer(signToken(j, { claims: { email: 'intruder@evil.iam.gserviceaccount.com' } })) },
  { name: 'email_verified false', status: 403, authorization: (j) => bearer(signToken(j, { claims: { email_verified: false } })) },
  { name: 'no email_verified claim', status: 403, authorization: (j) => bearer(signToken(j, { claims: { email_verified: undefined } })) },
  { name: 'no token', status: 401, authorization: async () => undefined },
  { name: 'X-CloudTasks headers set by hand, no token', status: 401, authorization: async () => undefined },
  { name: 'a Basic credential instead of a bearer token', status: 401, authorization: async () => `Basic ${btoa('tasks:secret')}` },
  { name: 'a bearer token that is not a JWT', status: 401, authorization: async () => 'Bearer not-a-jwt' },
  { name: 'an unsigned token with the valid claims and kid', status: 401, authorization: async () => `Bearer ${unsignedToken(validClaims()).slice(0, -1)}.` },
];

describe('cloud-tasks push handler: security matrix', () => {
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await startJwksServer();
  });
  afterAll(() => jwks.close());

  /** A handler whose pipeline, job and service all count their calls. */
  const setup = (overrides: Partial<PushHandlerOptions> = {}) => {
    const counting = countingJobs();
    const real = createPipeline({ jobs: counting.jobs, adapter: 'cloud-tasks', queue: 'jobs', maxBodyBytes: 1_048_576 });
    let runs = 0;
    const pipeline: Pipeline = { ...real, run: (delivery) => (runs++, real.run(delivery)) };
    let serviceCalls = 0;
    const options: PushHandlerOptions = {
      jobs: counting.jobs,
      pipeline,
      service: () => {
        serviceCalls++;
        throw new Error('no job in this suite needs the service');
      },
      authentication: { serviceAccountEmail: SERVICE_ACCOUNT, audience: AUDIENCE, jwksUrl: jwks.url },
      queueMaxAttempts: 10,
      ...overrides,
    };
    return { options, counting, runs: () => runs, serviceCalls: () => serviceCalls };
  };

  describe('Web handler (Request -> Response)', () => {
    it('the valid token reaches the job, and the body is read once', async () => {
      const { options, counting, runs } = setup();
      const handler = createPushHandler(options);
      const sent = countedRequest(AUDIENCE, echoBody(7), { ...cloudTasksHeaders(0), authorization: await bearer(signToken(jwks)) });

      const response = await handler(sent.request);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ outcome: 'completed' });
      expect(runs()).toBe(1);
      expect(counting.calls).toEqual([{ payload: { n: 7 }, attempt: 1 }]);
      expect(sent.pulls()).toBeGreaterThan(0);
    });

    for (const c of refused) {
      it(`${c.name}: ${c.status}, no pipeline run, no job call, body never read`, async () => {
        const { options, counting, runs, serviceCalls } = setup();
        const handler = createPushHandler(options);
        const authorization = await c.authorization(jwks);
        const headers = { ...cloudTasksHeaders(0), ...(authorization === undefined ? {} : { authorization }) };
        const sent = countedRequest(AUDIENCE, echoBody(7), headers);

        const response = await handler(sent.request);

        expect(response.status).toBe(c.status);
        if (c.status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect({ runs: runs(), jobCalls: counting.calls.length, bodyPulls: sent.pulls(), bodyUsed: sent.request.bodyUsed, serviceCalls: serviceCalls() }).toEqual({
          runs: 0,
          jobCalls: 0,
          bodyPulls: 0,
          bodyUsed: false,
          serviceCalls: 0,
        });
      });
    }

    it('a token for the request URL is accepted when no audience is configured', async () => {
      const { options, counting } = setup({ authentication: { serviceAccountEmail: SERVICE_ACCOUNT, jwksUrl: jwks.url } });
      const handler = createPushHandler(options);
      const url = 'http://jobs.internal:8080/tasks?queue=a';
      // Cloud Run hands the container http://; the task was created for https:// without the query.
      const token = await signToken(jwks, { claims: { aud: 'https://jobs.internal:8080/tasks' } });
      const ok = await handler(countedRequest(url, echoBody(1), { ...cloudTasksHeaders(0), authorization: `Bearer ${token}` }).request);
      const elsewhere = await handler(countedRequest('http://other.internal/tasks', echoBody(1), { ...cloudTasksHeaders(0), authorization: `Bearer ${token}` }).request);
      expect([ok.status, elsewhere.status]).toEqual([200, 401]);
      expect(counting.calls).toHaveLength(1);
    });

    it('a remembered token is still refused once it has expired', async () => {
      let clock = Date.now();
      const { options, counting } = setup({ now: () => clock });
      const handler = createPushHandler(options);
      const nowSeconds = Math.floor(clock / 1000);
      const authorization = await bearer(signToken(jwks, { claims: { iat: nowSeconds, exp: nowSeconds + 60 } }));
      const first = await handler(countedRequest(AUDIENCE, echoBody(1), { ...cloudTasksHeaders(0), authorization }).request);
      clock += 120_000;
      const later = countedRequest(AUDIENCE, echoBody(1), { ...cloudTasksHeaders(0), authorization });
      const second = await handler(later.request);
      expect([first.status, second.status]).toEqual([200, 401]);
      expect(later.pulls()).toBe(0);
      expect(counting.calls).toHaveLength(1);
    });

    it('keys that cannot be fetched answer 503 (the queue retries), not 401, and run nothing', async () => {
      const { options, runs } = setup({ authentication: { serviceAccountEmail: SERVICE_ACCOUNT, audience: AUDIENCE, jwksUrl: 'http://127.0.0.1:9/certs', jwksTimeoutMs: 2_000 } });
      const handler = createPushHandler(options);
      const sent = countedRequest(AUDIENCE, echoBody(1), { ...cloudTasksHeaders(0), authorization: await bearer(signToken(jwks)) });
      const response = await handler(sent.request);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('10');
      expect([runs(), sent.pulls()]).toEqual([0, 0]);
    });
  });

  describe('node:http handler', () => {
    let server: Server;
    let port: number;
    let current: ReturnType<typeof setup>;
    beforeAll(async () => {
      server = createServer((req, res) => createdHandler(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    let createdHandler: ReturnType<typeof createNodePushHandler>;
    const use = (overrides: Partial<PushHandlerOptions> = {}) => {
      current = setup(overrides);
      createdHandler = createNodePushHandler(current.options);
      return current;
    };

    /**
     * Sends the headers with a Content-Length, but the body only if `sendBody`; resolves with
     * the status once the answer arrives.
     */
    const post = (headers: Record<string, string>, body: string, sendBody: boolean) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/tasks', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, text });
          });
        });
        req.on('error', reject);
        // An answer that waits for the body means the server read it: fail fast and say so.
        setTimeout(() => {
          req.destroy();
          reject(new Error('no answer within 5 s while the body was withheld: the server waited for the body'));
        }, 5_000).unref();
        req.flushHeaders();
        if (sendBody) req.end(body);
      });

    it('the valid token reaches the job', async () => {
      const { counting, runs } = use();
      const answer = await post({ ...cloudTasksHeaders(2), authorization: await bearer(signToken(jwks)) }, echoBody(3), true);
      expect(answer.status).toBe(200);
      expect(runs()).toBe(1);
      expect(counting.calls).toEqual([{ payload: { n: 3 }, attempt: 3 }]);
    });

    for (const c of refused) {
      it(`${c.name}: ${c.status} while the body is still unsent`, async () => {
        const { counting, runs, serviceCalls } = use();
        const authorization = await c.authorization(jwks);
        const headers = { ...cloudTasksHeaders(0), ...(authorization === undefined ? {} : { authorization }) };
        const answer = await post(headers, echoBody(7), false);
        expect(answer.status).toBe(c.status);
        expect({ runs: runs(), jobCalls: counting.calls.length, serviceCalls: serviceCalls() }).toEqual({ runs: 0, jobCalls: 0, serviceCalls: 0 });
      });
    }
  });
});
