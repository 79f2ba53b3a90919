/**
 * Settling a job buried as `idempotency-in-doubt`: forget its key in the job's own store, then
 * kick it. The key (in the buried job's detail) names its job: `<job name>#<source>:<hex>`, and
 * job names cannot hold `#`, so the job, its store and the key are found from the key alone.
 *
 * @example
 * ```ts
 * const { forgotten } = await forgetInDoubt(jobs, 'charge-payment#k:3f2a...');
 * if (forgotten) await service.kick();
 * ```
 */
import { ConfigError } from '../errors.ts';
import type { AnyJob } from '../job.ts';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from './store.ts';

export interface ForgetReport {
  readonly key: string;
  readonly job: string;
  /** The store's name (`memory`, `dynamodb`, ...). */
  readonly store: string;
  /** true: the abandoned claim is gone, a kick runs the job. false: there was no abandoned claim. */
  readonly forgotten: boolean;
}

/** Why there is nothing to forget under a key, for the operator. */
export const NOT_ABANDONED = 'no abandoned claim under this key: the job completed, is claimed by a live run, or never ran (only a claim that expired unfinished is forgotten)';

/** Forgets the abandoned claim under `key`. Throws a ConfigError naming what is wrong with the key or the job. */
export async function forgetInDoubt(jobs: ReadonlyMap<string, AnyJob>, key: unknown): Promise<ForgetReport> {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ConfigError([`key: must be a string of 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters (the idempotency key in the buried job's detail)`]);
  }
  const hash = key.indexOf('#');
  if (hash <= 0) throw new ConfigError([`key: ${JSON.stringify(key.slice(0, 80))} is not an idempotency key (<job name>#<source>:<hex>, as in the buried job's detail)`]);
  const name = key.slice(0, hash);
  const job = jobs.get(name);
  if (job === undefined) throw new ConfigError([`key: names job ${JSON.stringify(name)}, which this app does not define (known: ${[...jobs.keys()].join(', ')})`]);
  const store = job.idempotency?.store;
  if (store === undefined) throw new ConfigError([`key: job ${name} has no idempotency option: nothing to forget`]);
  if (typeof store.forget !== 'function') throw new ConfigError([`key: the idempotency store of job ${name} (${store.name}) has no forget`]);
  return { key, job: name, store: store.name, forgotten: await store.forget(key) };
}
