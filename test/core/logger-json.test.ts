/** The default logger: one JSON object per line, a level threshold, base fields, redaction. */
import { describe, expect, it } from 'vitest';
import { createJsonLogger, createMemoryLogger, withFields, type JsonLoggerOptions } from '../../src/logger.ts';

function capture(options: JsonLoggerOptions = {}) {
  const lines: string[] = [];
  const logger = createJsonLogger({ now: () => Date.UTC(2030, 0, 1), write: (l) => lines.push(l), ...options });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createJsonLogger', () => {
  it('writes one JSON object per line: time, level, then the record', () => {
    const { logger, lines } = capture();

    logger.log('info', { event: 'job.completed', job: 'a', durationMs: 3 });

    expect(lines).toEqual(['{"time":"2030-01-01T00:00:00.000Z","level":"info","event":"job.completed","job":"a","durationMs":3}']);
  });

  it('a record with line breaks in its strings still makes one line', () => {
    const { logger, lines } = capture();

    logger.log('info', { event: 'x', detail: 'a\nb' });

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ] as const)('at level %s writes %j', (level, written) => {
    const { logger, parsed } = capture({ level });

    for (const l of ['debug', 'info', 'warn', 'error'] as const) logger.log(l, { event: l });

    expect(parsed().map((r) => r.level)).toEqual(written);
    expect((['debug', 'info', 'warn', 'error'] as const).filter((l) => logger.isEnabled(l))).toEqual(written);
  });

  it('defaults to info', () => {
    expect(createJsonLogger({ write: () => {} }).isEnabled('debug')).toBe(false);
    expect(createJsonLogger({ write: () => {} }).isEnabled('info')).toBe(true);
  });

  it.each(['verbose', 'constructor', 'toString'])('refuses the level %j', (level) => {
    expect(() => createJsonLogger({ level: level as never })).toThrow(/log level must be one of debug, info, warn, error, silent/);
  });

  it('adds base fields to every line and redacts them too', () => {
    const { logger, parsed } = capture({ base: { service: 'billing', apiToken: 't' } });

    logger.log('info', { event: 'a' });

    expect(parsed()[0]).toMatchObject({ service: 'billing', apiToken: '[redacted]', event: 'a' });
  });

  it('redacts built-in secret names and redactKeys, at any depth', () => {
    const { logger, parsed } = capture({ redactKeys: ['ssn'] });

    logger.log('info', { event: 'a', user: { password: 'p', SSN: '1', api_key: 'k', name: 'n' }, authorization: 'Bearer x' });

    expect(parsed()[0]).toMatchObject({ user: { password: '[redacted]', SSN: '[redacted]', api_key: '[redacted]', name: 'n' }, authorization: '[redacted]' });
  });

  it('a record cannot forge the time or the level of its line', () => {
    const { logger, parsed } = capture();

    logger.log('warn', { event: 'a', level: 'debug', time: 'yesterday' });

    expect(parsed()[0]).toMatchObject({ level: 'warn', time: '2030-01-01T00:00:00.000Z' });
  });

  it('a write that throws does not reach the caller', () => {
    const logger = createJsonLogger({ write: () => { throw new Error('EPIPE'); } });

    expect(() => logger.log('error', { event: 'a' })).not.toThrow();
  });

  it('writes to stdout by default', async () => {
    const { vi } = await import('vitest');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      createJsonLogger().log('info', { event: 'to.stdout' });
      expect(String(write.mock.calls[0]?.[0])).toMatch(/"event":"to\.stdout"\}\n$/);
    } finally {
      write.mockRestore();
    }
  });
});

describe('withFields and createMemoryLogger', () => {
  it('withFields adds fields; the record wins on a clash', () => {
    const memory = createMemoryLogger();

    withFields(memory, { job: 'a', attempt: 1 }).log('info', { event: 'x', attempt: 2 });

    expect(memory.records).toEqual([{ job: 'a', attempt: 2, event: 'x', level: 'info' }]);
  });

  it('createMemoryLogger keeps sanitized records at or above its level', () => {
    const memory = createMemoryLogger('warn');

    memory.log('info', { event: 'skipped' });
    memory.log('error', { event: 'kept', token: 'secret' });

    expect(memory.records).toEqual([{ event: 'kept', token: '[redacted]', level: 'error' }]);
  });
});
