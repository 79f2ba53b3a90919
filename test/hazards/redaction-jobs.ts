/**
 * The jobs of the redaction suites: one handler that does what the payload's `mode` says
 * (succeed, fail once, fail permanently, fail always, log its own payload), with logPayload on
 * and the secretFields of secrets.ts; a twin with idempotency, for duplicates.
 */
import { z } from 'zod';
import { PermanentError } from '../../src/errors.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { defineJob, type AnyJob } from '../../src/job.ts';
import { SECRET_FIELDS } from './secrets.ts';

export const MODES = ['succeed', 'retry-once', 'permanent', 'exhaust', 'invalid', 'logs-own-payload'] as const;
export type Mode = (typeof MODES)[number];

/** One job whose handler does what the payload's `mode` says; another with idempotency (duplicates). */
export function redactionJobs(): AnyJob[] {
  const handler = (payload: { mode: Mode }, ctx: { attempt: number; logger: { log: (l: 'info', r: { event: string; [k: string]: unknown }) => void } }) => {
    switch (payload.mode) {
      case 'retry-once':
        if (ctx.attempt === 1) throw new Error('the card network timed out');
        return 'ok';
      case 'permanent':
        throw new PermanentError('the card was declined');
      case 'exhaust':
        throw new Error('the bank is down');
      case 'logs-own-payload':
        ctx.logger.log('info', { event: 'handler.payload', payload, nested: { copy: payload } });
        return 'ok';
      default:
        return 'ok';
    }
  };
  const schema = z.looseObject({ kind: z.literal('ok'), mode: z.enum(MODES) });
  const common = { schema, logPayload: true, secretFields: [...SECRET_FIELDS], maxAttempts: 2, backoff: { type: 'fixed' as const, delayMs: 1 } };
  return [
    defineJob({ name: 'pay', ...common, handler }),
    defineJob({ name: 'pay-once', ...common, idempotency: { store: createMemoryIdempotencyStore() }, handler }),
  ];
}

export const expectedEnd: Record<Mode, string> = {
  succeed: 'completed',
  'retry-once': 'completed',
  permanent: 'buried:permanent-error',
  exhaust: 'buried:attempts-exhausted',
  invalid: 'buried:invalid-payload',
  'logs-own-payload': 'completed',
};

/** The payload as sent: mode `invalid` breaks the schema (kind) but keeps its secrets. */
export function sent(payload: Record<string, unknown>, mode: Mode): Record<string, unknown> {
  return mode === 'invalid' ? Object.assign(payload, { kind: 'not-ok', mode: 'succeed' }) : payload;
}
