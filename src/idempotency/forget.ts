/**
 * Settling a job buried as `idempotency-in-doubt`: forget its key in the job's own store, then
 * kick it. The key (in the buried job's detail) names its job (keys.ts: `<job name>#<source>:<hex>`),
 * so the job, its store and the key are found from the key alone.
 *
 * @example
 * ```ts
 * const { forgotten } = await forgetInDoubt(jobs, 'charge-payment#k:3f2a...');
 * if (forgotten) await service.kick();
 * ```
 */
import { ValidationError } from '../errors.ts';
import type { AnyJob } from '../job.ts';
import { jobNameOfKey } from './keys.ts';
import { keyProblem } from './store.ts';

export interface ForgetReport {
  readonly key: string;
  readonly job: string;
  /** The store's name (`memory`, `dynamodb`, ...). */
  readonly store: string;
  /** true: the abandoned claim is gone, a kick runs the job. false: there was no abandoned claim (`why`). */
  readonly forgotten: boolean;
  readonly why?: string;
}

const NOT_ABANDONED = 'no abandoned claim under this key: the job completed, is claimed by a live run, or never ran (only a claim that expired unfinished is forgotten)';

/** Forgets the abandoned claim under `key`. Throws a ValidationError naming what is wrong with the key or its job. */
export async function forgetInDoubt(jobs: ReadonlyMap<string, AnyJob>, key: unknown): Promise<ForgetReport> {
  const refuse = (why: string): never => {
    throw new ValidationError(`cannot forget this key: ${why}`, why);
  };
  const badKey = keyProblem(key);
  if (badKey !== undefined) refuse(`${badKey} (the idempotency key in the buried job's detail)`);
  const name = jobNameOfKey(key as string);
  if (name === undefined) return refuse(`key ${JSON.stringify((key as string).slice(0, 80))} is not an idempotency key (<job name>#<source>:<hex>, as in the buried job's detail)`);
  const job = jobs.get(name);
  if (job === undefined) return refuse(`the key names job ${JSON.stringify(name)}, which this app does not define (known: ${[...jobs.keys()].join(', ')})`);
  const store = job.idempotency?.store;
  if (store === undefined) return refuse(`job ${name} has no idempotency option: nothing to forget`);
  if (typeof store.forget !== 'function') return refuse(`the idempotency store of job ${name} (${store.name}) has no forget`);
  const forgotten = await store.forget(key as string);
  return { key: key as string, job: name, store: store.name, forgotten, ...(forgotten ? {} : { why: NOT_ABANDONED }) };
}
