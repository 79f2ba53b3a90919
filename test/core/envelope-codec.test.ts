/** The envelope codec: round trip, and a classified reason for every body that is not one. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkEnvelope, createEnvelope, decodeEnvelope, encodeEnvelope, ENVELOPE_VERSION, type Envelope } from '../../src/envelope.ts';

const LIMIT = 1_048_576;
const valid = (overrides: Record<string, unknown> = {}) => JSON.stringify({ v: 1, id: 'a', name: 'echo', payload: { n: 1 }, createdAt: '2030-01-01T00:00:00.000Z', ...overrides });
const reasonOf = (body: string | Uint8Array, limit = LIMIT) => {
  const result = decodeEnvelope(body, limit);
  return result.ok ? 'ok' : `${result.reason}: ${result.detail}`;
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('envelope round trip', () => {
  it('decodes what it encodes, every optional field included', () => {
    const envelope = createEnvelope('send-email', { to: 'a@example.com', tags: ['x', 'é 🚀'], n: 1.5, none: null }, {
      id: 'id-1',
      now: Date.UTC(2030, 0, 1),
      notBefore: Date.UTC(2030, 0, 2),
      dedupeKey: 'd',
      groupKey: 'g',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });

    const decoded = decodeEnvelope(encodeEnvelope(envelope), LIMIT);

    expect(decoded).toEqual({ ok: true, envelope });
    expect(envelope).toMatchObject({ v: ENVELOPE_VERSION, createdAt: '2030-01-01T00:00:00.000Z', notBefore: '2030-01-02T00:00:00.000Z' });
  });

  it('leaves absent options out of the body', () => {
    const text = encodeEnvelope(createEnvelope('a', 1, { id: 'x', now: 0 }));

    expect(JSON.parse(text)).toEqual({ v: 1, id: 'x', name: 'a', payload: 1, createdAt: '1970-01-01T00:00:00.000Z' });
  });

  it('gives each envelope a fresh UUID by default', () => {
    const [a, b] = [createEnvelope('a', 1), createEnvelope('a', 1)];

    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
  });

  it('decodes UTF-8 bytes like the string they encode', () => {
    const text = valid({ payload: { text: 'héllo 日本 🚀' } });

    expect(decodeEnvelope(new TextEncoder().encode(text), LIMIT)).toEqual(decodeEnvelope(text, LIMIT));
    expect(decodeEnvelope(Buffer.from(text), LIMIT).ok).toBe(true);
  });

  it('ignores unknown top-level fields (version 1 consumers)', () => {
    expect(decodeEnvelope(valid({ extra: true }), LIMIT).ok).toBe(true);
  });

  it('encoding a value JSON cannot carry throws a TypeError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;

    expect(() => encodeEnvelope(createEnvelope('a', { n: 1n }))).toThrow(TypeError);
    expect(() => encodeEnvelope(createEnvelope('a', cyclic))).toThrow(TypeError);
  });
});

describe('decode failures', () => {
  it('body-too-large: counted in UTF-8 bytes, decided before parsing', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const text = valid({ payload: 'é'.repeat(100) });
    const bytes = Buffer.byteLength(text);

    expect(reasonOf(text, bytes)).toBe('ok');
    parse.mockClear();
    expect(reasonOf(text, bytes - 1)).toBe(`body-too-large: body is larger than ${bytes - 1} bytes`);
    expect(reasonOf(new TextEncoder().encode(text), bytes - 1)).toMatch(/^body-too-large/);
    expect(reasonOf('x'.repeat(11), 10)).toMatch(/^body-too-large/);
    expect(parse).not.toHaveBeenCalled();
  });

  it.each([
    ['', 'malformed-json'],
    ['{', 'malformed-json'],
    ['{"v":1,', 'malformed-json'],
    ["{'v':1}", 'malformed-json'],
    ['\uFEFF{"v":1}', 'malformed-json'],
    ['null', 'not-an-envelope'],
    ['42', 'not-an-envelope'],
    ['"text"', 'not-an-envelope'],
    ['[1,2]', 'not-an-envelope'],
    ['{}', 'not-an-envelope'],
    ['{"v":2,"id":"a","name":"b","payload":1,"createdAt":"x"}', 'unsupported-version'],
    ['{"v":"1","id":"a","name":"b","payload":1,"createdAt":"x"}', 'unsupported-version'],
  ])('%j -> %s', (text, reason) => {
    const result = decodeEnvelope(text, LIMIT);

    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok === false && result.detail.length).toBeGreaterThan(0);
  });

  it('not-an-envelope names every wrong field', () => {
    const text = valid({ id: '', name: 7, createdAt: undefined, payload: undefined, dedupeKey: 5, groupKey: 'g'.repeat(1025), notBefore: 'soon', traceparent: {} });

    expect(reasonOf(text)).toBe(
      'not-an-envelope: id: must be a non-empty string; name: must be a non-empty string; createdAt: must be a non-empty string; payload: missing; ' +
        'dedupeKey: must be a string of at most 1024 characters; groupKey: must be a string of at most 1024 characters; traceparent: must be a string of at most 1024 characters; notBefore: must be an ISO 8601 time',
    );
  });

  it('not-an-envelope for fields over their length bounds', () => {
    expect(reasonOf(valid({ id: 'i'.repeat(257) }))).toBe('not-an-envelope: id: longer than 256 characters');
    expect(reasonOf(valid({ name: 'n'.repeat(129) }))).toBe('not-an-envelope: name: longer than 128 characters');
  });

  it('a null payload is a payload; a missing one is not', () => {
    expect(reasonOf(valid({ payload: null }))).toBe('ok');
    const { payload: _, ...rest } = JSON.parse(valid()) as Envelope;
    expect(reasonOf(JSON.stringify(rest))).toBe('not-an-envelope: payload: missing');
  });

  it('invalid UTF-8 bytes are malformed-json', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode(valid().slice(0, -2)), 0xc3, 0x28, 0x22, 0x7d]);

    expect(reasonOf(bytes)).toBe('malformed-json: body is not valid UTF-8');
    expect(reasonOf(new Uint8Array([0xff, 0xfe, 0xfd]))).toBe('malformed-json: body is not valid UTF-8');
  });

  it('a body that is neither a string nor bytes is not-an-envelope', () => {
    for (const body of [undefined, null, 42, {}, new ArrayBuffer(4)]) {
      expect(reasonOf(body as unknown as string)).toMatch(/^not-an-envelope: body must be a string or bytes/);
    }
  });

  it('the malformed-json detail is bounded', () => {
    const result = decodeEnvelope(`{"v":1,"x":${'1'.repeat(5000)}`, LIMIT);

    expect(result.ok === false && result.detail.length).toBeLessThanOrEqual(200);
  });

  it('checkEnvelope reads own properties only', () => {
    const inherited = Object.create({ v: 1, id: 'a', name: 'b', payload: 1, createdAt: 'x' }) as unknown;

    expect(checkEnvelope(inherited)).toMatchObject({ ok: false, reason: 'not-an-envelope', detail: 'v: missing' });
  });
});
