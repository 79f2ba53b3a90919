/**
 * Fixtures of the hazard suites: hostile JSON texts (fast-check), prototype snapshots, a logger
 * that keeps every line it writes (the JSON logger's real output) and every raw record, a
 * process-level crash trap, and the local app (startDev) on port 0 with hazard jobs.
 */
import fc from 'fast-check';
import { onTestFinished } from 'vitest';
import * as v from 'valibot';
import { z } from 'zod';
import { startDev, type DevApp } from '../../src/cli/dev.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { defineJob, type AnyJob } from '../../src/job.ts';
import { createJsonLogger, type Logger, type LogLevel, type LogRecord } from '../../src/logger.ts';

// ---------------------------------------------------------------- hostile JSON

/** Keys that mean something to a prototype chain or to Object.prototype's own methods. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', '__lookupSetter__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'] as const;

/** What an attacker puts under a hostile key: the classic pollution gadgets. */
const GADGETS = ['{"polluted":"yes"}', '{"prototype":{"polluted":"yes"}}', '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '"polluted"', 'null', '[{"__proto__":{"polluted":"yes"}}]'];

const leafText = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom('true', 'false', 'null'),
  fc.constantFrom(...GADGETS),
);
const keyText = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...HOSTILE_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });

/**
 * JSON text of an object with hostile keys at random depths (1..~12), written as text so that
 * `__proto__` stays an own key once parsed (an object literal would set the prototype instead).
 */
export const hostileObjectText: fc.Arbitrary<string> = fc.letrec<{ node: string; object: string; array: string }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafText, tie('object'), tie('array')),
  object: fc
    .array(fc.tuple(keyText, tie('node')), { maxLength: 5 })
    .map((entries) => `{${entries.map(([k, value]) => `${JSON.stringify(k)}:${value}`).join(',')}}`),
  array: fc.array(tie('node'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
})).object.map((inner) => `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"data":${inner}}`);

export function envelopeText(name: string, payloadText: string, id: string = crypto.randomUUID()): string {
  return `{"v":1,"id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"createdAt":"2030-01-01T00:00:00.000Z","payload":${payloadText},"__proto__":{"polluted":"yes"}}`;
}

/** `[[[...]]]` nested `depth` levels, built as text (a value that deep could not be stringified). */
export function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

// ---------------------------------------------------------------- prototypes

const PROTOTYPES: ReadonlyArray<[string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['Number.prototype', Number.prototype],
  ['Boolean.prototype', Boolean.prototype],
  ['Error.prototype', Error.prototype],
  ['Promise.prototype', Promise.prototype],
  ['Map.prototype', Map.prototype],
  ['RegExp.prototype', RegExp.prototype],
];

export type PrototypeSnapshot = Record<string, string[]>;

export function prototypeSnapshot(): PrototypeSnapshot {
  return Object.fromEntries(PROTOTYPES.map(([name, proto]) => [name, Reflect.ownKeys(proto).map(String).sort()]));
}

/** The pollutions since `before`: added keys on any prototype, or a `polluted` visible on a fresh object. */
export function pollutionsSince(before: PrototypeSnapshot): string[] {
  const now = prototypeSnapshot();
  const found: string[] = [];
  for (const [name, keys] of Object.entries(now)) {
    const added = keys.filter((k) => !before[name]!.includes(k));
    if (added.length > 0) found.push(`${name} gained ${added.join(', ')}`);
  }
  for (const [what, value] of [['{}', {}], ['[]', []], ['() => {}', () => {}], ['Object.create(Object.prototype)', Object.create(Object.prototype)]] as const) {
    if ((value as { polluted?: unknown }).polluted !== undefined) found.push(`${what}.polluted is visible`);
  }
  return found;
}

// ---------------------------------------------------------------- logs and crashes

export interface CapturingLogger extends Logger {
  /** Every line the JSON logger wrote, exactly as written. */
  readonly lines: string[];
  /** Every record handed to the logger, unsanitised (what a pino or Powertools adapter would get), as JSON. */
  readonly raw: string[];
  /** Everything written and handed over, as one text. */
  text(): string;
  waitFor(check: (record: LogRecord) => boolean): Promise<LogRecord>;
  count(event: string): number;
}

/** A JSON logger at `debug` whose output is kept, plus the raw records it was given. */
export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  const raw: string[] = [];
  const records: LogRecord[] = [];
  const json = createJsonLogger({ level: 'debug', write: (line) => void lines.push(line) });
  const waiters: Array<{ check: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }> = [];
  return {
    lines,
    raw,
    isEnabled: json.isEnabled,
    log(level: LogLevel, record: LogRecord) {
      raw.push(rawJson(record));
      records.push(record);
      json.log(level, record);
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!.check(record)) waiters.splice(i, 1)[0]!.resolve(record);
    },
    text: () => `${lines.join('\n')}\n${raw.join('\n')}`,
    waitFor(check) {
      const seen = records.find(check);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ check, resolve }));
    },
    count: (event) => records.filter((r) => r.event === event).length,
  };
}

/** JSON of a raw record; a value JSON.stringify refuses is shown by its String form. */
function rawJson(record: LogRecord): string {
  try {
    return JSON.stringify(record, (_k, value: unknown) => (typeof value === 'bigint' ? String(value) : value)) ?? '';
  } catch (error) {
    return `[raw record not serialisable: ${String(error)}]`;
  }
}

/** Collects uncaught exceptions and unhandled rejections until the test ends. */
export function crashTrap(): { readonly crashes: string[] } {
  const crashes: string[] = [];
  const onError = (error: unknown) => void crashes.push(`uncaught: ${String(error)}`);
  const onRejection = (reason: unknown) => void crashes.push(`unhandled rejection: ${String(reason)}`);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onRejection);
  onTestFinished(() => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onRejection);
  });
  return { crashes };
}

// ---------------------------------------------------------------- jobs and the local app

/** Jobs that take any object (zod loose, valibot loose, a free record), one with idempotency, all logging payloads. */
export function hazardJobs(): AnyJob[] {
  const handler = (payload: unknown) => ({ echoed: payload, spread: { ...(payload as object) }, clone: structuredClone(payload) });
  return [
    defineJob({ name: 'zod-loose', schema: z.looseObject({}), logPayload: true, handler }),
    defineJob({ name: 'valibot-loose', schema: v.looseObject({}), logPayload: true, handler }),
    defineJob({ name: 'zod-record', schema: z.record(z.string(), z.unknown()), logPayload: true, handler }),
    defineJob({ name: 'idempotent', schema: z.looseObject({}), logPayload: true, idempotency: { store: createMemoryIdempotencyStore() }, handler }),
  ];
}

export async function startHazardApp(jobs: AnyJob[], logger: Logger, overrides: Record<string, unknown> = {}): Promise<DevApp> {
  const app = await startDev({ jobs: new Map(jobs.map((j) => [j.name, j])), port: 0, host: '127.0.0.1', overrides: { adapter: 'memory', ...overrides }, logger });
  onTestFinished(() => app.close());
  return app;
}

export async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, text: await res.text() };
}
