/**
 * Continuations in the pipeline: the step around the handler call for jobs defined with
 * `continuation`. One logical job (a chain, keyed by its envelope id) runs as a series of
 * short deliveries (links); the chain store holds its checkpoint and a lease on the link.
 *
 *   claim(chain) acquired -> run the handler with ctx.continuation (latest checkpoint, budget)
 *       continueFrom(cp)  -> save(cp), end the lease -> deferred 0 ms: the SAME body is sent
 *                            again (every adapter does this for `deferred`), and its delivery
 *                            reads the checkpoint from the store
 *       any other result  -> finish(done) -> completed
 *       retry             -> lease ended (kept when timed out) -> retry from the last checkpoint
 *       buried            -> finish(failed) -> buried
 *   claim locked          -> completed, not run: a live link holds the chain and will hand
 *                            over itself. This is how a copy (a redelivery, a restart that
 *                            raced a slow link) merges back into one line of deliveries.
 *   chain done            -> completed, not run (a late copy)
 *   store error           -> retry with the job's backoff
 *
 * A link that dies loses only the work since its last checkpoint: its lease ends, its
 * message is redelivered, and the redelivery continues from the store. A chain whose message
 * is lost for good is found by checkChains() (health.ts) and sent again.
 *
 * `runLink` never rejects: every failure is an Outcome.
 */
import type { StepContext } from '../step.ts';
import { backoffDelayMs } from '../backoff.ts';
import { describeError, timedOut } from '../errors.ts';
import { exceedsBytes, jsonDepthExceeds, MAX_JSON_DEPTH } from '../json-guard.ts';
import type { Outcome } from '../outcome.ts';
import { isContinue, type ContinuationContext } from './continue.ts';
import { ContinuationError } from './errors.ts';
import type { ContinuationSettings } from './options.ts';
import { MAX_CHAIN_BODY_BYTES, MAX_CHECKPOINT_BYTES, type ChainClaim, type ChainProgress, type ChainRecord } from './store.ts';

export interface ChainRun extends StepContext {
  readonly settings: ContinuationSettings;
  /** The pipeline's execute step, with ctx.continuation. */
  execute(continuation: ContinuationContext): Outcome | Promise<Outcome>;
}

export async function runLink(run: ChainRun): Promise<Outcome> {
  const { settings, envelope, job, delivery } = run;
  const store = settings.store;
  const chainId = envelope.id;
  const startedAt = run.now();
  try {
    let claim: ChainClaim;
    try {
      claim = await store.claim(chainId, { job: job.name, body: bodyText(delivery.body), leaseMs: settings.leaseMs, stallAfterMs: settings.stallAfterMs, retentionMs: settings.retentionMs });
    } catch (error) {
      return storeFailure(run, error, 'claim', startedAt);
    }
    if (claim.status === 'locked') {
      run.log('info', 'chain.merged', { outcome: 'completed', reason: 'chain-locked', chain: chainId, detail: 'a live link holds this chain and hands over itself: this copy is dropped' });
      return { type: 'completed', envelope, durationMs: run.now() - startedAt, result: undefined, duplicate: true };
    }
    if (claim.status === 'done') {
      run.log('info', 'job.duplicate', { outcome: 'completed', reason: 'chain-done', chain: chainId, detail: 'the chain is done: this copy is dropped' });
      return { type: 'completed', envelope, durationMs: run.now() - startedAt, result: parseText(claim.record.result), duplicate: true };
    }
    if (claim.status !== 'acquired') return storeFailure(run, new Error(`claim returned an unknown status ${JSON.stringify((claim as { status?: unknown }).status)}`), 'claim', startedAt);
    const { token, record } = claim;
    const outcome = await run.execute(contextOf(run, record, token, startedAt));
    return await afterLink(run, outcome, token, record, startedAt);
  } catch (error) {
    return storeFailure(run, error, 'continuation', startedAt);
  }
}

function contextOf(run: ChainRun, record: ChainRecord, token: string, startedAt: number): ContinuationContext {
  const { settings, job, delivery, now } = run;
  const deadline = Math.min(startedAt + job.timeoutMs, delivery.deadline ?? Infinity) - settings.marginMs;
  const budgetEndsAt = Math.min(deadline, settings.budgetMs === undefined ? Infinity : startedAt + settings.budgetMs);
  return Object.freeze({
    chainId: record.id,
    checkpoint: parseText(record.checkpoint),
    link: record.link,
    progress: record.progress,
    budgetEndsAt,
    shouldYield: () => now() >= budgetEndsAt,
    timeLeftMs: () => budgetEndsAt - now(),
    async save(checkpoint: unknown, progress?: ChainProgress) {
      const text = checkpointText(checkpoint);
      if (typeof text !== 'string') throw new ContinuationError(settings.store.name, 'save', text.why, { retryable: false });
      const saved = await settings.store.save(record.id, token, { checkpoint: text, progress: progressOf(progress), release: false, leaseMs: settings.leaseMs });
      if (!saved) throw new ContinuationError(settings.store.name, 'save', `the lease on chain ${record.id} was lost (another delivery took over): stop this link`, { retryable: false });
    },
  });
}

