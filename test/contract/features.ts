/**
 * Contract tests of the abilities a transport may lack: delay, touch, listBuried, kick, dedupe,
 * ordered groups, priority and stats. A missing one is skipped, and the skip says why.
 */
import { expect, it } from 'vitest';
import type { BuriedJob, QueueStats } from '../../src/service.ts';
import { makeOutgoing, tagOf, tagsOf } from './fixtures.ts';
import { isUnsupported, openHarness, type ContractSetup, type Harness } from './harness.ts';

export function declareFeatureTests(setup: ContractSetup, timeout: number): void {
  const caps = setup.capabilities;
  const open = () => openHarness(setup);
  const feature = (capability: unknown, title: string, fn: () => Promise<void>) => {
    if (isUnsupported(capability)) it.skip(`${title} [unsupported: ${capability.unsupported}]`, fn);
    else it(title, { timeout }, fn);
  };

  feature(caps.delay, 'enqueue with a delay: not ready before it, ready after it as attempt 1', async () => {
    const h = await open();
    const startedAt = Date.now();
    await h.send(makeOutgoing('delayed', { delayMs: 2 * h.unitMs }));
    const job = await h.expectDueAfter(2 * h.unitMs, startedAt);
    expect(tagOf(job)).toBe('delayed');
    expect(job.attempt).toBe(1);
  });

  feature(caps.delay, 'a delayed job does not hold back ready jobs', async () => {
    const h = await open();
    await h.send(makeOutgoing('much-later', { delayMs: 60 * h.unitMs }), makeOutgoing('now'));
    expect(tagOf(await h.next())).toBe('now');
    await h.expectEmptyNow();
  });

  feature(caps.touch, 'touch extends a lease: the job is not delivered again while touched', async () => {
    const h = await open();
    await h.send(makeOutgoing('long-task'));
    const job = await h.next(h.unitMs);
    await h.service.touch!(job, 4 * h.unitMs);
    await h.expectNothingFor(2 * h.unitMs); // well past the first lease
    await h.service.complete(job); // the receipt is still good
    await h.expectNothingFor(3 * h.unitMs); // and past the touched lease: completed for good
  });

  feature(caps.listBuried, 'listBuried shows a buried job with its body, reason, detail and attempt', async () => {
    const h = await open();
    const outgoing = makeOutgoing('dead');
    await h.send(outgoing);
    await h.service.release(await h.next(), 0);
    const job = await h.next();
    expect(job.attempt).toBe(2);
    const detail = 'failed 2 of 2 attempts; last error: Error: boom';
    await h.service.bury(job, { reason: 'attempts-exhausted', detail, attempt: 2 });
    const buried = await buriedUntil(h, 1);
    expect(buried).toHaveLength(1);
    const entry = buried[0]!;
    expect(entry.body).toBe(outgoing.body);
    expect({ reason: entry.reason, detail: entry.detail, attempt: entry.attempt, sourceQueue: entry.sourceQueue }).toEqual({
      reason: 'attempts-exhausted',
      detail,
      attempt: 2,
      sourceQueue: h.service.queue,
    });
    expect(Number.isFinite(entry.buriedAt)).toBe(true);
    expect(typeof entry.transportId).toBe('string');
  });

  feature(caps.kick, 'kick moves at most max buried jobs back to ready; the next delivery is attempt 1', async () => {
    const h = await open();
    await h.send(makeOutgoing('a'), makeOutgoing('b'));
    for (const job of await h.reserveUntil(2)) await h.service.bury(job, { reason: 'permanent-error', detail: 'no', attempt: job.attempt });
    expect(await h.service.kick!({ max: 1 })).toBe(1);
    const first = await h.next();
    expect(first.attempt).toBe(1);
    await h.expectEmptyNow();
    expect(await h.service.kick!()).toBe(1);
    const second = await h.next();
    expect(second.attempt).toBe(1);
    expect([tagOf(first), tagOf(second)].sort()).toEqual(['a', 'b']);
    expect(await h.service.kick!()).toBe(0);
  });

  feature(caps.dedupe, 'a second job with the same dedupe key is accepted but dropped', async () => {
    const h = await open();
    const [first] = await h.send(makeOutgoing('first', { dedupeKey: 'order-42' }));
    const [second] = await h.send(makeOutgoing('duplicate', { dedupeKey: 'order-42' }));
    expect(second!.ok).toBe(true);
    if (caps.dedupe === true) {
      expect(second).toMatchObject({ ok: true, deduplicated: true });
      if (first!.ok && first!.transportId !== undefined) expect(second!.ok && second!.transportId).toBe(first!.transportId);
    }
    await h.send(makeOutgoing('other', { dedupeKey: 'order-43' }));
    expect(tagsOf(await h.reserveUntil(2)).sort()).toEqual(['first', 'other']);
    await h.expectNothingFor(h.unitMs);
  });

  feature(caps.groups, 'a group hands out one job at a time, in enqueue order, even after a release', async () => {
    const h = await open();
    await h.send(...['g1', 'g2', 'g3'].map((tag) => makeOutgoing(tag, { groupKey: 'customer-7' })));
    const one = await h.next();
    expect(tagOf(one)).toBe('g1');
    await h.expectNothingFor(h.unitMs); // g2 waits while g1 is reserved
    await h.service.complete(one);
    const two = await h.next();
    expect([tagOf(two), two.attempt]).toEqual(['g2', 1]);
    await h.service.release(two, 0);
    const twoAgain = await h.next(); // a released job keeps its place at the head
    expect([tagOf(twoAgain), twoAgain.attempt]).toEqual(['g2', 2]);
    await h.service.complete(twoAgain);
    expect(tagOf(await h.next())).toBe('g3');
  });

  feature(caps.groups, 'a reserved job holds back only its own group', async () => {
    const h = await open();
    await h.send(makeOutgoing('a1', { groupKey: 'a' }), makeOutgoing('a2', { groupKey: 'a' }), makeOutgoing('b1', { groupKey: 'b' }));
    const jobs = [await h.next(), await h.next()];
    expect(tagsOf(jobs).sort()).toEqual(['a1', 'b1']);
    await h.expectNothingFor(h.unitMs);
    await h.service.complete(jobs.find((j) => tagOf(j) === 'a1')!);
    expect(tagOf(await h.next())).toBe('a2');
  });

  feature(caps.priority, 'lower priority numbers are handed out first, FIFO within a priority', async () => {
    const h = await open();
    await h.send(
      makeOutgoing('p5', { priority: 5 }),
      makeOutgoing('p1-first', { priority: 1 }),
      makeOutgoing('p0', { priority: 0 }),
      makeOutgoing('p1-second', { priority: 1 }),
      makeOutgoing('p-3', { priority: -3 }),
    );
    const order: string[] = [];
    for (let i = 0; i < 5; i++) order.push(tagOf(await h.next()));
    expect(order).toEqual(['p-3', 'p0', 'p1-first', 'p1-second', 'p5']);
  });

  feature(isUnsupported(caps.stats) ? caps.stats : true, 'stats counts ready, delayed, reserved and buried jobs', async () => {
    const h = await open();
    const delayed = !isUnsupported(caps.delay);
    await expectStats(h, { ready: 0, delayed: 0, reserved: 0, buried: 0 });
    await h.send(makeOutgoing('r1'), makeOutgoing('r2'), makeOutgoing('r3'));
    if (delayed) await h.send(makeOutgoing('d1', { delayMs: 60 * h.unitMs }));
    const [kept, dead] = await h.reserveUntil(2);
    expect(kept && dead, 'two jobs to reserve').toBeTruthy();
    await h.service.bury(dead!, { reason: 'permanent-error', detail: 'no', attempt: 1 });
    await expectStats(h, { ready: 1, delayed: delayed ? 1 : 0, reserved: 1, buried: 1 });
  });
}

async function buriedUntil(h: Harness, count: number): Promise<BuriedJob[]> {
  const deadline = Date.now() + (h.caps.settleMs ?? 5_000);
  let buried: BuriedJob[] = [];
  // Bounded: a dead-letter store may show a job a little after the bury.
  while ((buried = await h.service.listBuried!({ max: 10 })).length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return buried;
}

async function expectStats(h: Harness, expected: Omit<QueueStats, 'approximate'>): Promise<void> {
  const approximate = h.caps.stats === 'approximate';
  const read = async () => {
    const s = await h.service.stats!();
    return { counts: { ready: s.ready, delayed: s.delayed, reserved: s.reserved, buried: s.buried }, approximate: s.approximate };
  };
  let seen = await read();
  // Approximate counts lag behind: poll them, bounded. Exact ones must be right at once.
  const matches = () => (['ready', 'delayed', 'reserved', 'buried'] as const).every((k) => seen.counts[k] === expected[k]);
  for (let deadline = Date.now() + (h.caps.settleMs ?? 5_000); approximate && Date.now() < deadline && !matches(); ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    seen = await read();
  }
  expect(seen).toEqual({ counts: expected, approximate });
}
