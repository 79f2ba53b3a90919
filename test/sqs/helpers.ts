/** Fixtures of the SQS tests: one fauxqs per test file, fresh queues per test. */
import { afterAll } from 'vitest';
import { startSqsEmulator, uniqueQueueName, type CreateTestQueueOptions, type SqsEmulator, type TestQueue } from '../../adapters/sqs/emulator.ts';
import { deferred, type Deferred } from '../support/deferred.ts';

let emulator: Promise<SqsEmulator> | undefined;

/** The file's emulator, started on first use and stopped after the file's tests. */
export function sharedEmulator(): Promise<SqsEmulator> {
  if (emulator === undefined) {
    emulator = startSqsEmulator();
    afterAll(async () => {
      await (await emulator!).stop();
    });
  }
  return emulator;
}

export async function freshQueue(prefix: string, options: CreateTestQueueOptions = {}): Promise<TestQueue> {
  const sqs = await sharedEmulator();
  return sqs.createQueue(uniqueQueueName(prefix, options.fifo === true), options);
}

export { deferred, type Deferred };
