/**
 * Shortened kill harness (CI): 300 jobs, worker children SIGKILLed every ~200 ms (at least 5
 * kills), respawned. Nothing may be lost; with idempotency on nothing may run twice.
 * The full run (10,000 jobs, 30+ kills) is `npm run reliability`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator, type SqsEmulator } from '../../adapters/sqs/emulator.ts';
import { describeKill, killLambda, killSqsPull } from './suites/kill.ts';

let sqs: SqsEmulator;
beforeAll(async () => {
  sqs = await startSqsEmulator();
});
afterAll(async () => {
  await sqs?.stop();
});

describe('kill harness (shortened)', () => {
  it('sqs pull workers: every job has its side effect or a dead letter with a reason', { timeout: 90_000 }, async () => {
    const r = await killSqsPull(sqs, 'ci');

    expect(r.kills, describeKill(r)).toBeGreaterThanOrEqual(r.minKills);
    expect(r.lost, describeKill(r)).toBe(0);
    expect(r.doubleAcks, describeKill(r)).toBe(0);
    expect(r.unhandled, describeKill(r)).toBe(0);
    expect(r.settled, describeKill(r)).toBe(true);
  });

  it('lambda push (runtimes killed mid-batch): every job has its side effect or a dead letter with a reason', { timeout: 90_000 }, async () => {
    const r = await killLambda(sqs, 'ci');

    expect(r.kills, describeKill(r)).toBeGreaterThanOrEqual(r.minKills);
    expect(r.crashedInvocations, describeKill(r)).toBeGreaterThan(0);
    expect(r.lost, describeKill(r)).toBe(0);
    expect(r.unhandled, describeKill(r)).toBe(0);
    expect(r.settled, describeKill(r)).toBe(true);
  });
});
