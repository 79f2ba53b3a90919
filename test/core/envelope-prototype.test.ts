/**
 * `__proto__`, `constructor` and `prototype` keys in a body stay plain data: no prototype is
 * polluted by decoding, validating, running or logging the job.
 */
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeEnvelope } from '../../src/envelope.ts';
import { defineJob } from '../../src/job.ts';
import { createJsonLogger } from '../../src/logger.ts';
import { sanitize } from '../../src/redact.ts';
import { delivery, testPipeline } from './helpers.ts';

const HOSTILE_PAYLOAD = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"nested":{"__proto__":{"polluted":"yes"}},"list":[{"__proto__":{"polluted":"yes"}}]}';
const hostileBody = `{"v":1,"id":"a","name":"loose","payload":${HOSTILE_PAYLOAD},"createdAt":"2030-01-01T00:00:00.000Z","__proto__":{"polluted":"yes"}}`;
const prototypeNames = () => [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).sort());
const before = prototypeNames();

function expectClean() {
  expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  expect(([] as unknown as { polluted?: unknown }).polluted).toBeUndefined();
  expect(prototypeNames()).toEqual(before);
}

afterEach(() => {
  expectClean();
});

describe('prototype keys', () => {
  it('decode keeps them as own data fields', () => {
    const result = decodeEnvelope(hostileBody, 1_048_576);

    expect(result.ok).toBe(true);
    const envelope = result.ok ? result.envelope : undefined;
    expect(Object.hasOwn(envelope!, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(envelope)).toBe(Object.prototype);
    expect(Object.hasOwn(envelope!.payload as object, '__proto__')).toBe(true);
  });

  it('an envelope whose fields sit only under __proto__ is not an envelope', () => {
    const text = '{"__proto__":{"v":1,"id":"a","name":"b","payload":1,"createdAt":"x"}}';

    expect(decodeEnvelope(text, 1024)).toMatchObject({ ok: false, reason: 'not-an-envelope', detail: 'v: missing' });
  });

  it.each([
    ['zod looseObject', z.looseObject({})],
    ['zod record', z.record(z.string(), z.unknown())],
    ['zod object with a constructor field', z.object({ constructor: z.object({ prototype: z.unknown() }) })],
    ['valibot looseObject', v.looseObject({})],
    ['valibot record', v.record(v.string(), v.unknown())],
  ])('validating, running and logging with %s pollutes nothing', async (_, schema) => {
    const lines: string[] = [];
    const seen: unknown[] = [];
    const job = defineJob({ name: 'loose', schema, logPayload: true, handler: (payload) => void seen.push(payload) });
    const { pipeline } = testPipeline([job], { logger: createJsonLogger({ level: 'debug', write: (l) => lines.push(l) }) });

    const outcome = await pipeline.run(delivery(hostileBody));

    expect(outcome.type).toBe('completed');
    expect(seen).toHaveLength(1);
    expect(lines.some((l) => l.includes('"__proto__"'))).toBe(true);
  });

  it('sanitize copies a __proto__ key as an own field', () => {
    const value = JSON.parse(HOSTILE_PAYLOAD) as object;

    const copy = sanitize(value, []) as Record<string, unknown>;

    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
  });
});