async function afterLink(run: ChainRun, outcome: Outcome, token: string, record: ChainRecord, startedAt: number): Promise<Outcome> {
  const { settings, envelope } = run;
  const store = settings.store;
  const chainId = record.id;
  switch (outcome.type) {
    case 'completed': {
      if (isContinue(outcome.result)) {
        const text = checkpointText(outcome.result.checkpoint);
        if (typeof text !== 'string') {
          await released(run, chainId, token);
          return run.bury('permanent-error', `continueFrom(checkpoint): ${text.why}`, { name: 'ContinuationError', message: text.why });
        }
        let saved: boolean;
        try {
          saved = await store.save(chainId, token, { checkpoint: text, progress: progressOf(outcome.result.progress), release: true });
        } catch (error) {
          await released(run, chainId, token);
          return storeFailure(run, error, 'save', startedAt);
        }
        if (!saved) {
          run.log('warn', 'chain.lease-lost', { outcome: 'completed', chain: chainId, detail: 'the lease ran out and another delivery took the chain over: this line stops, that one goes on' });
          return { type: 'completed', envelope, durationMs: outcome.durationMs, result: undefined, duplicate: true };
        }
        run.log('info', 'chain.continued', { outcome: 'deferred', chain: chainId, link: record.link + 1, durationMs: outcome.durationMs, progress: outcome.result.progress });
        return { type: 'deferred', envelope, delayMs: 0 };
      }
      const result = checkpointText(outcome.result);
      try {
        await store.finish(chainId, token, { state: 'done', result: typeof result === 'string' ? result : undefined });
      } catch (error) {
        return storeFailure(run, error, 'finish', startedAt);
      }
      return outcome;
    }
    case 'retry': {
      // A timed-out handler may still be running: its lease ends on its own, then the retry comes.
      if (!timedOut(outcome.error) && (await released(run, chainId, token))) return outcome;
      const left = Math.ceil(record.lockedUntil !== undefined ? record.lockedUntil - run.now() : 0);
      return left > outcome.delayMs ? { ...outcome, delayMs: left } : outcome;
    }
    case 'buried':
      try {
        await store.finish(chainId, token, { state: 'failed', reason: outcome.reason });
      } catch (error) {
        run.log('warn', 'chain.error', { chain: chainId, detail: 'marking the chain failed did not work; its lease ends on its own', error: describeError(error) });
      }
      return outcome;
    case 'deferred':
      await released(run, chainId, token);
      return outcome;
  }
}

async function released(run: ChainRun, chainId: string, token: string): Promise<boolean> {
  try {
    await run.settings.store.release(chainId, token);
    return true;
  } catch (error) {
    run.log('warn', 'chain.error', { chain: chainId, detail: 'ending the lease failed; it ends on its own', error: describeError(error) });
    return false;
  }
}

function checkpointText(value: unknown): string | { why: string } {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    return { why: `not JSON (${describeError(error).message.slice(0, 200)})` };
  }
  if (text === undefined) return { why: `a ${typeof value} is not JSON` };
  if (exceedsBytes(text, MAX_CHECKPOINT_BYTES)) return { why: `its JSON is larger than ${MAX_CHECKPOINT_BYTES} bytes` };
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return { why: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  return text;
}

function progressOf(progress: ChainProgress | undefined): ChainProgress | undefined {
  if (progress === undefined || typeof progress !== 'object' || progress === null) return undefined;
  const done = Number(progress.done);
  const total = progress.total === undefined ? undefined : Number(progress.total);
  if (!Number.isFinite(done)) return undefined;
  return total !== undefined && Number.isFinite(total) ? { done, total } : { done };
}

function parseText(text: string | undefined): unknown {
  if (typeof text !== 'string' || jsonDepthExceeds(text, MAX_JSON_DEPTH)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

let decoder: InstanceType<typeof TextDecoder> | undefined;
function bodyText(body: string | Uint8Array): string | undefined {
  const text = typeof body === 'string' ? body : (decoder ??= new TextDecoder()).decode(body);
  return exceedsBytes(text, MAX_CHAIN_BODY_BYTES) ? undefined : text;
}

function storeFailure(run: ChainRun, thrown: unknown, operation: string, startedAt: number): Outcome {
  const wrapped = thrown instanceof ContinuationError ? thrown : new ContinuationError(run.settings.store.name, operation, `${describeError(thrown).name}: ${describeError(thrown).message}`, { cause: thrown });
  const error = describeError(wrapped);
  const { delivery, job } = run;
  const maxAttempts = Math.min(job.maxAttempts, delivery.maxAttempts ?? Infinity);
  if (delivery.attempt >= maxAttempts) return run.bury('attempts-exhausted', `failed ${delivery.attempt} of ${maxAttempts} attempts; last error: ${error.name}: ${error.message}`, error);
  const delayMs = backoffDelayMs(job.backoff, delivery.attempt, run.random);
  run.log('warn', 'job.retry', { outcome: 'retry', durationMs: run.now() - startedAt, delayMs, chain: run.envelope.id, error });
  return { type: 'retry', envelope: run.envelope, delayMs, error, durationMs: run.now() - startedAt };
}
