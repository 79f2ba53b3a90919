/** Schema issues become one readable line: `path.to.field: message; other: message`. */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssues, validate } from '../../src/schema.ts';
import { body, delivery, testPipeline } from './helpers.ts';
import { defineJob } from '../../src/job.ts';

const issuesOf = async (schema: Parameters<typeof validate>[0], value: unknown) => {
  const result = await validate(schema, value);
  return result.ok ? 'ok' : result.issues;
};

describe('schema issues', () => {
  it('zod: nested paths with dots and [index], every issue, one line', async () => {
    const schema = z.object({ user: z.object({ email: z.email(), tags: z.array(z.string()) }), count: z.number() });

    const line = await issuesOf(schema, { user: { email: 'nope', tags: ['a', 2] }, count: 'x' });

    expect(line).toBe('user.email: Invalid email address; user.tags[1]: Invalid input: expected string, received number; count: Invalid input: expected number, received string');
  });

  it('valibot: the same shape of line', async () => {
    const schema = v.object({ user: v.object({ age: v.number() }), list: v.array(v.string()) });

    const line = await issuesOf(schema, { user: { age: '3' }, list: [1] });

    expect(line).toMatch(/^user\.age: Invalid type: Expected number but received "3"; list\[0\]: Invalid type: Expected string but received 1$/);
  });

  it('a root issue is (root)', async () => {
    expect(await issuesOf(z.string(), 5)).toBe('(root): Invalid input: expected string, received number');
  });

  it('path segments given as { key } objects are read', () => {
    expect(formatIssues([{ message: 'bad', path: [{ key: 'a' }, { key: 0 }, 'b'] }])).toBe('a[0].b: bad');
  });

  it('a message with line breaks stays on one line', () => {
    expect(formatIssues([{ message: 'first\nsecond\r\nthird', path: ['a'] }])).toBe('a: first second third');
  });

  it('more than 20 issues are counted, not listed', () => {
    const issues = Array.from({ length: 25 }, (_, i) => ({ message: 'bad', path: [i] }));

    const line = formatIssues(issues);

    expect(line.split('; ')).toHaveLength(21);
    expect(line.endsWith('; ... 5 more')).toBe(true);
  });

  it('the pipeline buries with exactly that line as the detail', async () => {
    const job = defineJob({ name: 'j', schema: z.object({ a: z.string(), b: z.object({ c: z.int() }) }), handler: () => {} });
    const { pipeline } = testPipeline([job]);

    const outcome = await pipeline.run(delivery(body('j', { a: 1, b: { c: 1.5 } })));

    expect(outcome).toMatchObject({ type: 'buried', reason: 'invalid-payload', detail: 'a: Invalid input: expected string, received number; b.c: Invalid input: expected int, received number' });
  });
});
