/**
 * The in-memory chain store, for tests and single-process apps (chains that must survive a
 * process need a shared store: jobferry/dynamodb). Each operation is synchronous inside: atomic.
 */
import { ConfigError } from '../errors.ts';
import { ContinuationError } from './errors.ts';
import { chainProblem, type ChainClaim, type ChainRecord, type ChainStore } from './store.ts';

export interface MemoryChainStoreOptions {
  now?: () => number;
}

export interface MemoryChainStore extends ChainStore {
  readonly size: number;
  clear(): void;
}

interface Entry {
  record: ChainRecord;
  token: string | undefined;
  expiresAt: number;
}

export function createMemoryChainStore(options: MemoryChainStoreOptions = {}): MemoryChainStore {
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new ConfigError(['memory chain store: now: must be a function returning epoch ms']);
  const chains = new Map<string, Entry>();
  const check = (operation: string, chainId: unknown) => {
    const problem = chainProblem(chainId);
    if (problem !== undefined) throw new ContinuationError('memory', operation, problem, { retryable: false });
  };
  const live = (chainId: string) => {
    const entry = chains.get(chainId);
    if (entry !== undefined && entry.expiresAt <= now()) {
      chains.delete(chainId);
      return undefined;
    }
    return entry;
  };
  const holds = (entry: Entry | undefined, token: string): entry is Entry => entry !== undefined && entry.token === token && (entry.record.lockedUntil ?? 0) > now();

  return {
    name: 'memory',
    get size() {
      return chains.size;
    },
    clear() {
      chains.clear();
    },
    async claim(chainId, o): Promise<ChainClaim> {
      check('claim', chainId);
      const t = now();
      const entry = live(chainId);
      const token = crypto.randomUUID();
      if (entry === undefined) {
        const record: ChainRecord = {
          id: chainId, job: o.job, state: 'running', link: 0, checkpoint: undefined, progress: undefined, body: o.body,
          createdAt: t, updatedAt: t, lockedUntil: t + o.leaseMs, restarts: 0, stallAfterMs: o.stallAfterMs, result: undefined, reason: undefined,
        };
        chains.set(chainId, { record, token, expiresAt: t + o.retentionMs });
        return { status: 'acquired', token, record };
      }
      if (entry.record.state === 'done') return { status: 'done', record: entry.record };
      if (entry.record.lockedUntil !== undefined && entry.record.lockedUntil > t) return { status: 'locked', until: entry.record.lockedUntil };
      entry.token = token;
      entry.expiresAt = Math.max(entry.expiresAt, t + o.retentionMs);
      entry.record = { ...entry.record, state: 'running', lockedUntil: t + o.leaseMs, updatedAt: t };
      return { status: 'acquired', token, record: entry.record };
    },
    async save(chainId, token, o) {
      check('save', chainId);
      const entry = live(chainId);
      if (!holds(entry, token) || entry.record.state !== 'running') return false;
      const t = now();
      entry.record = { ...entry.record, link: entry.record.link + 1, checkpoint: o.checkpoint, progress: o.progress ?? entry.record.progress, updatedAt: t, lockedUntil: o.release ? undefined : t + (o.leaseMs ?? 0) };
      if (o.release) entry.token = undefined;
      return true;
    },
    async finish(chainId, token, o) {
      check('finish', chainId);
      const entry = live(chainId);
      if (!holds(entry, token)) return false;
      entry.record = { ...entry.record, state: o.state, result: o.result, reason: o.reason, progress: o.progress ?? entry.record.progress, updatedAt: now(), lockedUntil: undefined };
      entry.token = undefined;
      return true;
    },
    async release(chainId, token) {
      check('release', chainId);
      const entry = live(chainId);
      if (!holds(entry, token)) return false;
      entry.record = { ...entry.record, lockedUntil: undefined, updatedAt: now() };
      entry.token = undefined;
      return true;
    },
    async get(chainId) {
      check('get', chainId);
      return live(chainId)?.record;
    },
    async listLive(o = {}) {
      const limit = o.limit ?? 1_000;
      const out: ChainRecord[] = [];
      for (const id of [...chains.keys()]) {
        const entry = live(id);
        if (entry !== undefined && entry.record.state !== 'done') out.push(entry.record);
        if (out.length >= limit) break;
      }
      return out;
    },
    async markRestarted(chainId, seenUpdatedAt) {
      check('markRestarted', chainId);
      const entry = live(chainId);
      if (entry === undefined || entry.record.state === 'done' || entry.record.updatedAt !== seenUpdatedAt) return false;
      if (entry.record.lockedUntil !== undefined && entry.record.lockedUntil > now()) return false;
      entry.record = { ...entry.record, updatedAt: now(), restarts: entry.record.restarts + 1 };
      return true;
    },
  };
}
