/**
 * The soak in CI only checks that it runs (20 s of empty polls, heap sampled after a full GC):
 * the slope of 20 s says nothing about a leak. The full soak (30 minutes, slope under 5 MB/h)
 * is `npm run reliability -- --soak-minutes 30`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator, type SqsEmulator } from '../../adapters/sqs/emulator.ts';
import type { SoakFigures } from './harness/soak.ts';
import { startCloudTasksBackend, type CloudTasksBackend } from './harness/rigs/cloud-tasks-rig.ts';
import { soakSettings } from './suites/profile.ts';
import { describeSoak, soakCloudTasks, soakMemory, soakSqs } from './suites/soak.ts';

let sqs: SqsEmulator;
let cloudTasks: CloudTasksBackend;
beforeAll(async () => {
  [sqs, cloudTasks] = await Promise.all([startSqsEmulator(), startCloudTasksBackend()]);
});
afterAll(async () => {
  await Promise.all([sqs?.stop(), cloudTasks?.close()]);
});

function expectItRan(s: SoakFigures) {
  const why = describeSoak(s);
  expect(s.polls, why).toBeGreaterThanOrEqual(10);
  expect(s.samplesInSlope, why).toBeGreaterThanOrEqual(10);
  expect(Number.isFinite(s.slopeMbPerHour), why).toBe(true);
  expect(s.unhandled, why).toBe(0);
}

describe.concurrent('soak of empty polls (20 s: it runs)', () => {
  const settings = soakSettings('ci');
  it('memory', { timeout: 60_000 }, async () => expectItRan(await soakMemory(settings)));
  it('sqs', { timeout: 60_000 }, async () => expectItRan(await soakSqs(sqs, settings)));
  it('cloud-tasks pull', { timeout: 60_000 }, async () => expectItRan(await soakCloudTasks(cloudTasks, settings)));
});
