/**
 * createQueue: the payload and the options are checked BEFORE anything is sent; a spy service
 * built on the memory adapter sees no enqueue call for bad input, and bad data never enters.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { decodeEnvelope } from '../../src/envelope.ts';
import { JobferryError, TransportError, UnsupportedError, ValidationError } from '../../src/errors.ts';
import { defineJob } from '../../src/job.ts';
import { createQueue } from '../../src/queue.ts';
import { echoJob, spyService } from './helpers.ts';

function setup(limits: { maxBodyBytes?: number } = {}, features?: { dedupe: boolean; groups: boolean; priority: boolean }) {
  const service = spyService(createMemoryService({ maxBodyBytes: limits.maxBodyBytes }), { features });
  return { service, queue: createQueue({ service, jobs: [echoJob()] }) };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('enqueue validation', () => {
  it('sends a valid payload as an envelope the pipeline decodes', async () => {
    const { service, queue } = setup();

    const { id, deduplicated } = await queue.enqueue(echoJob(), { n: 1, text: 'hi' }, { id: 'fixed', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });

    expect([id, deduplicated]).toEqual(['fixed', false]);
    const [sent] = service.callsOf('enqueue')[0]!.args[0] as Array<{ body: string }>;
    expect(decodeEnvelope(sent!.body, 1_048_576)).toMatchObject({ ok: true, envelope: { id: 'fixed', name: 'echo', payload: { n: 1, text: 'hi' } } });
  });

  it('enqueues by name through the jobs it was given', async () => {
    const { queue } = setup();

    await expect(queue.enqueue('echo', { n: 1 })).resolves.toMatchObject({ deduplicated: false });
    const error = await rejection(queue.enqueue('nope', {}));
    expect(error).toBeInstanceOf(JobferryError);
    expect(error.message).toBe('[memory] enqueue failed: unknown job "nope" (known: echo)');
  });

  it('refuses an invalid payload with the schema issues, sending nothing', async () => {
    const { service, queue } = setup();

    const error = await rejection(queue.enqueue(echoJob(), { n: 'one' } as never));

    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('[memory] enqueue of job echo rejected: invalid payload: n: Invalid input: expected number, received string');
    expect((error as ValidationError).issues).toBe('n: Invalid input: expected number, received string');
    expect(service.callsOf('enqueue')).toEqual([]);
  });

  it.each([
    ['a BigInt', z.object({ n: z.bigint() }), { n: 1n }],
    ['a cycle', z.looseObject({}), (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })()],
  ])('refuses a payload JSON cannot carry (%s) with a ValidationError, not a crash', async (_, schema, payload) => {
    const job = defineJob({ name: 'j', schema, handler: () => {} });
    const { service, queue } = setup();

    const error = await rejection(queue.enqueue(job, payload as never));

    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/^\[memory\] enqueue of job j rejected: payload is not JSON-serialisable: /);
    expect(service.callsOf('enqueue')).toEqual([]);
  });

  it('refuses a payload JSON would drop (undefined at the top), which the consumer could never decode', async () => {
    const job = defineJob({ name: 'j', schema: z.unknown(), handler: () => {} });
    const { service, queue } = setup();

    for (const payload of [undefined, () => 1, Symbol('s')]) {
      const error = await rejection(queue.enqueue(job, payload));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toMatch(/payload is not JSON-serialisable: a top-level (undefined|function|symbol) has no JSON form/);
    }
    expect(service.callsOf('enqueue')).toEqual([]);
  });

  it('refuses a body larger than the adapter takes, naming the limit', async () => {
    const { service, queue } = setup({ maxBodyBytes: 200 });

    const error = await rejection(queue.enqueue(echoJob(), { n: 1, text: 'x'.repeat(200) }));

    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('[memory] enqueue of job echo rejected: encoded job is larger than the 200 bytes memory accepts');
    expect(service.callsOf('enqueue')).toEqual([]);
  });

  it('refuses a payload nested deeper than the consumer accepts', async () => {
    const job = defineJob({ name: 'j', schema: z.unknown(), handler: () => {} });
    const { service, queue } = setup();
    let deep: unknown = 1;
    for (let i = 0; i < 64; i++) deep = [deep];

    expect((await rejection(queue.enqueue(job, deep))).message).toMatch(/payload is nested deeper than 63 levels/);
    expect(service.callsOf('enqueue')).toEqual([]);
  });

  it.each([
    ['groupKey', { groupKey: 'g' }],
    ['priority', { priority: 1 }],
  ])('%s on an adapter without it: UnsupportedError naming the adapter, nothing sent', async (ability, options) => {
    const { service, queue } = setup({}, { dedupe: true, groups: false, priority: false });

    const error = await rejection(queue.enqueue(echoJob(), { n: 1 }, options));

    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error.message).toMatch(new RegExp(`^\\[memory\\] ${ability} is not supported: `));
    expect(service.callsOf('enqueue')).toEqual([]);
  });

  it.each([
    ['an empty id', { id: '' }, /id: must be a non-empty string/],
    ['an id over 256 characters', { id: 'i'.repeat(257) }, /id: longer than 256 characters/],
    ['a dedupeKey over 1024 characters', { dedupeKey: 'd'.repeat(1025) }, /dedupeKey: must be a string of at most 1024 characters/],
    ['a groupKey that is not a string', { groupKey: 5 as never }, /groupKey: must be a string/],
    ['a traceparent over 1024 characters', { traceparent: 't'.repeat(1025) }, /traceparent: must be a string of at most 1024 characters/],
  ])('refuses %s, which would make a body the consumer buries as not-an-envelope', async (_, options, message) => {
    const { service, queue } = setup();

    const error = await rejection(queue.enqueue(echoJob(), { n: 1 }, options));

    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
    expect(service.callsOf('enqueue')).toEqual([]);
  });

  it('reports a dedupe hit', async () => {
    const { queue } = setup();

    await queue.enqueue(echoJob(), { n: 1 }, { dedupeKey: 'k' });

    expect(await queue.enqueue(echoJob(), { n: 2 }, { dedupeKey: 'k' })).toMatchObject({ deduplicated: true });
  });

  it('a transport refusal is thrown as the transport error', async () => {
    const { queue } = setup();

    const error = await rejection(queue.enqueue(echoJob(), { n: 1 }, { dedupeKey: '' }));

    expect(error).toBeInstanceOf(TransportError);
    expect(error.message).toMatch(/^\[memory\] enqueue of job .+ failed: dedupeKey must be a non-empty string/);
  });

  it('awaits an async schema before sending', async () => {
    const schema = { '~standard': { version: 1 as const, vendor: 'test', validate: async (value: unknown) => (value === 'ok' ? { value } : { issues: [{ message: 'not ok' }] }) } };
    const job = defineJob({ name: 'async', schema, handler: () => {} });
    const { service, queue } = setup();

    await expect(queue.enqueue(job, 'nope')).rejects.toThrow(/invalid payload: \(root\): not ok/);
    expect(service.callsOf('enqueue')).toEqual([]);
    await queue.enqueue(job, 'ok');
    expect(service.callsOf('enqueue')).toHaveLength(1);
  });
});
