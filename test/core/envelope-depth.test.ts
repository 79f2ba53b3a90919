/**
 * Nesting bound: JSON nested deeper than MAX_JSON_DEPTH is rejected before parsing, without a
 * RangeError anywhere (decode, pipeline, logger); brackets inside strings do not count.
 */
import { describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../src/envelope.ts';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../../src/json-guard.ts';
import { createJsonLogger } from '../../src/logger.ts';
import { delivery, echoJob, testPipeline } from './helpers.ts';

const LIMIT = 64 * 1024 * 1024;
const wrap = (payload: string) => `{"v":1,"id":"a","name":"echo","payload":${payload},"createdAt":"2030-01-01T00:00:00.000Z"}`;
const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('nesting depth', () => {
  it('accepts a payload nested exactly to the bound (the envelope is level 1)', () => {
    expect(decodeEnvelope(wrap(arrays(MAX_JSON_DEPTH - 1)), LIMIT).ok).toBe(true);
    expect(decodeEnvelope(wrap(objects(MAX_JSON_DEPTH - 1)), LIMIT).ok).toBe(true);
  });

  it('rejects one level more as too-deep', () => {
    expect(decodeEnvelope(wrap(arrays(MAX_JSON_DEPTH)), LIMIT)).toEqual({ ok: false, reason: 'too-deep', detail: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
  });

  it.each([
    ['5,000 nested arrays', wrap(arrays(5_000))],
    ['200,000 nested arrays', wrap(arrays(200_000))],
    ['5,000 nested objects', wrap(objects(5_000))],
    ['200,000 nested objects', wrap(objects(200_000))],
    ['200,000 openers only', '['.repeat(200_000)],
    ['alternating objects and arrays', wrap('[{"a":'.repeat(100_000) + '1' + '}]'.repeat(100_000))],
  ])('%s: too-deep, no RangeError', (_, text) => {
    expect(decodeEnvelope(text, LIMIT)).toMatchObject({ ok: false, reason: 'too-deep' });
    expect(decodeEnvelope(Buffer.from(text), LIMIT)).toMatchObject({ ok: false, reason: 'too-deep' });
  });

  it('does not count brackets inside strings', () => {
    const text = wrap(JSON.stringify({ a: '['.repeat(10_000), b: '{'.repeat(10_000), c: ['"[[[', '\\', '\\"{{{{'.repeat(5_000)] }));

    expect(decodeEnvelope(text, LIMIT).ok).toBe(true);
  });

  it('sees through escaped quotes: a bracket after an escaped quote is still inside the string', () => {
    const inString = JSON.stringify(`\\"${'['.repeat(100)}`);
    const afterString = `["\\\\"${',['.repeat(100)}${']'.repeat(100)}]`; // the string is a lone backslash

    expect(jsonDepthExceeds(inString, 64)).toBe(false);
    expect(jsonDepthExceeds(afterString, 64)).toBe(true);
  });

  it('a shallow body with many sibling brackets is not too deep', () => {
    expect(decodeEnvelope(wrap(`[${'[],'.repeat(50_000)}[]]`), LIMIT).ok).toBe(true);
  });

  it('through the pipeline and a real JSON logger: buried too-deep, one log line, no throw', async () => {
    const lines: string[] = [];
    const { pipeline } = testPipeline([echoJob()], { logger: createJsonLogger({ level: 'debug', write: (l) => lines.push(l) }), maxBodyBytes: LIMIT });

    const outcome = await pipeline.run(delivery(wrap(arrays(200_000))));

    expect(outcome).toMatchObject({ type: 'buried', reason: 'too-deep', envelope: undefined });
    expect(lines.map((l) => JSON.parse(l) as { event: string; reason: string })).toEqual([expect.objectContaining({ event: 'job.invalid', reason: 'too-deep' })]);
  });
});
