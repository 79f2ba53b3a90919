/**
 * The job every reliability suite runs: `ledger-task`. Its side effect is one `effect` line in
 * the ledger, written after the work, so a kill during the work leaves no effect and a kill
 * after it (before the ack) leaves one that a redelivery may repeat: exactly the window
 * at-least-once delivery opens.
 *
 * The effect line carries `ctx.idempotencyKey` (empty without idempotency): the ledger stands
 * for the system a handler calls, and counts what a system that honours idempotency keys would
 * have applied.
 *
 * Modes: `ok` works `workMs` then writes its effect; `ignore-abort` does the same but never
 * looks at its signal (a handler that overruns its timeout); `fail-once` throws on attempt 1.
 * `laterWorkMs` is the work of redeliveries.
 */
import { z } from 'zod';
import { defineJob, type AnyJob, type JobPolicy } from '../../../src/index.ts';
import type { LedgerWriter } from './ledger.ts';

export const LEDGER_TASK = 'ledger-task';

export const ledgerPayload = z.object({
  n: z.number().int().nonnegative(),
  workMs: z.number().int().nonnegative().max(600_000),
  mode: z.enum(['ok', 'ignore-abort', 'fail-once']).default('ok'),
  /** Work of attempts after the first (default workMs): a redelivery that finishes quickly. */
  laterWorkMs: z.number().int().nonnegative().max(600_000).optional(),
});
export type LedgerPayload = z.input<typeof ledgerPayload>;

export interface LedgerJobOptions extends Pick<JobPolicy, 'maxAttempts' | 'timeoutMs' | 'ttrSeconds' | 'backoff'> {
  /** Extra definition options (the idempotency option, once the core has it). */
  extra?: Record<string, unknown>;
}

export function ledgerJob(ledger: LedgerWriter, options: LedgerJobOptions = {}): AnyJob {
  return defineJob({
    name: LEDGER_TASK,
    schema: ledgerPayload,
    maxAttempts: options.maxAttempts ?? 25,
    timeoutMs: options.timeoutMs ?? 10_000,
    ttrSeconds: options.ttrSeconds,
    backoff: options.backoff ?? { type: 'fixed', delayMs: 200 },
    ...(options.extra ?? {}),
    async handler({ workMs, mode, laterWorkMs }, ctx) {
      ledger.write('start', ctx.id, ctx.attempt);
      if (mode === 'fail-once' && ctx.attempt === 1) throw new Error('fails on its first attempt');
      const work = ctx.attempt > 1 ? (laterWorkMs ?? workMs) : workMs;
      if (work > 0) await pause(work, mode === 'ignore-abort' ? undefined : ctx.signal);
      // The key goes along, as a payment provider's Idempotency-Key would (set only with idempotency on).
      ledger.write('effect', ctx.id, ctx.attempt, ctx.idempotencyKey ?? '');
    },
  } as Parameters<typeof defineJob>[0]);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Work of job `n`, scattered over [min, max] by a multiplicative hash: parent and child agree. */
export function spread(n: number, min: number, max: number): number {
  return max <= min ? min : min + (Math.imul(n + 1, 2_654_435_761) >>> 0) % (max - min + 1);
}

/** Job ids the harness can read back: `job-000042`. */
export function jobIdOf(n: number): string {
  return `job-${String(n).padStart(6, '0')}`;
}

/** The envelope id of a body, or undefined when it is not an envelope. */
export function envelopeIdOf(body: string | Uint8Array): string | undefined {
  try {
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The definition a producer enqueues with: the same name and schema; it never runs in the parent. */
export const producerJob: AnyJob = defineJob({
  name: LEDGER_TASK,
  schema: ledgerPayload,
  handler() {
    throw new Error(`${LEDGER_TASK} runs in worker children only`);
  },
});
