/**
 * The ledger arithmetic the kill figures rest on: lost, duplicates, the crash window, and what
 * a downstream that honours idempotency keys would apply.
 */
import { describe, expect, it } from 'vitest';
import type { Entry } from './harness/ledger.ts';
import { countLedger } from './harness/ledger-figures.ts';

const entry = (kind: Entry['kind'], jobId: string, pid: number, at: number, detail = ''): Entry => ({ kind, jobId, attempt: 1, at, pid, detail });

describe('countLedger', () => {
  it('counts a repeated effect with the same idempotency key as dropped downstream, one without a key as applied', () => {
    const entries = [
      entry('effect', 'a', 1, 1, 'ledger-task#p:aaa'),
      entry('effect', 'a', 2, 2, 'ledger-task#p:aaa'), // the run of pid 1 was killed before its completion was stored
      entry('effect', 'b', 1, 3),
      entry('effect', 'b', 2, 4), // no key travelled: a second charge
      entry('effect', 'c', 2, 5, 'ledger-task#p:ccc'),
    ];

    const f = countLedger(['a', 'b', 'c', 'd'], entries, [{ jobId: 'd', reason: 'invalid-payload' }], { killed: new Set([1]) });

    expect(f).toMatchObject({ lost: 0, duplicateEffects: 2, duplicatesInCrashWindow: 2, duplicatesDroppedByKey: 1, duplicatesApplied: 1, buried: 1 });
  });

  it('a job with no effect and no dead letter is lost; a dead letter without a reason does not account for it', () => {
    const f = countLedger(['a', 'b'], [], [{ jobId: 'b', reason: '' }]);
    expect([f.lost, f.lostIds]).toEqual([2, ['a', 'b']]);
  });

  it('counts one delivery acknowledged twice, and not two deliveries of one attempt (a re-sent or kicked copy is a new message)', () => {
    const entries = [
      entry('complete', 'a', 1, 1, 'message-1'),
      entry('complete', 'a', 2, 2, 'message-2'), // a kicked copy: attempt 1 again, another message
      entry('complete', 'b', 1, 3, 'message-3'),
      entry('complete', 'b', 1, 4, 'message-3'), // the same delivery acknowledged twice
    ];
    expect(countLedger(['a', 'b'], entries, []).doubleAcks).toBe(1);
  });
});
