/**
 * Bugs the reliability suites found in code outside them, as tests that fail while the bug is
 * there (`it.fails`: vitest passes them while they fail). When the owner fixes one, its test
 * passes, vitest reports the `it.fails` as failed, and the `.fails` goes.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator, uniqueQueueName, type SqsEmulator } from '../../adapters/sqs/emulator.ts';
import { createEventSourceMapping } from '../../adapters/sqs/event-source.ts';

let sqs: SqsEmulator;
beforeAll(async () => {
  sqs = await startSqsEmulator();
});
afterAll(async () => {
  await sqs?.stop();
});

describe('known bugs', () => {
  // adapters/sqs/event-source.ts: loop() awaits invoke() outside its try, and invoke()'s
  // DeleteMessageBatch is not caught: when the delete after an invocation fails (the queue is
  // gone, throttling, a reset), the poller's promise rejects (an unhandled rejection), that
  // poller never polls again, and stop() rejects. Lambda keeps polling: a failed delete only
  // means the messages come back after their visibility timeout.
  // Fix: in loop(), `try { await invoke(messages) } catch { await sleep(100) }` (or catch the
  // delete in invoke() and record it on the Invocation), as the receive errors already are.
  it.fails('the event source mapping keeps polling after a delete that failed', { timeout: 20_000 }, async () => {
    const name = uniqueQueueName('esm-delete');
    const queue = await sqs.createQueue(name);
    const client = await sqs.client();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let deleted!: () => void;
    const queueGone = new Promise<void>((resolve) => (deleted = resolve));
    let first = true;
    const mapping = createEventSourceMapping({
      client,
      queueUrl: queue.queueUrl,
      maximumConcurrency: 1,
      waitTimeSeconds: 1,
      handler: async () => {
        // The queue disappears during the first invocation: the delete after it fails.
        if (first) {
          first = false;
          await queue.delete();
          deleted();
        }
        return {};
      },
    });
    try {
      await client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'first' }));
      mapping.start();
      await queueGone;
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sqs.createQueue(name);
      await client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'second' }));

      await mapping.waitFor((calls) => calls.some((c) => c.event.Records.some((r) => r.body === 'second')), 5_000);
      await mapping.stop();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await mapping.stop().catch(() => {});
      await queue.delete();
    }
  });
});
