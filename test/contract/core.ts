/**
 * Contract tests every pull transport passes: enqueue, reserve, leases, attempts, release,
 * complete, bury and long polls.
 */
import { expect, it } from 'vitest';
import { bodyText, makeOutgoing, tagOf, tagsOf } from './fixtures.ts';
import { LONG_LEASE_MS, openHarness, within, type ContractSetup } from './harness.ts';

export function declareCoreTests(setup: ContractSetup, timeout: number): void {
  const open = () => openHarness(setup);

  it('enqueue returns one result per job, in input order', { timeout }, async () => {
    const h = await open();
    const jobs = [makeOutgoing('a'), makeOutgoing('b'), makeOutgoing('c')];
    const results = await h.service.enqueue(jobs);
    expect(results.map((r) => r.id)).toEqual(jobs.map((j) => j.id));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(tagsOf(await h.reserveUntil(3)).sort()).toEqual(['a', 'b', 'c']);
  });

  it('enqueue refuses a body over limits.maxBodyBytes in its own result and keeps the others', { timeout }, async () => {
    const h = await open();
    const max = h.service.limits.maxBodyBytes;
    expect(max, 'the suite builds a body one byte over the limit').toBeLessThanOrEqual(64 * 1024 * 1024);
    const tooBig = { ...makeOutgoing('big'), body: 'x'.repeat(max + 1) };
    const jobs = [makeOutgoing('a'), tooBig, makeOutgoing('c')];
    const results = await h.service.enqueue(jobs);
    expect(results.map((r) => [r.id, r.ok])).toEqual([
      [jobs[0]!.id, true],
      [tooBig.id, false],
      [jobs[2]!.id, true],
    ]);
    const refused = results[1]!;
    expect(!refused.ok && refused.error).toBeInstanceOf(Error);
    expect(tagsOf(await h.reserveUntil(2)).sort()).toEqual(['a', 'c']);
    await h.expectEmptyNow();
  });

  it('a reserved job comes back byte-identical, as attempt 1, with a receipt', { timeout }, async () => {
    const h = await open();
    const job = makeOutgoing('round-trip');
    await h.send(job);
    const reserved = await h.next();
    expect(bodyText(reserved.body)).toBe(job.body);
    expect(reserved.attempt).toBe(1);
    expect(typeof reserved.receipt).toBe('string');
    expect(reserved.receipt.length).toBeGreaterThan(0);
    expect(typeof reserved.transportId).toBe('string');
    if (reserved.leaseExpiresAt !== undefined) expect(Number.isFinite(reserved.leaseExpiresAt)).toBe(true);
  });

  it('complete removes the job for good (it does not come back after its lease)', { timeout }, async () => {
    const h = await open();
    await h.send(makeOutgoing('done'));
    const job = await h.next(h.unitMs);
    await h.service.complete(job);
    await h.expectNothingFor(h.unitMs * 2);
  });

  it('reserve hands out at most max jobs per call', { timeout }, async () => {
    const h = await open();
    await h.send(...['a', 'b', 'c', 'd', 'e'].map((t) => makeOutgoing(t)));
    const jobs = await h.reserveUntil(5, { max: 2 }); // checks every call's length against max
    expect(tagsOf(jobs).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('a job whose lease ends is delivered again, with attempt + 1', { timeout }, async () => {
    const h = await open();
    await h.send(makeOutgoing('lost'));
    const startedAt = Date.now();
    const first = await h.next(h.unitMs);
    expect(first.attempt).toBe(1);
    const again = await h.expectDueAfter(h.unitMs, startedAt);
    expect(bodyText(again.body)).toBe(bodyText(first.body));
    expect(again.attempt).toBe(2);
  });

  it('attempt counts every delivery, release(0) included', { timeout }, async () => {
    const h = await open();
    await h.send(makeOutgoing('counted'));
    const attempts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const job = await h.next();
      attempts.push(job.attempt);
      await h.service.release(job, 0);
    }
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('release with a delay: not ready before it, ready after it with attempt + 1', { timeout }, async () => {
    const h = await open();
    await h.send(makeOutgoing('later'));
    const job = await h.next();
    const startedAt = Date.now();
    await h.service.release(job, 2 * h.unitMs);
    const again = await h.expectDueAfter(2 * h.unitMs, startedAt);
    expect(tagOf(again)).toBe('later');
    expect(again.attempt).toBe(2);
  });

  it('bury takes the job out of the live queue', { timeout }, async () => {
    const h = await open();
    await h.send(makeOutgoing('poison'));
    const job = await h.next(h.unitMs);
    await h.service.bury(job, { reason: 'invalid-payload', detail: 'payload.tag: expected a number', attempt: job.attempt });
    await h.expectNothingFor(h.unitMs * 2);
  });

  it('a long poll returns a job enqueued while it waits', { timeout }, async () => {
    const h = await open();
    const startedAt = Date.now();
    const polling = h.service.reserve({ max: 1, leaseMs: LONG_LEASE_MS, waitMs: 10_000, signal: AbortSignal.timeout(8_000) });
    await h.send(makeOutgoing('awaited'));
    const jobs = await polling;
    expect(tagsOf(jobs)).toEqual(['awaited']);
    expect(Date.now() - startedAt, 'the poll should end when the job arrives, not at waitMs').toBeLessThan(5_000);
  });

  it('a long poll with nothing to take resolves [] after waitMs', { timeout }, async () => {
    const h = await open();
    const waitMs = h.unitMs;
    const startedAt = Date.now();
    const polling = h.service.reserve({ max: 1, leaseMs: LONG_LEASE_MS, waitMs });
    if (setup.capabilities.controllableClock) {
      // The poll runs on the adapter's clock: it must end when that clock passes waitMs.
      await h.pass(waitMs);
      expect(await within(polling, 3_000)).toEqual([]);
    } else {
      expect(await polling).toEqual([]);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(waitMs * 0.8);
    }
  });

  it('an abort signal ends a long poll early with []', { timeout }, async () => {
    const h = await open();
    const controller = new AbortController();
    const startedAt = Date.now();
    const polling = h.service.reserve({ max: 1, leaseMs: LONG_LEASE_MS, waitMs: 15_000, signal: controller.signal });
    setImmediate(() => controller.abort());
    expect(await within(polling, 5_000)).toEqual([]);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
}
