/**
 * Bodies at the size limit -1, at it and +1 (in UTF-8 bytes, ASCII and multi-byte): up to the
 * limit they run; over it they are refused before JSON.parse is called on them, by the pipeline
 * (text and bytes), by a pull worker on the memory transport, by the producer, and by the HTTP
 * API (with and without a Content-Length).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { ValidationError } from '../../src/errors.ts';
import { defineJob } from '../../src/job.ts';
import { createPipeline } from '../../src/pipeline.ts';
import { createQueue } from '../../src/queue.ts';
import { createWorker } from '../../src/worker.ts';
import { tally } from './figures.ts';
import { capturingLogger, crashTrap, startHazardApp } from './helpers.ts';

const LIMIT = 4_096;
const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

afterEach(() => {
  vi.restoreAllMocks();
});

/** JSON texts calls to JSON.parse were given (this test's spy only). */
function parseSpy() {
  const spy = vi.spyOn(JSON, 'parse');
  return { parsed: (text: string) => spy.mock.calls.some(([arg]) => arg === text) };
}

/**
 * An envelope of exactly `bytes` UTF-8 bytes whose padding is `filler` (1, 2, 3 or 4 bytes per
 * character), topped up with ASCII. `marker` makes each body unique.
 */
function envelopeOfBytes(bytes: number, filler: string, marker: string): string {
  const make = (pad: string) => `{"v":1,"id":"${marker}","name":"sized","createdAt":"2030-01-01T00:00:00.000Z","payload":{"pad":"${pad}"}}`;
  const room = bytes - utf8(make(''));
  const wide = filler.repeat(Math.floor(room / utf8(filler)));
  const text = make(wide + 'x'.repeat(room - utf8(wide)));
  if (utf8(text) !== bytes) throw new Error(`fixture: made ${utf8(text)} bytes, wanted ${bytes}`);
  return text;
}

/** A payload `{ pad }` whose encoded envelope (as the producer writes it) is exactly `bytes`. */
function payloadForBodyOf(bytes: number, measure: (pad: string) => number): { pad: string } {
  const room = bytes - measure('');
  return { pad: 'é'.repeat(Math.floor(room / 2)) + 'x'.repeat(room % 2) };
}

const sized = defineJob({ name: 'sized', schema: z.object({ pad: z.string() }), handler: () => 'ok' });
const FILLERS = [['ASCII', 'a'], ['2-byte', 'é'], ['3-byte', '€'], ['4-byte', '😀']] as const;

