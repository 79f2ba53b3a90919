/**
 * Properties of decodeEnvelope over arbitrary input: it never throws, never pollutes a
 * prototype, and classifies every body (an envelope, or one of the stable reasons).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, type DecodeResult } from '../../src/envelope.ts';

const REASONS = ['body-too-large', 'malformed-json', 'too-deep', 'not-an-envelope', 'unsupported-version'];
const prototypeNames = () => [Object.prototype, Array.prototype].map((p) => Object.getOwnPropertyNames(p).join());
const clean = prototypeNames();

function expectClassified(result: DecodeResult) {
  if (result.ok) {
    expect(typeof result.envelope.id).toBe('string');
    expect(Object.hasOwn(result.envelope, 'payload')).toBe(true);
  } else {
    expect(REASONS).toContain(result.reason);
    expect(typeof result.detail).toBe('string');
    expect(result.detail.length).toBeGreaterThan(0);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(prototypeNames()).toEqual(clean);
}

const decodeSafely = (body: string | Uint8Array, limit: number) => {
  let result: DecodeResult | undefined;
  expect(() => (result = decodeEnvelope(body, limit))).not.toThrow();
  return result!;
};

/** JSON text (not values) so keys like __proto__ really occur in the text, at any depth. */
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'polluted', 'v', 'id', 'name', 'payload', 'createdAt', 'notBefore'), fc.string({ maxLength: 6 }));
const jsonText = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('null', 'true', 'false', '0', '-1.5e3', '1', '2', '"x"', '"[[{{"', '"\\"]"'),
    fc.string().map((s) => JSON.stringify(s)),
    fc.array(tie('node'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc.array(fc.tuple(key, tie('node')), { maxLength: 5 }).map((pairs) => `{${pairs.map(([k, n]) => `${JSON.stringify(k)}:${n}`).join(',')}}`),
  ),
})).node;

const envelopeLike = fc
  .record({
    v: fc.oneof(fc.constant(1), fc.constant(2), fc.constant('1')),
    id: fc.string({ maxLength: 300 }),
    name: fc.string({ maxLength: 10 }),
    payload: fc.jsonValue({ maxDepth: 4 }),
    createdAt: fc.constantFrom('2030-01-01T00:00:00.000Z', ''),
    notBefore: fc.constantFrom('2030-01-01T00:00:00.000Z', 'soon'),
    dedupeKey: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()),
  }, { requiredKeys: [] })
  .map((fields) => JSON.stringify(fields));

describe('decodeEnvelope over arbitrary input', () => {
  it('arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 400 }), (bytes, limit) => expectClassified(decodeSafely(bytes, limit))), { numRuns: 1_000 });
  });

  it('arbitrary strings, lone surrogates included', () => {
    // Any UTF-16 code unit (lone surrogates included), biased towards JSON's own characters.
    const unit = fc.oneof(fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', '1', 'v'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)));
    fc.assert(fc.property(fc.string({ unit, maxLength: 300 }), (text) => expectClassified(decodeSafely(text, 1_024))), { numRuns: 1_000 });
  });

  it('arbitrary JSON text with prototype keys at any depth', () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        const result = decodeSafely(text, 1_048_576);
        expectClassified(result);
        if (!result.ok && result.reason === 'malformed-json') throw new Error(`valid JSON classified malformed: ${text}`);
      }),
      { numRuns: 1_000 },
    );
  });

  it('arbitrary envelope-like objects: ok exactly when every field is right', () => {
    fc.assert(
      fc.property(envelopeLike, (text) => {
        const result = decodeSafely(text, 1_048_576);
        expectClassified(result);
        const o = JSON.parse(text) as Record<string, unknown>;
        const right =
          o.v === 1 &&
          typeof o.id === 'string' && o.id.length > 0 && o.id.length <= 256 &&
          typeof o.name === 'string' && o.name.length > 0 &&
          typeof o.createdAt === 'string' && o.createdAt.length > 0 &&
          'payload' in o &&
          (o.notBefore === undefined || o.notBefore !== 'soon') &&
          (o.dedupeKey === undefined || typeof o.dedupeKey === 'string');
        expect(result.ok).toBe(right);
        if (o.v !== undefined && o.v !== 1 && !result.ok) expect(result.reason).toBe('unsupported-version');
      }),
      { numRuns: 1_000 },
    );
  });

  it('every valid envelope round-trips, as text and as bytes', () => {
    const envelope = fc.record({
      v: fc.constant(1 as const),
      id: fc.string({ minLength: 1, maxLength: 256 }),
      name: fc.string({ minLength: 1, maxLength: 128 }),
      payload: fc.jsonValue({ maxDepth: 10 }),
      createdAt: fc.string({ minLength: 1, maxLength: 64 }),
    });
    fc.assert(
      fc.property(envelope, (e) => {
        const text = encodeEnvelope(e);
        const expected = JSON.parse(text) as unknown;
        expect(decodeSafely(text, 1_048_576)).toEqual({ ok: true, envelope: expected });
        expect(decodeSafely(Buffer.from(text), 1_048_576)).toEqual({ ok: true, envelope: expected });
      }),
      { numRuns: 300 },
    );
  });
});
