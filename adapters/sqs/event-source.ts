/**
 * A local Lambda event source mapping for tests: polls a queue, invokes a handler with a
 * faithful SQSEvent, and applies the answer as Lambda documents it for ReportBatchItemFailures:
 *
 * - the handler resolves with nothing, `{}`, or an empty or null `batchItemFailures`: every
 *   record is deleted;
 * - `batchItemFailures` lists records: those stay (they come back after their visibility
 *   timeout), the others are deleted;
 * - the handler throws or rejects, runs past the function timeout, or answers something
 *   malformed (an item without an `itemIdentifier`, an empty one, an id not in the batch, a
 *   `batchItemFailures` that is not an array, a value that is not JSON): the whole batch fails,
 *   nothing is deleted.
 *
 * @example
 * ```ts
 * const mapping = createEventSourceMapping({ client, queueUrl, handler, batchSize: 10 });
 * mapping.start();
 * await mapping.waitFor((invocations) => invocations.length >= 3);
 * await mapping.stop();
 * ```
 */
import type { Message } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { eventRecordOf } from './event-record.ts';
import { lambdaContext } from './fixtures.ts';
import type { SqsEvent } from './lambda-types.ts';
import { parseQueueUrl } from './queue-url.ts';
import { loadSqsSdk, type SQSClient } from './sdk.ts';

export interface EventSourceMappingOptions {
  client: SQSClient;
  queueUrl: string;
  handler: (event: SqsEvent, context: ReturnType<typeof lambdaContext>) => unknown;
  /** Records per invocation: 1..10 (FIFO), 1..10000 (standard). Default 10. */
  batchSize?: number;
  /** Gather records for up to this long before invoking with fewer than batchSize. Default 0. */
  maximumBatchingWindowMs?: number;
  /** Invocations at once. Default 2 (Lambda's minimum for this setting). */
  maximumConcurrency?: number;
  /** The function's timeout: the context's remaining time, and the end of a hanging invocation. Default 30_000. */
  functionTimeoutMs?: number;
  /** false: Lambda ignores the answer; a resolved invocation deletes every record. Default true. */
  reportBatchItemFailures?: boolean;
  /** Long poll of each receive. Default 1 (s): stop() waits for polls in flight. */
  waitTimeSeconds?: number;
  /** How many of the latest invocations `invocations` keeps (a long-running mapping). Default: all. */
  keepInvocations?: number;
}

export interface Invocation {
  readonly event: SqsEvent;
  readonly outcome: 'success' | 'partial' | 'failed';
  /** Why the batch failed as a whole. */
  readonly reason?: string;
  readonly response?: unknown;
  readonly error?: unknown;
  /** messageIds deleted after the invocation. */
  readonly deleted: readonly string[];
  /** messageIds left in the queue. */
  readonly kept: readonly string[];
}

export interface EventSourceMapping {
  start(): void;
  /** Stops polling; resolves when polls and invocations in flight are done. */
  stop(): Promise<void>;
  readonly invocations: readonly Invocation[];
  /** Resolves once `predicate(invocations)` holds (checked after each invocation). */
  waitFor(predicate: (invocations: readonly Invocation[]) => boolean, timeoutMs?: number): Promise<readonly Invocation[]>;
}

