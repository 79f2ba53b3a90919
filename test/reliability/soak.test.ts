/**
 * The soak in CI only checks that it runs (20 s of empty polls, heap sampled after a full GC):
 * the slope of 20 s says nothing about a leak. The full soak (30 minutes, slope under 5 MB/h)
 * is `npm run reliability -- --soak-minutes 30`.
 */
import { describe, expect, it } from 'vitest';
import type { SoakFigures } from './harness/soak.ts';
import { soakSettings } from './suites/profile.ts';
import { describeSoak, soakCloudTasks, soakMemory, soakSqs } from './suites/soak.ts';
import { useBackends } from './harness/backends.ts';

const backends = useBackends();

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
  it('sqs', { timeout: 60_000 }, async () => expectItRan(await soakSqs(backends.sqs, settings)));
  it('cloud-tasks pull', { timeout: 60_000 }, async () => expectItRan(await soakCloudTasks(backends.cloudTasks, settings)));
});
