/** Fixtures of the Lambda wrapper tests: jobs, real received events, request counting. */
import type { Message } from '@aws-sdk/client-sqs';
import { ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { defineJob, PermanentError } from '../../src/index.ts';
import { eventRecordOf } from '../../adapters/sqs/event-record.ts';
import type { SqsEvent } from '../../adapters/sqs/lambda-types.ts';
import type { TestQueue } from '../../adapters/sqs/emulator.ts';

export interface JobLog {
  /** `tag@attempt` of every handler run, in run order. */
  readonly runs: string[];
}

/**
 * Jobs driven by their payload: `{ tag, mode }` with mode ok | fail (retryable) | fail-once |
 * permanent | hang (waits for its signal) | hang-once. Backoff is a fixed second, so retries
 * come back soon.
 */
export function makeJobs(log: JobLog, policy: { maxAttempts?: number } = {}) {
  const task = defineJob({
    name: 'task',
    schema: z.object({ tag: z.string(), mode: z.enum(['ok', 'fail', 'fail-once', 'permanent', 'hang', 'hang-once']).default('ok') }),
    maxAttempts: policy.maxAttempts ?? 3,
    backoff: { type: 'fixed', delayMs: 1_000 },
    timeoutMs: 10_000,
    async handler({ tag, mode }, ctx) {
      log.runs.push(`${tag}@${ctx.attempt}`);
      if (mode === 'fail' || (mode === 'fail-once' && ctx.attempt === 1)) throw new Error(`boom ${tag}`);
      if (mode === 'permanent') throw new PermanentError(`never ${tag}`);
      if (mode === 'hang' || (mode === 'hang-once' && ctx.attempt === 1)) await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
    },
  });
  return [task];
}

/** Sends `bodies` and receives them all (standard queue), as the event Lambda would get. */
export async function receivedEvent(client: SQSClient, queue: TestQueue, bodies: string[], visibilityTimeout = 30): Promise<SqsEvent> {
  for (let i = 0; i < bodies.length; i += 10) {
    await client.send(new SendMessageBatchCommand({ QueueUrl: queue.queueUrl, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })) }));
  }
  const got: Message[] = [];
  for (let round = 0; got.length < bodies.length && round < 20; round++) {
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: visibilityTimeout, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }));
    got.push(...(out.Messages ?? []));
  }
  // Keep the order the bodies were sent in: tests name records by position.
  got.sort((a, b) => bodies.indexOf(a.Body!) - bodies.indexOf(b.Body!));
  return { Records: got.map((m) => eventRecordOf(m, queue.queueArn, 'us-east-1')) };
}

/** Counts the HTTP requests a real client makes (a middleware on its stack; nothing is faked). */
export function countRequests(client: SQSClient): { readonly count: number; readonly commands: string[] } {
  const seen = { count: 0, commands: [] as string[] };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      seen.count++;
      seen.commands.push(String((context as { commandName?: string }).commandName));
      return next(args);
    },
    { step: 'initialize', name: `jobferryCount${Math.random()}` },
  );
  return seen;
}