export function createEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const address = parseQueueUrl(options.queueUrl);
  const batchSize = options.batchSize ?? 10;
  const limit = address.fifo ? 10 : 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > limit) throw new RangeError(`batchSize must be an integer from 1 to ${limit}, got ${String(batchSize)}`);
  const windowMs = options.maximumBatchingWindowMs ?? 0;
  if (!(windowMs >= 0 && windowMs <= 300_000)) throw new RangeError(`maximumBatchingWindowMs must be from 0 to 300000, got ${String(windowMs)}`);
  const concurrency = options.maximumConcurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`maximumConcurrency must be an integer >= 1, got ${String(concurrency)}`);
  const timeoutMs = options.functionTimeoutMs ?? 30_000;
  const waitSeconds = options.waitTimeSeconds ?? 1;
  const report = options.reportBatchItemFailures !== false;
  const { client } = options;
  const invocations: Invocation[] = [];
  const keepInvocations = options.keepInvocations ?? Infinity;
  if (!(keepInvocations === Infinity || (Number.isInteger(keepInvocations) && keepInvocations >= 1))) throw new RangeError(`keepInvocations must be an integer >= 1, got ${String(keepInvocations)}`);
  const watchers = new Set<() => void>();
  let running = false;
  let loops: Promise<void>[] = [];
  let queueArn: Promise<string> | undefined;

  const arnOf = () =>
    (queueArn ??= loadSqsSdk().then(async (sdk) => {
      const out = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: address.url, AttributeNames: ['QueueArn'] }));
      return out.Attributes?.QueueArn ?? `arn:aws:sqs:${address.region ?? 'us-east-1'}:${address.account ?? '000000000000'}:${address.name}`;
    }));

  const poll = async (): Promise<Message[]> => {
    const sdk = await loadSqsSdk();
    const got: Message[] = [];
    const windowEnds = Date.now() + windowMs;
    do {
      const left = windowEnds - Date.now();
      const out = await client.send(
        new sdk.ReceiveMessageCommand({
          QueueUrl: address.url,
          MaxNumberOfMessages: Math.min(10, batchSize - got.length),
          WaitTimeSeconds: got.length === 0 ? waitSeconds : Math.min(waitSeconds, Math.max(0, Math.floor(left / 1000))),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = out.Messages ?? [];
      got.push(...messages);
      // Inside the window an empty receive (a short one, under a second left) just waits a little.
      if (messages.length === 0 && got.length > 0) await new Promise((r) => setTimeout(r, Math.min(100, Math.max(0, windowEnds - Date.now()))));
    } while (running && got.length < batchSize && got.length > 0 && Date.now() < windowEnds);
    return got;
  };

  const invoke = async (messages: Message[]) => {
    const sdk = await loadSqsSdk();
    const arn = await arnOf();
    const region = arn.split(':')[3] ?? 'us-east-1';
    const event: SqsEvent = { Records: messages.map((m) => eventRecordOf(m, arn, region)) };
    const ids = new Set(event.Records.map((r) => r.messageId));
    let response: unknown;
    let error: unknown;
    let reason: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const context = lambdaContext({ remainingMs: timeoutMs, functionName: `esm-${randomUUID().slice(0, 8)}` });
      const timedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Task timed out after ${timeoutMs} ms`)), timeoutMs)));
      response = await Promise.race([Promise.resolve().then(() => options.handler(structuredClone(event), context)), timedOut]);
    } catch (e) {
      error = e;
      reason = `the invocation failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      clearTimeout(timer);
    }
    const kept = new Set<string>();
    if (reason === undefined && report) {
      const verdict = readResponse(response, ids);
      if (typeof verdict === 'string') reason = verdict;
      else for (const id of verdict) kept.add(id);
    }
    const toDelete = reason === undefined ? event.Records.filter((r) => !kept.has(r.messageId)) : [];
    for (let i = 0; i < toDelete.length; i += 10) {
      const chunk = toDelete.slice(i, i + 10);
      await client.send(new sdk.DeleteMessageBatchCommand({ QueueUrl: address.url, Entries: chunk.map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })) }));
    }
    invocations.push({
      event,
      outcome: reason !== undefined ? 'failed' : kept.size > 0 ? 'partial' : 'success',
      reason,
      response,
      error,
      deleted: toDelete.map((r) => r.messageId),
      kept: reason !== undefined ? [...ids] : [...kept],
    });
    if (invocations.length > keepInvocations) invocations.splice(0, invocations.length - keepInvocations);
    for (const wake of [...watchers]) wake();
  };

  const loop = async () => {
    while (running) {
      let messages: Message[];
      try {
        messages = await poll();
      } catch {
        // A receive failed (queue deleted at the end of a test): try again shortly, as Lambda does.
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (messages.length === 0) continue;
      try {
        await invoke(messages);
      } catch {
        // The delete after an invocation failed (queue gone, throttling, a reset): as on Lambda,
        // the messages simply come back after their visibility timeout. Keep polling.
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      loops = Array.from({ length: concurrency }, () => loop());
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    invocations,
    waitFor(predicate, waitMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(invocations)) return false;
          cleanup();
          resolve(invocations);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`waitFor: condition not met after ${waitMs} ms and ${invocations.length} invocations`));
        }, waitMs);
        const cleanup = () => {
          clearTimeout(timer);
          watchers.delete(watch);
        };
        const watch = () => void check();
        if (check()) return;
        watchers.add(watch);
      });
    },
  };
}

/** The ids to keep, or why the answer fails the whole batch. */
function readResponse(response: unknown, ids: ReadonlySet<string>): string[] | string {
  if (response === undefined || response === null) return [];
  let json: string | undefined;
  try {
    json = JSON.stringify(response);
  } catch {
    return 'the response is not JSON';
  }
  if (json === undefined) return [];
  if (typeof response !== 'object' || Array.isArray(response)) return `the response is not an object: ${json.slice(0, 100)}`;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) return 'batchItemFailures is not an array';
  const kept: string[] = [];
  for (const item of failures) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string') return `a batch item failure has no itemIdentifier: ${JSON.stringify(item)}`;
    if (id === '') return 'a batch item failure has an empty itemIdentifier';
    if (!ids.has(id)) return `itemIdentifier ${JSON.stringify(id)} is not a messageId of this batch`;
    kept.push(id);
  }
  return kept;
}
