/**
 * Pull mode beyond the contract suite: stale receipts, the dead-letter record of a pull
 * queue, a dead-letter queue shared by two queues, and argument checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.ts';
import { bodyText, makeOutgoing, tagOf } from '../contract/index.ts';
import { CALL, PARENT, startEmulatorRig, type EmulatorRig } from './helpers/emulator.ts';

let rig: EmulatorRig;
beforeAll(async () => {
  rig = await startEmulatorRig({ clock: 'manual' });
});
afterAll(() => rig.close());

async function pullService(deadLetterQueueId?: string) {
  const queues = await rig.queues('pull');
  const now = () => rig.emulator.clock.now();
  return rig.service({ mode: 'pull', ...queues, ...(deadLetterQueueId ? { deadLetterQueueId } : {}), now });
}

describe('cloud-tasks pull mode', () => {
  it('the attempt is the dispatch count; a receipt from an ended lease is stale and leaves the new holder alone', async () => {
    const service = await pullService();
    await service.enqueue([makeOutgoing('a')]);
    const [old] = await service.reserve!({ max: 1, leaseMs: 1_000 });
    expect(old!.attempt).toBe(1);
    await rig.emulator.clock.advance(1_000);
    const [current] = await service.reserve!({ max: 1, leaseMs: 60_000 });
    expect(current!.attempt).toBe(2);
    for (const settle of [() => service.complete(old!), () => service.release(old!, 0), () => service.touch!(old!, 5_000)]) {
      const error = await settle().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: 'StaleReceipt', retryable: false });
      expect((error as Error).message).toMatch(/^\[cloud-tasks\] (complete|release|touch) failed: receipt .* is not current/);
    }
    await service.touch!(current!, 30_000);
    await service.complete(current!); // the touched lease's new schedule time is used
    expect(await service.reserve!({ max: 10, leaseMs: 1_000 })).toEqual([]);
  });

  it('buries into a pull dead-letter queue: a line of facts, then the body unchanged', async () => {
    const service = await pullService();
    const outgoing = makeOutgoing('poison');
    await service.enqueue([outgoing]);
    const [job] = await service.reserve!({ max: 1, leaseMs: 60_000 });
    await service.bury(job!, { reason: 'permanent-error', detail: 'the order was cancelled', attempt: 1 });
    const [stored] = (await rig.adminBeta.listTasks({ parent: service.deadLetterQueuePath!, responseView: 'FULL' }, CALL as never))[0];
    const payload = Buffer.from(stored!.pullMessage!.payload as Uint8Array).toString();
    const [head, ...rest] = payload.split('\n');
    expect(head).toMatch(/^jobferry-buried \{"reason":"permanent-error","detail":"the order was cancelled","attempt":1,/);
    expect(rest.join('\n')).toBe(outgoing.body);
    expect(await service.listBuried()).toMatchObject([{ reason: 'permanent-error', body: outgoing.body, sourceQueue: service.queue }]);
  });

  it('kick moves back only its own queue\'s jobs from a shared dead-letter queue', async () => {
    const first = await pullService();
    const shared = first.deadLetterQueuePath!.split('/').pop()!;
    const second = await pullService(shared);
    for (const [service, tag] of [[first, 'one'], [second, 'two']] as const) {
      await service.enqueue([makeOutgoing(tag)]);
      const [job] = await service.reserve!({ max: 1, leaseMs: 60_000 });
      await service.bury(job!, { reason: 'permanent-error', detail: 'no', attempt: 1 });
    }
    expect((await first.listBuried()).map((b) => b.sourceQueue).sort()).toEqual([first.queue, second.queue].sort());
    expect(await second.kick()).toBe(1);
    const [back] = await second.reserve!({ max: 10, leaseMs: 60_000 });
    expect([tagOf(back!), back!.attempt]).toEqual(['two', 1]);
    expect(await first.reserve!({ max: 10, leaseMs: 60_000 })).toEqual([]);
    expect((await first.listBuried()).map((b) => tagOf(b))).toEqual(['one']);
    expect(bodyText((await first.listBuried())[0]!.body)).toContain('"tag":"one"');
  });

  it('checks its arguments', async () => {
    const service = await pullService();
    await expect(service.reserve!({ max: 0, leaseMs: 1_000 })).rejects.toThrow(/reserve failed: max must be an integer from 1 to 1000/);
    await expect(service.reserve!({ max: 1, leaseMs: 8 * 24 * 3_600_000 })).rejects.toThrow(/leaseMs must be a number of ms from 1 to/);
    const fake = { body: '{}', receipt: 'nonsense', attempt: 1, transportId: 'x' };
    await expect(service.complete(fake)).rejects.toMatchObject({ code: 'StaleReceipt' });
    expect(`${PARENT}/queues/${service.queue}`).toBe(service.queuePath);
  });
});
