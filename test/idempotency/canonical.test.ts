/**
 * Canonical JSON and the payload key: key order does not matter, every distinct field counts
 * (`__proto__`, case variants), and the form matches RFC 8785 on its examples.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprintOf, sha256Hex } from '../../src/idempotency/canonical.ts';

/** The same JSON value with every object's keys in a random order. */
function shuffled(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, random));
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) Object.defineProperty(out, key, { value: shuffled((value as Record<string, unknown>)[key], random), enumerable: true, writable: true, configurable: true });
  return out;
}

/** The object with its first key upper-cased (or, if that changes nothing, suffixed). */
function renameFirst(value: object): object {
  const [first] = Object.keys(value);
  const renamed = first!.toUpperCase() === first ? `${first}_` : first!.toUpperCase();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k === first ? renamed : k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

describe('canonical JSON', () => {
  it('sorts keys by UTF-16 code units and writes no whitespace (RFC 8785 ordering)', () => {
    expect(canonicalJson({ b: [1, { z: null, a: true }], a: 'x', '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, 'ö': 4 })).toBe('{"\\r":2,"a":"x","b":[1,{"a":true,"z":null}],"ö":4,"€":1,"😀":3}');
  });

  it('writes numbers as JSON does: -0 is 0, exponents as ECMAScript prints them', () => {
    expect(canonicalJson([-0, 1e21, 1e-7, 0.1, 333333333.33333329, 2 ** 53])).toBe('[0,1e+21,1e-7,0.1,333333333.3333333,9007199254740992]');
  });

  it('reads a __proto__ field as data, and never touches the prototype', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":1},"a":1}') as object;
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"polluted":1},"a":1}');
    expect(canonicalJson({ a: 1 })).toBe('{"a":1}');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('keeps case-variant keys apart', async () => {
    expect(await fingerprintOf({ Id: 1, id: 2 })).not.toBe(await fingerprintOf({ Id: 2, id: 1 }));
    expect(canonicalJson({ id: 1, Id: 2, ID: 3 })).toBe('{"ID":3,"Id":2,"id":1}');
  });

  it('rejects what JSON cannot carry: a cycle, a BigInt', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(/cycle/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint is not a JSON value/);
  });

  it('hashes with SHA-256 over UTF-8', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex('\u00e9')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });

  it('property: any JSON value and any reordering of its keys have the same canonical form; JSON.parse of it is the value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        let s = seed;
        const random = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
        const text = canonicalJson(value);
        expect(canonicalJson(shuffled(value, random))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });

  it('property: two JSON values have the same canonical form exactly when they are deep-equal', () => {
    const norm = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    // Pairs that are equal, nearly equal (one field changed or renamed in case) or unrelated.
    const pair = fc.jsonValue().chain((a) =>
      fc.tuple(
        fc.constant(a),
        fc.oneof(
          fc.constant(a),
          fc.jsonValue(),
          fc.constant(typeof a === 'object' && a !== null && !Array.isArray(a) && Object.keys(a).length > 0 ? renameFirst(a) : [a]),
        ),
      ),
    );
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(canonicalJson(a) === canonicalJson(b)).toBe(isDeepStrictEqual(norm(a), norm(b)));
      }),
      { numRuns: 500 },
    );
  });
});
