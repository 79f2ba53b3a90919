/**
 * A log record may hold anything a handler passes to ctx.logger: depth bombs, cycles, wide
 * self-references, hostile getters and proxies. Every logger writes a bounded line and never
 * throws; sanitize() does the work, in bounded time.
 */
import { Writable } from 'node:stream';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { fromPino, fromPowertools } from '../../src/logger-adapters.ts';
import { createJsonLogger, createMemoryLogger, type Logger } from '../../src/logger.ts';
import { sanitize } from '../../src/redact.ts';
import { body, delivery, echoJob, testPipeline } from './helpers.ts';

function depthBomb(depth: number): unknown {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

function cycle(): unknown {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  a.list = [a, { back: a }];
  return a;
}

/** 100 keys that all point back at the object: 100^8 paths for a walk that only bounds depth. */
function wideSelfReference(): unknown {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < 100; i++) o[`k${i}`] = o;
  return o;
}

/** A DAG: each level's 50 keys share one child, 40 levels deep (50^40 paths, 40 objects). */
function sharedDag(): unknown {
  let child: Record<string, unknown> = { leaf: 1 };
  for (let level = 0; level < 40; level++) {
    const parent: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) parent[`k${i}`] = child;
    child = parent;
  }
  return child;
}

const hostileProxy = () =>
  new Proxy({}, {
    ownKeys: () => {
      throw new Error('ownKeys trap');
    },
  });

const hostileGetter = () =>
  Object.defineProperty({}, 'boom', {
    enumerable: true,
    get: () => {
      throw new Error('getter trap');
    },
  });

const VALUES: Array<[string, () => unknown]> = [
  ['a 200,000-deep object', () => depthBomb(200_000)],
  ['a 200,000-deep array', () => { let a: unknown[] = []; for (let i = 0; i < 200_000; i++) a = [a]; return a; }],
  ['a cycle', cycle],
  ['a wide self-reference', wideSelfReference],
  ['a shared DAG', sharedDag],
  ['a proxy whose ownKeys throws', hostileProxy],
  ['an object whose getter throws', hostileGetter],
  ['a BigInt, a symbol and a function', () => ({ big: 10n ** 30n, sym: Symbol('s'), fn: () => 1 })],
  ['a 10 MB string', () => 'x'.repeat(10_000_000)],
  ['a million-element array', () => Array.from({ length: 1_000_000 }, (_, i) => i)],
  ['an error with a cause cycle', () => { const e = new Error('outer') as Error & { cause?: unknown }; e.cause = e; return e; }],
];

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  return { stream, chunks };
}

function loggers(): Array<[string, Logger, () => string]> {
  const json: string[] = [];
  const memory = createMemoryLogger('debug');
  const p = sink();
  const pinoLogger = fromPino(pino({ level: 'debug' }, p.stream));
  const powertools = new PowertoolsLogger({ serviceName: 'test', logLevel: 'DEBUG' });
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  return [
    ['createJsonLogger', createJsonLogger({ level: 'debug', write: (l) => json.push(l) }), () => json.join('\n')],
    ['createMemoryLogger', memory, () => JSON.stringify(memory.records)],
    ['fromPino', pinoLogger, () => p.chunks.join('')],
    ['fromPowertools', fromPowertools(powertools), () => written.join('')],
  ];
}

describe('hostile values in log records', () => {
  it.each(VALUES)('sanitize(%s) returns a bounded, JSON-safe copy', (_, make) => {
    const started = performance.now();

    const copy = sanitize({ value: make() }, []);
    const text = JSON.stringify(copy);

    expect(text.length).toBeLessThan(2_000_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it.each(VALUES)('every logger writes %s without throwing', (_, make) => {
    try {
      for (const [name, logger, output] of loggers()) {
        expect(() => logger.log('info', { event: 'app.hostile', value: make() }), name).not.toThrow();
        expect(output(), name).toContain('app.hostile');
      }
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('a cycle is marked, not unrolled', () => {
    const copy = sanitize(cycle(), []) as Record<string, unknown>;

    expect(copy).toEqual({ name: 'a', self: '[cycle]', list: ['[cycle]', { back: '[cycle]' }] });
  });

  it('a value shared by two fields (not a cycle) is copied in both', () => {
    const shared = { x: 1 };

    expect(sanitize({ a: shared, b: shared }, [])).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('through a handler: ctx.logger with a cyclic depth bomb does not fail the job', async () => {
    const lines: string[] = [];
    const { pipeline } = testPipeline([echoJob({ handler: (_p, ctx) => ctx.logger.log('info', { event: 'app.step', a: cycle(), b: depthBomb(100_000), c: wideSelfReference() }) })], {
      logger: createJsonLogger({ level: 'info', write: (l) => lines.push(l) }),
    });

    const outcome = await pipeline.run(delivery(body('echo', { n: 1 })));

    expect(outcome.type).toBe('completed');
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'app.step', job: 'echo', jobId: 'job-1' });
  });
});