describe('bodies at the size limit', () => {
  it.each(FILLERS)('the pipeline runs %s bodies of limit-1 and limit bytes, and buries limit+1 without parsing it (text and bytes)', async (_what, filler) => {
    const { parsed } = parseSpy();
    const logger = capturingLogger();
    const pipeline = createPipeline({ jobs: [sized], adapter: 'memory', queue: 'q', maxBodyBytes: LIMIT, logger });
    const [under, at, over] = [LIMIT - 1, LIMIT, LIMIT + 1].map((n) => envelopeOfBytes(n, filler, `b${n}`));
    const count = tally('size-limit', 'pipeline', { text: logger.text, crashes: crashTrap().crashes });
    const outcomes = await Promise.all([under!, at!, over!, new TextEncoder().encode(over!)].map((body) => pipeline.run({ body, attempt: 1 })));
    const ends = outcomes.map((o) => (o.type === 'buried' ? o.reason : o.type));
    count.cases = outcomes.length;
    count.failures = ends.filter((end, i) => end !== ['completed', 'completed', 'body-too-large', 'body-too-large'][i]).length + Number(parsed(over!));
    expect(ends).toEqual(['completed', 'completed', 'body-too-large', 'body-too-large']);
    expect(outcomes[2]).toMatchObject({ detail: `body is larger than ${LIMIT} bytes` });
    expect([parsed(under!), parsed(at!), parsed(over!)]).toEqual([true, true, false]);
    expect(logger.text()).not.toMatch(/RangeError/);
  });

  it('a pull worker on the memory transport: limit-1 and limit complete, limit+1 is buried body-too-large, unparsed and kept whole', async () => {
    const { crashes } = crashTrap();
    const { parsed } = parseSpy();
    const logger = capturingLogger();
    // The transport carries more than this worker accepts: the worker's own limit is what is tested.
    const service = createMemoryService({ maxBodyBytes: 4 * LIMIT });
    const worker = createWorker({ service, jobs: [sized], maxBodyBytes: LIMIT, waitMs: 20, handleSignals: false, logger });
    const bodies = [LIMIT - 1, LIMIT, LIMIT + 1].map((n) => envelopeOfBytes(n, '€', `w${n}`));
    // Counted from the start: a run that fails on its way still writes its line.
    const count = Object.assign(tally('size-limit', 'memory', { text: logger.text, crashes }), { cases: bodies.length });
    await service.enqueue(bodies.map((body, i) => ({ id: `w${i}`, name: 'sized', body, delayMs: 0 })));
    await worker.start();
    await logger.waitFor(() => logger.count('job.completed') === 2 && logger.count('job.invalid') === 1);
    await worker.stop();
    const buried = await service.listBuried();
    count.failures = Number(buried.length !== 1 || buried[0]?.reason !== 'body-too-large' || buried[0].body !== bodies[2]) + Number(parsed(bodies[2]!));
    expect(buried).toEqual([expect.objectContaining({ reason: 'body-too-large', body: bodies[2] })]);
    expect(bodies.map(parsed)).toEqual([true, true, false]);
    expect(crashes).toEqual([]);
  });

  it('the producer sends a job whose body is exactly the limit, and refuses limit+1 before sending anything', async () => {
    const service = createMemoryService({ maxBodyBytes: LIMIT });
    const queue = createQueue({ service, jobs: [sized], now: () => Date.parse('2030-01-01T00:00:00.000Z') });
    // The producer's envelope: measure it the way it encodes (fixed id and time keep the size exact).
    const measure = (pad: string) => utf8(JSON.stringify({ v: 1, id: 'p-0000', name: 'sized', payload: { pad }, createdAt: '2030-01-01T00:00:00.000Z' }));
    const send = (bytes: number, id: string) => queue.enqueue(sized, payloadForBodyOf(bytes, measure), { id });
    const count = Object.assign(tally('size-limit', 'memory', { crashes: crashTrap().crashes }), { cases: 2 });
    const atLimit = await send(LIMIT, 'p-0001');
    const overLimit = await send(LIMIT + 1, 'p-0002').then(() => undefined, (e: unknown) => e);
    count.failures = Number(atLimit.id !== 'p-0001') + Number(!(overLimit instanceof ValidationError));
    expect(atLimit.id).toBe('p-0001');
    expect(overLimit).toBeInstanceOf(ValidationError);
    expect((overLimit as Error).message).toBe(`[memory] enqueue of job sized rejected: encoded job is larger than the ${LIMIT} bytes memory accepts`);
    expect(await service.stats()).toMatchObject({ ready: 1 });
  });

  it('the HTTP API reads limit-1 and limit, answers 413 to limit+1 (declared or chunked) without parsing it, and never a 500', async () => {
    const { crashes } = crashTrap();
    const logger = capturingLogger();
    const app = await startHazardApp([sized], logger, { maxBodyBytes: LIMIT });
    const { parsed } = parseSpy();
    const count = Object.assign(tally('size-limit', 'http-api', { text: logger.text, crashes }), { cases: 4 });
    const payloadOf = (bytes: number) => {
      const text = `{"pad":"${'é'.repeat(Math.floor((bytes - 10) / 2))}${'x'.repeat((bytes - 10) % 2)}"}`;
      if (utf8(text) !== bytes) throw new Error(`fixture: ${utf8(text)} bytes, wanted ${bytes}`);
      return text;
    };
    const [under, at, over] = [LIMIT - 1, LIMIT, LIMIT + 1].map(payloadOf);
    const postText = async (body: string, chunked = false) => {
      const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers: { 'content-type': 'application/json' } };
      if (chunked) {
        const bytes = new TextEncoder().encode(body);
        init.body = new ReadableStream({ start(c) { c.enqueue(bytes.subarray(0, 1000)); c.enqueue(bytes.subarray(1000)); c.close(); } });
        init.duplex = 'half';
      } else init.body = body;
      const res = await fetch(`${app.url}/jobs/sized`, init);
      return { status: res.status, error: ((await res.json()) as { error?: string }).error };
    };
    const answers = [await postText(under!), await postText(at!), await postText(over!), await postText(over!, true)];
    const expected = ['invalid-payload', 'invalid-payload', 'body-too-large', 'body-too-large'];
    count.failures = answers.filter((a, i) => a.error !== expected[i] || a.status === 500).length + Number(parsed(over!));
    // The payload fits the HTTP limit, but its envelope does not fit the transport: a 400 with the reason.
    expect(answers).toEqual([
      { status: 400, error: 'invalid-payload' },
      { status: 400, error: 'invalid-payload' },
      { status: 413, error: 'body-too-large' },
      { status: 413, error: 'body-too-large' },
    ]);
    expect([parsed(under!), parsed(at!), parsed(over!)]).toEqual([true, true, false]);
    // A payload that leaves room for the envelope is accepted and runs.
    const fits = await postText(payloadOf(LIMIT - 200));
    expect(fits.status).toBe(202);
    await logger.waitFor((r) => r.event === 'job.completed');
    expect(crashes).toEqual([]);
  });
});
