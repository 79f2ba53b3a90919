/** applyOutcome: outcome -> transport action for reserved jobs (complete, release, bury, hop). */
import { describe, expect, it } from 'vitest';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { applyOutcome } from '../../src/apply-outcome.ts';
import { createEnvelope } from '../../src/envelope.ts';
import type { Outcome } from '../../src/outcome.ts';
import type { OutgoingJob } from '../../src/service.ts';
import { echoOutgoing, spyService } from './helpers.ts';

const envelope = createEnvelope('echo', { n: 0 }, { id: 'job-0', groupKey: 'g' });
const error = { name: 'Error', message: 'x' };

async function reserved(maxDelayMs = 10_000) {
  const service = spyService(createMemoryService({ maxDelayMs }));
  await service.enqueue(echoOutgoing(1));
  const [job] = await service.reserve({ max: 1, leaseMs: 60_000 });
  return { service, job: job! };
}

describe('applyOutcome', () => {
  it('completed -> complete', async () => {
    const { service, job } = await reserved();

    await applyOutcome(service, job, { type: 'completed', envelope, durationMs: 1, result: undefined });

    expect(service.callsOf('complete')).toHaveLength(1);
    expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0 });
  });

  it('retry -> release with the delay, clamped to maxDelayMs', async () => {
    const { service, job } = await reserved(10_000);

    await applyOutcome(service, job, { type: 'retry', envelope, delayMs: 99_000, error, durationMs: 1 });

    expect(service.callsOf('release')[0]!.args[1]).toBe(10_000);
    expect(await service.stats()).toMatchObject({ delayed: 1 });
  });

  it('buried -> bury with the reason, the detail and the delivery attempt', async () => {
    const { service, job } = await reserved();
    const outcome: Outcome = { type: 'buried', reason: 'invalid-payload', detail: 'n: bad', envelope, error: undefined };

    await applyOutcome(service, job, outcome);

    expect(service.callsOf('bury')[0]!.args[1]).toEqual({ reason: 'invalid-payload', detail: 'n: bad', attempt: 1 });
    expect(await service.listBuried()).toEqual([expect.objectContaining({ reason: 'invalid-payload', detail: 'n: bad', attempt: 1 })]);
  });

  it('deferred -> the same body again with the rest of the delay (clamped), keeping the group; then complete', async () => {
    const { service, job } = await reserved(10_000);

    await applyOutcome(service, job, { type: 'deferred', envelope, delayMs: 25_000 });

    const [sent] = service.callsOf('enqueue')[1]!.args[0] as OutgoingJob[];
    expect(sent).toMatchObject({ id: 'job-0', name: 'echo', body: job.body, delayMs: 10_000, groupKey: 'g' });
    expect(service.callsOf('complete')).toHaveLength(1);
    expect(await service.stats()).toMatchObject({ delayed: 1, reserved: 0 });
  });

  it('deferred whose re-enqueue is refused: throws, and the delivery is not completed', async () => {
    const { service, job } = await reserved();
    const refusing = spyService(service, { enqueue: async (_inner, jobs: OutgoingJob[]) => [{ id: jobs[0]!.id, ok: false, error: new Error('full') }] });

    await expect(applyOutcome(refusing, job, { type: 'deferred', envelope, delayMs: 5 })).rejects.toThrow('full');

    expect(refusing.callsOf('complete')).toEqual([]);
  });
});
