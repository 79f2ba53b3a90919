/**
 * Heartbeat and timeouts (CI lease: 1 s memory, 2 s SQS and Cloud Tasks): a job running 3x its lease is never
 * redelivered while its worker lives; after a SIGKILL it is redelivered within one lease; a
 * touch error after completion is not a failure; a late result after a timeout is discarded
 * and never acknowledged.
 */
import { describe, expect, it } from 'vitest';
import type { HeartbeatFigures } from './harness/heartbeat.ts';
import { describeHeartbeat, heartbeatCloudTasks, heartbeatMemory, heartbeatSqs } from './suites/heartbeat.ts';
import { useBackends } from './harness/backends.ts';

const backends = useBackends();

function expectAllPassed(h: HeartbeatFigures) {
  const why = describeHeartbeat(h);
  expect(h.longRun.passed, why).toBe(true);
  expect(h.afterKill.passed, why).toBe(true);
  expect(h.touchAfterCompletion.passed, why).toBe(true);
  expect(h.ignoredAbort.passed, why).toBe(true);
}

// Timer-bound, not CPU-bound: the transports run side by side.
describe.concurrent('heartbeat and timeouts', () => {
  it('memory', { timeout: 40_000 }, async () => {
    const h = await heartbeatMemory('ci');

    expectAllPassed(h);
    expect(h.longRun.touches, describeHeartbeat(h)).toBeGreaterThanOrEqual(4);
  });

  it('sqs (worker children; SIGKILL of the one running the job)', { timeout: 60_000 }, async () => {
    const h = await heartbeatSqs(backends.sqs, 'ci');

    expectAllPassed(h);
    expect(h.afterKill.applicable).toBe(true);
    expect(h.longRun.touches, describeHeartbeat(h)).toBeGreaterThanOrEqual(4);
  });

  it('cloud-tasks pull (worker children; SIGKILL of the one running the job)', { timeout: 60_000 }, async () => {
    const h = await heartbeatCloudTasks(backends.cloudTasks, 'ci');

    expectAllPassed(h);
    expect(h.afterKill.applicable).toBe(true);
    expect(h.longRun.touches, describeHeartbeat(h)).toBeGreaterThanOrEqual(4);
  });
});
