/**
 * Outcome -> Cloud Tasks answer. The pipeline decided; this only carries it out:
 *
 *   completed -> 200
 *   buried    -> the job is stored in the dead-letter queue, then 200
 *   deferred  -> a new task for the rest of the delay (a hop), then 200
 *   retry     -> retryBy 'queue': 503 + Retry-After (the queue's RetryConfig backs off)
 *                retryBy 'job':   a new task delayed by the job's backoff, then 200
 *
 * Whenever the dead-letter queue or the new task cannot be written, the answer is 503: the
 * queue delivers the task again, so nothing is lost.
 */
import { describeError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';
import type { Outcome } from '../../src/outcome.ts';
import type { JobService, ReservedJob } from '../../src/service.ts';
import type { PushServiceSource, PushSettings } from './push-options.ts';

export interface PushAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Close the connection after answering (the request body may be unread). */
  readonly close?: boolean;
}

export interface OutcomeContext {
  readonly settings: PushSettings;
  readonly logger: Logger;
  readonly queue: string;
  readonly getService: () => Promise<JobService>;
}

export interface PushedTask {
  readonly body: Uint8Array;
  readonly attempt: number;
  readonly taskName: string | undefined;
}

const JSON_TYPE = { 'content-type': 'application/json' };
// Completed is by far the most frequent answer: built once.
const COMPLETED: PushAnswer = { status: 200, headers: JSON_TYPE, body: '{"outcome":"completed"}' };

export function json(status: number, value: unknown, headers: Record<string, string> = {}): PushAnswer {
  return { status, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(value) };
}

/** The service, created once at the first need (a factory keeps the SDK unloaded until then). */
export function createServiceGetter(source: PushServiceSource): () => Promise<JobService> {
  let service: Promise<JobService> | undefined;
  return () => {
    service ??= Promise.resolve()
      .then(() => (typeof source === 'function' ? source() : source))
      .catch((error: unknown) => {
        service = undefined; // a failed start-up is tried again at the next need
        throw error;
      });
    return service;
  };
}

/** The receipt of a pushed task: the 2xx answer acknowledges it, so bury and release only write. */
export function pushedJob(task: PushedTask): ReservedJob {
  const name = task.taskName ?? '';
  return { body: task.body, receipt: `push:${name}`, attempt: task.attempt, transportId: name };
}

/** The answer; synchronous unless the dead-letter queue or a new task must be written. */
export function answerOutcome(context: OutcomeContext, outcome: Outcome, task: PushedTask): PushAnswer | Promise<PushAnswer> {
  if (outcome.type === 'completed') return COMPLETED;
  if (outcome.type === 'retry' && context.settings.retryBy === 'queue') return retryAnswer(outcome.delayMs);
  return answerWithService(context, outcome, task);
}

function retryAnswer(delayMs: number): PushAnswer {
  return json(503, { outcome: 'retry', delayMs }, { 'retry-after': String(Math.max(0, Math.ceil(delayMs / 1000))) });
}

async function answerWithService(context: OutcomeContext, outcome: Exclude<Outcome, { type: 'completed' }>, task: PushedTask): Promise<PushAnswer> {
  switch (outcome.type) {
    case 'retry': {
      // retryBy 'job': a new task delayed by the job's own backoff, then 200.
      const rescheduled = await perform(context, task, 'release', async (service) => {
        if (typeof service.release !== 'function') throw new Error(`the ${service.adapter} service cannot re-create a task (no release)`);
        await service.release(pushedJob(task), Math.min(outcome.delayMs, service.limits.maxDelayMs));
      });
      if (rescheduled) return json(200, { outcome: 'retry', delayMs: outcome.delayMs, rescheduled: true });
      // The new task could not be created: the queue's own retry is the fallback.
      return retryAnswer(outcome.delayMs);
    }
    case 'buried': {
      const buried = await perform(context, task, 'bury', async (service) => {
        if (typeof service.bury !== 'function') throw new Error(`the ${service.adapter} service has no dead-letter queue (no bury)`);
        await service.bury(pushedJob(task), { reason: outcome.reason, detail: outcome.detail, attempt: task.attempt });
      });
      return buried ? json(200, { outcome: 'buried', reason: outcome.reason }) : json(503, { outcome: 'buried', error: 'the dead-letter queue could not be written' });
    }
    case 'deferred': {
      const envelope = outcome.envelope;
      const hopped = await perform(context, task, 'hop', async (service) => {
        const [sent] = await service.enqueue([{ id: envelope.id, name: envelope.name, body: new TextDecoder().decode(task.body), delayMs: Math.min(outcome.delayMs, service.limits.maxDelayMs) }]);
        if (sent === undefined || !sent.ok) throw sent?.error ?? new Error('enqueue returned no result');
      });
      return hopped ? json(200, { outcome: 'deferred', delayMs: outcome.delayMs }) : json(503, { outcome: 'deferred', error: 'the next hop could not be created' });
    }
  }
}

async function perform(context: OutcomeContext, task: PushedTask, what: string, op: (service: JobService) => Promise<void>): Promise<boolean> {
  try {
    await op(await context.getService());
    return true;
  } catch (error) {
    context.logger.log('error', {
      event: 'push.error',
      adapter: 'cloud-tasks',
      queue: context.queue,
      transportId: task.taskName,
      attempt: task.attempt,
      detail: `${what} failed; answering 503 so the queue delivers the task again`,
      error: describeError(error),
    });
    return false;
  }
}
