/**
 * Property: payloads with `__proto__` / `constructor.prototype` keys at random depths, driven
 * through the real pipeline, the memory transport end to end (enqueue -> worker -> outcome) and
 * the local app's HTTP API, pollute no prototype, crash nothing, and throw no RangeError anywhere
 * (the logger's output included). Prototypes are checked after every run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { createPipeline } from '../../src/pipeline.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';
import { property, RANGE_ERROR, tally } from './figures.ts';
import { capturingLogger, crashTrap, envelopeText, hazardJobs, hostileObjectText, pollutionsSince, post, prototypeSnapshot, startHazardApp } from './helpers.ts';

const before = prototypeSnapshot();
const JOB_NAMES = ['zod-loose', 'valibot-loose', 'zod-record', 'idempotent'] as const;

describe('prototype pollution', () => {
  it('the check itself sees a real pollution (a naive deep merge of a hostile payload)', () => {
    const merge = (target: Record<string, unknown>, source: Record<string, unknown>) => {
      for (const key of Object.keys(source)) {
        const value = source[key];
        if (typeof value === 'object' && value !== null) merge((target[key] ??= {}) as Record<string, unknown>, value as Record<string, unknown>);
        else target[key] = value;
      }
    };
    merge({}, JSON.parse('{"__proto__":{"pollutedByTest":"yes"}}') as Record<string, unknown>);
    const seen = pollutionsSince(before);
    delete (Object.prototype as Record<string, unknown>).pollutedByTest;
    expect(seen).toEqual(['Object.prototype gained pollutedByTest']);
    expect(pollutionsSince(before)).toEqual([]);
  });

  it('property: the pipeline decodes, validates, runs, logs and stores hostile payloads without pollution, crash or RangeError', async () => {
    const { crashes } = crashTrap();
    const logger = capturingLogger();
    const pipeline = createPipeline({ jobs: hazardJobs(), adapter: 'memory', queue: 'q', maxBodyBytes: 1_048_576, logger });
    const count = tally('pollution', 'pipeline', { text: logger.text, crashes });
    await fc.assert(
      fc.asyncProperty(hostileObjectText, fc.constantFrom(...JOB_NAMES), fc.integer({ min: 1, max: 3 }), async (payload, name, copies) => {
        const body = envelopeText(name, payload, 'same-id');
        for (let i = 0; i < copies; i++) {
          const outcome = await pipeline.run({ body, attempt: 1 });
          const polluted = pollutionsSince(before);
          count.cases++;
          if (polluted.length > 0) count.failures++;
          expect(outcome.type).toBe('completed');
          expect(polluted).toEqual([]);
        }
      }),
      property(300),
    );
    expect(logger.text()).not.toMatch(RANGE_ERROR);
    expect(logger.lines.every((line) => typeof JSON.parse(line) === 'object')).toBe(true);
    expect(crashes).toEqual([]);
  });

  it('property: end to end on the memory transport (producer, raw bodies, pull worker): every job completes, nothing is polluted', async () => {
    const { crashes } = crashTrap();
    const logger = capturingLogger();
    const jobs = hazardJobs();
    const service = createMemoryService();
    const worker = createWorker({ service, jobs, concurrency: 4, waitMs: 20, handleSignals: false, logger });
    const queue = createQueue({ service, jobs });
    await worker.start();
    const count = tally('pollution', 'memory', { text: logger.text, crashes });
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(hostileObjectText, fc.constantFrom(...JOB_NAMES), async (payloadText, name) => {
        // Once through the producer (a parsed payload whose __proto__ is an own key), once as a raw body.
        await queue.enqueue(name, JSON.parse(payloadText) as never);
        const [raw] = await service.enqueue([{ id: crypto.randomUUID(), name, body: envelopeText(name, payloadText), delayMs: 0 }]);
        expect(raw?.ok).toBe(true);
        sent += 2;
        await logger.waitFor(() => logger.count('job.completed') + logger.count('job.duplicate') === sent);
        const polluted = pollutionsSince(before);
        count.cases += 2;
        if (polluted.length > 0) count.failures++;
        expect(polluted).toEqual([]);
      }),
      property(60),
    );
    await worker.stop();
    expect(await service.stats()).toMatchObject({ ready: 0, delayed: 0, reserved: 0, buried: 0 });
    expect(logger.text()).not.toMatch(RANGE_ERROR);
    expect(crashes).toEqual([]);
  });

  it('property: through the local HTTP API (POST /jobs/:name, GET /buried): 202 and completion, nothing polluted', async () => {
    const { crashes } = crashTrap();
    const logger = capturingLogger();
    const app = await startHazardApp(hazardJobs(), logger);
    const count = tally('pollution', 'http-api', { text: logger.text, crashes });
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(hostileObjectText, fc.constantFrom(...JOB_NAMES), async (payloadText, name) => {
        const answer = await post(`${app.url}/jobs/${name}`, payloadText);
        count.cases++;
        expect(answer.status).toBe(202);
        accepted++;
        await logger.waitFor(() => logger.count('job.completed') + logger.count('job.duplicate') === accepted);
        const polluted = pollutionsSince(before);
        if (polluted.length > 0) count.failures++;
        expect(polluted).toEqual([]);
      }),
      property(40),
    );
    // Buried hostile bodies are listed (parsed, redacted) without harm too.
    const [raw] = await app.service.enqueue([{ id: 'bad-1', name: 'no-such-job', body: envelopeText('no-such-job', '{"__proto__":{"polluted":"yes"}}'), delayMs: 0 }]);
    expect(raw?.ok).toBe(true);
    await logger.waitFor((r) => r.event === 'job.invalid' && r.reason === 'unknown-job');
    const listed = await fetch(`${app.url}/buried`);
    expect(listed.status).toBe(200);
    expect(pollutionsSince(before)).toEqual([]);
    expect(logger.text()).not.toMatch(RANGE_ERROR);
    expect(crashes).toEqual([]);
  });
});
