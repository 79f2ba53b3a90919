/**
 * The in-memory idempotency store: one Map in this process. Right for tests, the local app and
 * a single long-lived worker; wrong for several processes or Lambda instances (each has its own
 * Map): use a shared store there (`jobferry/dynamodb`).
 *
 * @example
 * ```ts
 * const store = createMemoryIdempotencyStore();
 * const charge = defineJob({ name: 'charge', schema, idempotency: { store }, handler });
 * ```
 */
import { ConfigError } from '../errors.ts';
import { IdempotencyError } from './errors.ts';
import { answerHeld, claimProblem, isAbandoned, keyProblem, type ClaimResult, type HeldRecord, type IdempotencyStore } from './store.ts';

export interface MemoryIdempotencyStoreOptions {
  /** Clock in epoch ms. Default Date.now; tests pass a controllable one. */
  now?: () => number;
  /** Expired records are swept after this many claims. Default 1000. */
  sweepEveryClaims?: number;
}

export interface MemoryIdempotencyStore extends IdempotencyStore {
  forget(key: string): Promise<boolean>;
  /** Live records (expired ones may linger until the next sweep; abandoned claims kept for an operator stay until forgotten). */
  readonly size: number;
  /** Drops every record. */
  clear(): void;
}

interface MemoryRecord extends HeldRecord {
  readonly token: string | undefined;
}

/** When a record may be swept: its claim or retention is over; an abandoned claim kept for an operator, never. */
const endOf = (r: MemoryRecord) => (r.status === 'in-progress' && r.keepAbandoned ? Infinity : r.expiresAt);

export function createMemoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): MemoryIdempotencyStore {
  const now = options.now ?? Date.now;
  const sweepEvery = options.sweepEveryClaims ?? 1000;
  if (typeof now !== 'function') throw new ConfigError(['memory idempotency store: now: must be a function returning epoch ms']);
  if (!Number.isSafeInteger(sweepEvery) || sweepEvery < 1) throw new ConfigError([`memory idempotency store: sweepEveryClaims: must be an integer >= 1, got ${String(sweepEvery)}`]);
  const records = new Map<string, MemoryRecord>();
  let claims = 0;

  // Without args (release, forget): the key alone.
  const check = (operation: string, key: unknown, args?: Parameters<typeof claimProblem>[1]) => {
    const problem = args === undefined ? keyProblem(key) : claimProblem(key, args);
    if (problem !== undefined) throw new IdempotencyError('memory', operation, problem, { retryable: false });
  };

  const sweep = (t: number) => {
    for (const [key, record] of records) if (endOf(record) <= t) records.delete(key);
  };

  return {
    name: 'memory',
    get size() {
      return records.size;
    },
    clear() {
      records.clear();
    },
    // Each operation reads and writes the Map without an await in between: atomic in one process.
    async claim(key, { fingerprint, claimMs, keepAbandoned = false }): Promise<ClaimResult> {
      check('claim', key, { fingerprint, claimMs, keepAbandoned });
      const t = now();
      if (++claims % sweepEvery === 0) sweep(t);
      const held = records.get(key);
      if (held !== undefined) {
        const answer = answerHeld(held, fingerprint, t, keepAbandoned);
        if (answer !== 'free') return answer;
      }
      const token = crypto.randomUUID();
      const expiresAt = t + claimMs;
      records.set(key, { fingerprint, status: 'in-progress', token, expiresAt, keepAbandoned, result: undefined, completedAt: 0 });
      return { status: 'acquired', token, expiresAt };
    },
    async complete(key, token, { fingerprint, result, retentionMs }) {
      check('complete', key, { fingerprint, retentionMs });
      const held = records.get(key);
      // Ours, or gone without anyone claiming it since (our claim expired and was swept).
      if (held !== undefined && held.token !== token) return false;
      const t = now();
      records.set(key, { fingerprint, status: 'completed', token: undefined, expiresAt: t + retentionMs, keepAbandoned: false, result, completedAt: t });
      return true;
    },
    async release(key, token) {
      check('release', key);
      const held = records.get(key);
      if (held === undefined || held.status !== 'in-progress' || held.token !== token) return false;
      records.delete(key);
      return true;
    },
    async forget(key) {
      check('forget', key);
      const held = records.get(key);
      return held !== undefined && isAbandoned(held, now()) && records.delete(key);
    },
  };
}
