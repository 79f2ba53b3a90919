/** enqueueMany: validates every item first (nothing sent if one is bad), then sends in chunks of maxBatchSize. */
import { describe, expect, it } from 'vitest';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { UnsupportedError, ValidationError } from '../../src/errors.ts';
import type { OutgoingJob } from '../../src/service.ts';
import { createQueue, type EnqueueItem } from '../../src/queue.ts';
import { echoJob, spyService } from './helpers.ts';

const items = (count: number, bad: number[] = []): EnqueueItem[] => Array.from({ length: count }, (_, i) => ({ job: echoJob(), payload: { n: bad.includes(i) ? ('x' as never) : i } }));

describe('enqueueMany', () => {
  it('sends in chunks of the adapter batch size, in order, reporting progress after each', async () => {
    const service = spyService(createMemoryService({ maxBatchSize: 4 }));
    const progress: Array<[number, number]> = [];

    const results = await createQueue({ service }).enqueueMany(items(10), { onProgress: (sent, total) => progress.push([sent, total]) });

    expect(service.callsOf('enqueue').map((c) => (c.args[0] as OutgoingJob[]).length)).toEqual([4, 4, 2]);
    expect(progress).toEqual([[4, 10], [8, 10], [10, 10]]);
    expect(results.map((r) => r.ok)).toEqual(Array(10).fill(true));
    const sentPayloads = service.callsOf('enqueue').flatMap((c) => (c.args[0] as OutgoingJob[]).map((j) => (JSON.parse(j.body) as { payload: { n: number } }).payload.n));
    expect(sentPayloads).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('validates all items first: one bad item and nothing is sent, every bad one named by index', async () => {
    const service = spyService(createMemoryService({ maxBatchSize: 2 }));

    const error = await createQueue({ service }).enqueueMany(items(6, [1, 4])).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^\[memory\] enqueueMany rejected, nothing was sent: \[1\] .*invalid payload: n: .* \| \[4\] .*invalid payload: n: /);
    expect(service.callsOf('enqueue')).toEqual([]);
  });

  it('keeps the error of an unsupported option as the cause', async () => {
    const service = spyService(createMemoryService(), { features: { dedupe: true, groups: false, priority: true } });

    const error = (await createQueue({ service }).enqueueMany([{ job: echoJob(), payload: { n: 1 }, options: { groupKey: 'g' } }]).catch((e: unknown) => e)) as ValidationError;

    expect(error.message).toMatch(/\[0\] \[memory\] groupKey is not supported/);
    expect(error.cause).toBeInstanceOf(UnsupportedError);
  });

  it('an empty list sends nothing and resolves to no results', async () => {
    const service = spyService(createMemoryService());

    expect(await createQueue({ service }).enqueueMany([])).toEqual([]);
    expect(service.callsOf('enqueue')).toEqual([]);
  });

  it('a chunk the transport refuses is reported per job; the other chunks still go', async () => {
    let call = 0;
    const service = spyService(createMemoryService({ maxBatchSize: 2 }), {
      enqueue: (inner, jobs: OutgoingJob[]) => (++call === 2 ? Promise.reject(new Error('throttled')) : inner.enqueue(jobs)),
    });

    const results = await createQueue({ service }).enqueueMany(items(6));

    expect(results.map((r) => (r.ok ? 'ok' : r.error.message))).toEqual(['ok', 'ok', 'throttled', 'throttled', 'ok', 'ok']);
    expect(results.map((r) => r.id)).toEqual(service.callsOf('enqueue').flatMap((c) => (c.args[0] as OutgoingJob[]).map((j) => j.id)));
  });

  it('an adapter that returns too few results: the missing ones are reported as failed, in place', async () => {
    const service = spyService(createMemoryService({ maxBatchSize: 3 }), {
      enqueue: async (inner, jobs: OutgoingJob[]) => (await inner.enqueue(jobs)).slice(0, 1),
    });
    const progress: number[] = [];

    const results = await createQueue({ service }).enqueueMany(items(5), { onProgress: (sent) => progress.push(sent) });

    expect(results.map((r) => r.ok)).toEqual([true, false, false, true, false]);
    expect(results.every((r) => r.ok || /returned no result for this job/.test(r.error.message))).toBe(true);
    expect(progress).toEqual([3, 5]);
  });
});
