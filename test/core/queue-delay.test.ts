/** delayMs / runAt, and hops: a delay past the transport's maximum travels as notBefore. */
import { describe, expect, it } from 'vitest';
import { createManualClock, createMemoryService } from '../../adapters/memory/index.ts';
import { ValidationError } from '../../src/errors.ts';
import type { OutgoingJob } from '../../src/service.ts';
import { createQueue } from '../../src/queue.ts';
import { echoJob, spyService } from './helpers.ts';

function setup(maxDelayMs = Infinity) {
  const clock = createManualClock();
  const service = spyService(createMemoryService({ clock, maxDelayMs }));
  const queue = createQueue({ service, now: clock.now });
  const sent = () => service.callsOf('enqueue').flatMap((c) => c.args[0] as OutgoingJob[]);
  const envelope = (i = 0) => JSON.parse(sent()[i]!.body) as { notBefore?: string; createdAt: string };
  return { clock, service, queue, sent, envelope };
}

describe('delays', () => {
  it('delayMs is sent as the transport delay; no notBefore', async () => {
    const { queue, sent, envelope } = setup();

    await queue.enqueue(echoJob(), { n: 1 }, { delayMs: 5_000 });

    expect(sent()[0]!.delayMs).toBe(5_000);
    expect(envelope().notBefore).toBeUndefined();
  });

  it('runAt (Date or epoch ms) becomes the delay from now; a past runAt is now', async () => {
    const { clock, queue, sent } = setup();

    await queue.enqueue(echoJob(), { n: 1 }, { runAt: new Date(clock.now() + 1_500) });
    await queue.enqueue(echoJob(), { n: 1 }, { runAt: clock.now() + 700 });
    await queue.enqueue(echoJob(), { n: 1 }, { runAt: clock.now() - 10_000 });

    expect(sent().map((j) => j.delayMs)).toEqual([1_500, 700, 0]);
  });

  it.each([
    ['both delayMs and runAt', { delayMs: 1, runAt: 5 }, 'give delayMs or runAt, not both'],
    ['a negative delayMs', { delayMs: -1 }, 'delayMs: must be a finite number >= 0, got -1'],
    ['an infinite delayMs', { delayMs: Infinity }, 'delayMs: must be a finite number >= 0, got Infinity'],
    ['a NaN delayMs', { delayMs: Number.NaN }, 'delayMs: must be a finite number >= 0, got NaN'],
    ['an invalid Date', { runAt: new Date('nope') }, 'runAt: not a valid time'],
  ])('refuses %s, sending nothing', async (_, options, why) => {
    const { queue, sent } = setup();

    const error = await queue.enqueue(echoJob(), { n: 1 }, options).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(`[memory] enqueue of job echo rejected: ${why}`);
    expect(sent()).toEqual([]);
  });

  it('a delay beyond maxDelayMs hops: notBefore carries the full delay, the transport gets maxDelayMs', async () => {
    const { clock, queue, sent, envelope } = setup(900_000);

    await queue.enqueue(echoJob(), { n: 1 }, { delayMs: 3_600_000 });

    expect(sent()[0]!.delayMs).toBe(900_000);
    expect(envelope().notBefore).toBe(new Date(clock.now() + 3_600_000).toISOString());
  });

  it('a delay of exactly maxDelayMs does not hop', async () => {
    const { queue, sent, envelope } = setup(900_000);

    await queue.enqueue(echoJob(), { n: 1 }, { runAt: Date.UTC(2030, 0, 1) + 900_000 });

    expect([sent()[0]!.delayMs, envelope().notBefore]).toEqual([900_000, undefined]);
  });

  it('createdAt is the producer clock', async () => {
    const { clock, queue, envelope } = setup();

    await queue.enqueue(echoJob(), { n: 1 });

    expect(envelope().createdAt).toBe(new Date(clock.now()).toISOString());
  });
});
