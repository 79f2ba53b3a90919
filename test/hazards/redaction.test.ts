/**
 * Property: random secrets (tokens, bearer headers, passwords, e-mail addresses, card numbers)
 * at random paths of payloads, under fields listed in the job's secretFields or named like
 * secrets, driven through every path with logPayload on: success, retry, bury (permanent,
 * attempts exhausted, invalid payload), a duplicate, a handler that logs its own payload.
 * Everything the logger writes and is handed (raw records, what a pino or Powertools adapter
 * gets) and everything a dead-letter store holds besides the job's own body: 0 leaked secrets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { createPipeline } from '../../src/pipeline.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';
import { property, runs, tally } from './figures.ts';
import { capturingLogger, crashTrap, post, startHazardApp } from './helpers.ts';
import { expectedEnd, MODES, redactionJobs, sent } from './redaction-jobs.ts';
import { leaked, payloadWithSecrets } from './secrets.ts';

describe('log and dead-letter redaction', () => {
  it('property: the pipeline on every path logs no secret (written lines and raw records) and buries none in a detail', async () => {
    const logger = capturingLogger();
    const { crashes } = crashTrap();
    const pipeline = createPipeline({ jobs: redactionJobs(), adapter: 'memory', queue: 'q', maxBodyBytes: 1_048_576, logger });
    const count = tally('redaction', 'pipeline', { text: logger.text, crashes });
    await fc.assert(
      fc.asyncProperty(payloadWithSecrets(MODES), fc.constantFrom('pay', 'pay-once'), async ({ payload, secrets, mode }, name) => {
        const from = logger.lines.length;
        const fromRaw = logger.raw.length;
        const body = JSON.stringify({ v: 1, id: crypto.randomUUID(), name, createdAt: '2030-01-01T00:00:00.000Z', payload: sent(payload, mode) });
        const ends: string[] = [];
        count.cases++;
        count.secrets += secrets.length;
        // What a dead-letter store is given besides the body: reason, detail, error.
        const deadLetter: string[] = [];
        for (let attempt = 1; attempt <= 3; attempt++) {
          const outcome = await pipeline.run({ body, attempt, transportId: `m-${attempt}` });
          if (outcome.type === 'buried') deadLetter.push(...leaked(JSON.stringify({ reason: outcome.reason, detail: outcome.detail, error: outcome.error }), secrets));
          if (outcome.type !== 'retry') {
            ends.push(outcome.type === 'buried' ? `buried:${outcome.reason}` : outcome.type);
            break;
          }
        }
        // A duplicate delivery of a completed idempotent job logs job.duplicate: no secret there either.
        const duplicate = name === 'pay-once' && ends[0] === 'completed' ? await pipeline.run({ body, attempt: 1 }) : undefined;
        const written = logger.lines.slice(from).join('\n');
        const handed = logger.raw.slice(fromRaw).join('\n');
        // Counted before any assertion, so a failing case is in the figures.
        const found = { deadLetter, written: leaked(written, secrets), handed: leaked(handed, secrets) };
        if (found.deadLetter.length + found.written.length + found.handed.length > 0) count.failures++;
        expect(found).toEqual({ deadLetter: [], written: [], handed: [] });
        if (duplicate !== undefined) expect(duplicate).toMatchObject({ duplicate: true });
        expect(ends).toEqual([expectedEnd[mode]]);
        expect(written).toContain('"payload":');
      }),
      property(400),
    );
    expect(count.secrets).toBeGreaterThan(runs(400));
  });

  it('property: end to end on the memory transport, the worker logs no secret and the dead-letter store keeps none outside the body', async () => {
    const logger = capturingLogger();
    const jobs = redactionJobs();
    const service = createMemoryService();
    const worker = createWorker({ service, jobs, concurrency: 4, waitMs: 10, handleSignals: false, logger });
    const queue = createQueue({ service, jobs });
    await worker.start();
    const { crashes } = crashTrap();
    const count = tally('redaction', 'memory', { text: logger.text, crashes });
    let ended = 0;
    // Envelope id -> the payload as sent, to check that a buried body is the job itself.
    const sentPayloads = new Map<string, string>();
    const ends = () => logger.count('job.completed') + logger.count('job.duplicate') + logger.count('job.buried') + logger.count('job.invalid');
    await fc.assert(
      fc.asyncProperty(payloadWithSecrets(MODES), async ({ payload, secrets, mode }) => {
        const from = logger.lines.length;
        const fromRaw = logger.raw.length;
        // Invalid payloads cannot pass the producer's validation: they arrive as raw bodies, as from another producer.
        if (mode === 'invalid') {
          const id = crypto.randomUUID();
          const body = JSON.stringify({ v: 1, id, name: 'pay', createdAt: '2030-01-01T00:00:00.000Z', payload: sent(payload, mode) });
          sentPayloads.set(id, JSON.stringify(sent(payload, mode)));
          await service.enqueue([{ id, name: 'pay', body, delayMs: 0 }]);
        } else {
          const { id } = await queue.enqueue('pay', payload as never);
          sentPayloads.set(id, JSON.stringify(payload));
        }
        ended++;
        await logger.waitFor(() => ends() === ended);
        count.cases++;
        count.secrets += secrets.length;
        const found = { written: leaked(logger.lines.slice(from).join('\n'), secrets), handed: leaked(logger.raw.slice(fromRaw).join('\n'), secrets) };
        const buried = await service.listBuried({ max: 10_000 });
        const inDeadLetters = buried.flatMap(({ body: _body, ...entry }) => leaked(JSON.stringify(entry), secrets));
        if (found.written.length + found.handed.length + inDeadLetters.length > 0) count.failures++;
        expect(found).toEqual({ written: [], handed: [] });
        expect(inDeadLetters).toEqual([]);
        // The body is the job itself, its payload as sent: a kick must be able to run it again.
        for (const { body } of buried) {
          const envelope = JSON.parse(body as string) as { id: string; payload: unknown };
          expect(JSON.stringify(envelope.payload)).toBe(sentPayloads.get(envelope.id));
        }
      }),
      property(80),
    );
    await worker.stop();
  });

  it('property: the local app lists buried jobs (GET /buried) with every secret redacted', async () => {
    const logger = capturingLogger();
    const app = await startHazardApp(redactionJobs(), logger);
    const { crashes } = crashTrap();
    const count = tally('redaction', 'http-api', { text: logger.text, crashes });
    let buried = 0;
    await fc.assert(
      fc.asyncProperty(payloadWithSecrets(['permanent', 'exhaust'] as const), async ({ payload, secrets }) => {
        const answer = await post(`${app.url}/jobs/pay`, JSON.stringify(payload));
        expect(answer.status).toBe(202);
        buried++;
        await logger.waitFor(() => logger.count('job.buried') === buried);
        const listed = await (await fetch(`${app.url}/buried?max=1000`)).text();
        const found = { listed: leaked(listed, secrets), logs: leaked(logger.text(), secrets) };
        count.cases++;
        count.secrets += secrets.length;
        if (found.listed.length + found.logs.length > 0) count.failures++;
        expect(listed).toContain('"payload"');
        expect(found).toEqual({ listed: [], logs: [] });
      }),
      property(30),
    );
  });
});
