/**
 * Receipts: each reservation gets its own; a stale one (lease ended, job settled, another
 * queue's) fails clearly and never acts on a newer reservation.
 */
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.ts';
import type { ReservedJob } from '../../src/service.ts';
import { makeOutgoing, manualService } from './helpers.ts';

const bury = { reason: 'permanent-error', detail: 'no', attempt: 1 };
const settlers = {
  touch: (s: ReturnType<typeof manualService>['service'], j: ReservedJob) => s.touch(j, 5_000),
  release: (s: ReturnType<typeof manualService>['service'], j: ReservedJob) => s.release(j, 0),
  complete: (s: ReturnType<typeof manualService>['service'], j: ReservedJob) => s.complete(j),
  bury: (s: ReturnType<typeof manualService>['service'], j: ReservedJob) => s.bury(j, bury),
};

async function staleError(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe('memory receipts', () => {
  it('every reservation of a job gets a new receipt', async () => {
    const { service } = manualService();
    await service.enqueue([makeOutgoing('a')]);
    const [first] = await service.reserve({ max: 1, leaseMs: 1_000 });
    await service.release(first!, 0);
    const [second] = await service.reserve({ max: 1, leaseMs: 1_000 });
    expect(second!.transportId).toBe(first!.transportId);
    expect(second!.receipt).not.toBe(first!.receipt);
  });

  for (const [op, settle] of Object.entries(settlers)) {
    it(`${op} with the receipt of an expired, redelivered lease fails and leaves the new reservation alone`, async () => {
      const { service, clock } = manualService();
      await service.enqueue([makeOutgoing('a')]);
      const [old] = await service.reserve({ max: 1, leaseMs: 1_000 });
      await clock.advance(1_000);
      const [current] = await service.reserve({ max: 1, leaseMs: 10_000 });
      expect(current!.attempt).toBe(2);

      const error = await staleError(settle(service, old!));
      expect(error.message).toMatch(new RegExp(`^\\[memory\\] ${op} failed: receipt "${old!.receipt}" is not current`));
      expect(error).toMatchObject({ code: 'StaleReceipt', adapter: 'memory', queue: 'default', retryable: false });

      expect(service.holds(current!)).toBe(true);
      expect(await service.stats()).toMatchObject({ ready: 0, reserved: 1, buried: 0 });
      await service.complete(current!);
      expect(await service.stats()).toMatchObject({ ready: 0, reserved: 0 });
    });
  }

  it('a lease that ended is stale at once, even before the job is reserved again', async () => {
    const { service, clock } = manualService();
    await service.enqueue([makeOutgoing('a')]);
    const [job] = await service.reserve({ max: 1, leaseMs: 1_000 });
    await clock.advance(999);
    await service.touch(job!, 1_000); // still current: lease now ends at 1999
    await clock.advance(1_000);
    expect(service.holds(job!)).toBe(false);
    expect((await staleError(service.complete(job!))).code).toBe('StaleReceipt');
    expect(await service.stats()).toMatchObject({ ready: 1, reserved: 0 });
  });

  it('a settled job cannot be settled again', async () => {
    const { service } = manualService();
    await service.enqueue([makeOutgoing('a')]);
    const [job] = await service.reserve({ max: 1, leaseMs: 1_000 });
    await service.complete(job!);
    for (const settle of Object.values(settlers)) expect((await staleError(settle(service, job!))).code).toBe('StaleReceipt');
  });

  it("a receipt from another memory queue never settles this queue's job", async () => {
    const a = manualService({ queue: 'a' }).service;
    const b = manualService({ queue: 'b' }).service;
    await a.enqueue([makeOutgoing('a')]);
    await b.enqueue([makeOutgoing('b')]);
    const [fromA] = await a.reserve({ max: 1, leaseMs: 1_000 });
    const [fromB] = await b.reserve({ max: 1, leaseMs: 1_000 });
    const error = await staleError(b.complete(fromA!));
    expect(error.message).toMatch(/^\[memory\] complete failed:/);
    expect(error.queue).toBe('b');
    expect(b.holds(fromB!)).toBe(true);
  });

  it('a made-up receipt fails', async () => {
    const { service } = manualService();
    for (const receipt of ['', 'nope', '999999999']) {
      const job: ReservedJob = { body: '{}', receipt, attempt: 1, transportId: '1' };
      expect((await staleError(service.complete(job))).code).toBe('StaleReceipt');
    }
  });
});
