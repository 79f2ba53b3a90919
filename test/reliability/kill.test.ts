/**
 * Shortened kill harness (CI): 300 jobs, worker children SIGKILLed every ~200 ms (5 kills) and
 * respawned, idempotency on (the DynamoDB store on dynalite, shared by every child). Nothing
 * may be lost and no side effect may happen twice. The full run (10,000 jobs, 30+ kills,
 * idempotency on and off) is `npm run reliability`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator, type SqsEmulator } from '../../adapters/sqs/emulator.ts';
import { startIdempotencyBackend, type IdempotencyBackend } from './harness/dynalite.ts';
import { describeKill, killLambda, killSqsPull, type KillResult } from './suites/kill.ts';

let sqs: SqsEmulator;
let store: IdempotencyBackend;
beforeAll(async () => {
  [sqs, store] = await Promise.all([startSqsEmulator(), startIdempotencyBackend()]);
});
afterAll(async () => {
  await Promise.all([sqs?.stop(), store?.close()]);
});

function expectNothingLostNothingTwice(r: KillResult) {
  const why = describeKill(r);
  expect(r.kills, why).toBeGreaterThanOrEqual(r.minKills);
  expect(r.lost, why).toBe(0);
  expect(r.duplicateEffects, why).toBe(0);
  expect(r.doubleAcks, why).toBe(0);
  expect(r.unhandled, why).toBe(0);
  expect(r.settled, why).toBe(true);
}

describe('kill harness (shortened, idempotency on)', () => {
  it('sqs pull workers', { timeout: 90_000 }, async () => {
    const r = await killSqsPull(sqs, 'ci', { idempotency: await store.table() });

    expectNothingLostNothingTwice(r);
    expect(r.redeliveries, describeKill(r)).toBeGreaterThan(0); // the kills did interrupt work
  });

  it('lambda push (runtimes killed mid-batch)', { timeout: 90_000 }, async () => {
    const r = await killLambda(sqs, 'ci', { idempotency: await store.table() });

    expectNothingLostNothingTwice(r);
    expect(r.crashedInvocations, describeKill(r)).toBeGreaterThan(0);
  });
});
