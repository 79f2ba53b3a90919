/**
 * Redaction on the Cloud Tasks push handler: a secret sent as the Authorization header (forged
 * bearer tokens, Basic credentials, a valid signed token) or in other headers is never logged
 * nor echoed in the answer, on verification failure and on success; secrets in the payload of
 * an authenticated task stay out of the logs, the answers and what is handed to the dead-letter
 * store (reason, detail) on success, retry and bury.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushHandler } from '../../adapters/cloud-tasks/push.ts';
import type { BuryInfo, JobService } from '../../src/service.ts';
import { AUDIENCE, SERVICE_ACCOUNT, signToken, startJwksServer, type JwksServer } from '../cloud-tasks/helpers/oidc.ts';
import { property, tally } from './figures.ts';
import { capturingLogger, crashTrap } from './helpers.ts';
import { expectedEnd, MODES, redactionJobs, sent } from './redaction-jobs.ts';
import { leaked, payloadWithSecrets, secretValue } from './secrets.ts';

let jwks: JwksServer;
beforeAll(async () => void (jwks = await startJwksServer()));
afterAll(() => jwks.close());

/** The dead-letter side of the push handler: records what it is asked to store. */
function recordingService() {
  const buried: Array<{ info: BuryInfo; transportId: string }> = [];
  const service: JobService = {
    adapter: 'recording',
    queue: 'jobs-dead',
    limits: { maxBodyBytes: 1_048_576, maxDelayMs: 30 * 86_400_000, maxLeaseMs: Infinity, maxBatchSize: 100 },
    features: { dedupe: false, groups: false, priority: false },
    enqueue: async (jobs) => jobs.map((j) => ({ id: j.id, ok: true as const })),
    bury: async (job, info) => void buried.push({ info, transportId: job.transportId }),
  };
  return { service, buried };
}

function setup() {
  const logger = capturingLogger();
  const dead = recordingService();
  const handler = createPushHandler({
    jobs: redactionJobs(),
    service: dead.service,
    authentication: { serviceAccountEmail: SERVICE_ACCOUNT, audience: AUDIENCE, jwksUrl: jwks.url },
    queueMaxAttempts: 2,
    logger,
  });
  return { logger, handler, buried: dead.buried };
}

const taskHeaders = (retryCount: number) => ({
  'content-type': 'application/json',
  'x-cloudtasks-queuename': 'jobs',
  'x-cloudtasks-taskname': `task-${retryCount}-${Math.floor(Math.random() * 1e9)}`,
  'x-cloudtasks-taskretrycount': String(retryCount),
  'x-cloudtasks-taskexecutioncount': String(retryCount),
});

describe('cloud-tasks push handler redaction', () => {
  it('property: a refused Authorization header (forged bearer, Basic, junk) and other secret headers appear in no log and no answer', async () => {
    const { logger, handler } = setup();
    const count = tally('redaction', 'cloud-tasks-push', { text: logger.text, crashes: crashTrap().crashes });
    const authorization = fc.oneof(
      secretValue.map((s) => `Bearer ${s.replace(/^Bearer /, '')}`),
      secretValue.map((s) => `Basic ${btoa(s)}`),
      secretValue.map((s) => `bearer ey${btoa(JSON.stringify({ alg: 'none' }))}.${btoa(JSON.stringify({ secret: s }))}.`),
      secretValue,
    );
    await fc.assert(
      fc.asyncProperty(authorization, secretValue, secretValue, async (auth, cookie, apiKey) => {
        const from = logger.lines.length;
        const fromRaw = logger.raw.length;
        const response = await handler(new Request(AUDIENCE, { method: 'POST', headers: { ...taskHeaders(0), authorization: auth, cookie: `session=${cookie}`, 'x-api-key': apiKey }, body: '{}' }));
        const answer = await response.text();
        expect([401, 403]).toContain(response.status);
        const secrets = [auth, auth.slice(auth.indexOf(' ') + 1), cookie, apiKey];
        const written = logger.lines.slice(from).join('\n');
        const found = { written: leaked(written, secrets), handed: leaked(logger.raw.slice(fromRaw).join('\n'), secrets), answer: leaked(answer, secrets) };
        count.cases++;
        count.secrets += secrets.length;
        if (found.written.length + found.handed.length + found.answer.length > 0) count.failures++;
        expect(written).toContain('push.rejected');
        expect(found).toEqual({ written: [], handed: [], answer: [] });
      }),
      property(60),
    );
  });

  it('property: an authenticated task with secrets in its payload, on every path: no secret, nor the token, in logs, answers or the dead-letter record', async () => {
    const { logger, handler, buried } = setup();
    const count = tally('redaction', 'cloud-tasks-push', { text: logger.text, crashes: crashTrap().crashes });
    const token = await signToken(jwks);
    await fc.assert(
      fc.asyncProperty(payloadWithSecrets(MODES), async ({ payload, secrets, mode }) => {
        const from = logger.lines.length;
        const fromRaw = logger.raw.length;
        const fromBuried = buried.length;
        const body = JSON.stringify({ v: 1, id: crypto.randomUUID(), name: 'pay', createdAt: '2030-01-01T00:00:00.000Z', payload: sent(payload, mode) });
        const answers: string[] = [];
        let end = '';
        for (let retryCount = 0; retryCount < 3 && end === ''; retryCount++) {
          const response = await handler(new Request(AUDIENCE, { method: 'POST', headers: { ...taskHeaders(retryCount), authorization: `Bearer ${token}` }, body }));
          const answer = (await response.json()) as { outcome?: string; reason?: string };
          answers.push(JSON.stringify(answer));
          if (response.status === 503) continue;
          end = answer.outcome === 'buried' ? `buried:${answer.reason}` : String(answer.outcome);
        }
        const all = [...secrets, token];
        const dead = JSON.stringify(buried.slice(fromBuried));
        const found = {
          written: leaked(logger.lines.slice(from).join('\n'), all),
          handed: leaked(logger.raw.slice(fromRaw).join('\n'), all),
          answers: leaked(answers.join('\n'), all),
          deadLetter: leaked(dead, all),
        };
        count.cases++;
        count.secrets += all.length;
        if (Object.values(found).some((list) => list.length > 0)) count.failures++;
        expect(end).toBe(expectedEnd[mode]);
        expect(found).toEqual({ written: [], handed: [], answers: [], deadLetter: [] });
      }),
      property(60),
    );
    expect(buried.length).toBeGreaterThan(0);
  });
});
