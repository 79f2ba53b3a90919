/**
 * Shortened graceful drain (CI): SIGTERM to a worker child with every slot busy. No reserve
 * after the signal, every running job finished or released before exit, exit within the
 * platform's grace period, nothing lost.
 */
import { describe, expect, it } from 'vitest';
import type { DrainFigures } from './harness/drain.ts';
import { describeDrain, drainCloudTasks, drainMemory, drainSqs } from './suites/drain.ts';
import { useBackends } from './harness/backends.ts';

const backends = useBackends();

function expectCleanDrain(d: DrainFigures) {
  const why = describeDrain(d);
  expect(d.inFlightAtSignal, why).toBeGreaterThan(0);
  expect(d.reservesAfterSignal, why).toBe(0);
  expect(d.finished + d.released, why).toBe(d.inFlightAtSignal);
  expect(d.unaccounted, why).toBe(0);
  expect(d.exitCode, why).toBe(0);
  expect(d.exitMs, why).toBeLessThan(d.platformGraceMs);
  expect(d.lost, why).toBe(0);
  expect(d.unhandled, why).toBe(0);
}

// Timer-bound, not CPU-bound: the transports drain side by side.
describe.concurrent('graceful drain (shortened)', () => {
  it('memory: SIGTERM under load', { timeout: 40_000 }, async () => {
    const d = await drainMemory('ci');

    expectCleanDrain(d);
    // The load mixes jobs shorter and longer than the grace period: both paths run.
    expect(d.finished, describeDrain(d)).toBeGreaterThan(0);
    expect(d.released, describeDrain(d)).toBeGreaterThan(0);
  });

  it('sqs: SIGTERM under load', { timeout: 60_000 }, async () => {
    const d = await drainSqs(backends.sqs, 'ci');

    expectCleanDrain(d);
    expect(d.finished, describeDrain(d)).toBeGreaterThan(0);
    expect(d.released, describeDrain(d)).toBeGreaterThan(0);
  });

  it('cloud-tasks pull: SIGTERM under load', { timeout: 60_000 }, async () => {
    const d = await drainCloudTasks(backends.cloudTasks, 'ci');

    expectCleanDrain(d);
    expect(d.finished, describeDrain(d)).toBeGreaterThan(0);
    expect(d.released, describeDrain(d)).toBeGreaterThan(0);
  });
});
