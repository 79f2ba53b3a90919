/**
 * The platform actions of one Lambda invocation: set a record's visibility (the retry's
 * backoff), send a poison record to the dead-letter queue, re-send a record that is not due
 * yet. Made per invocation (nothing carries over to the next); the client is loaded on the
 * first action and shared by later invocations. Every call is bounded by the invocation's end.
 *
 * Kept small (it is bundled into every Lambda): failures are thrown as they come and logged by
 * the wrapper with their normalised code; the record is then reported failed.
 */
import type { Outcome } from '../../src/outcome.ts';
import { createBatcher, type Batcher } from './batcher.ts';
import { deadLetterMessage } from './dead-letter-message.ts';
import { SQS_MAX_BATCH_ENTRIES, SQS_MAX_DELAY_SECONDS, toSeconds } from './limits.ts';
import { sdkAttributes } from './lambda-records.ts';
import type { SqsRecord } from './lambda-types.ts';
import { pairProblems, redriveTarget, type QueueAddress } from './queue-url.ts';
import type { ClientHandle } from './sdk.ts';

export interface ActionEnv {
  readonly handle: ClientHandle;
  deadLetterOf(source: QueueAddress): Promise<QueueAddress>;
  secretFieldsOf(jobName: string | undefined): readonly string[];
  now(): number;
}

export interface RecordActions {
  setVisibility(record: SqsRecord, source: QueueAddress, seconds: number): Promise<void>;
  bury(record: SqsRecord, source: QueueAddress, outcome: Extract<Outcome, { type: 'buried' }>, attempt: number): Promise<void>;
  resend(record: SqsRecord, source: QueueAddress, delayMs: number): Promise<void>;
  /** Clears the invocation's timer. */
  end(): void;
}

type Change = { receipt: string; seconds: number };

/**
 * The dead-letter queue of a source queue: the configured one, or its redrive policy's target,
 * looked up once per source queue for the life of the function (a failure is not kept).
 */
export function deadLetterFinder(handle: ClientHandle, configured: QueueAddress | undefined): (source: QueueAddress) => Promise<QueueAddress> {
  const found = new Map<string, Promise<QueueAddress>>();
  return (source) => {
    if (configured !== undefined) {
      const problems = pairProblems(source, configured);
      return problems.length > 0 ? Promise.reject(new TypeError(problems.join('; '))) : Promise.resolve(configured);
    }
    let lookup = found.get(source.url);
    if (lookup === undefined) {
      lookup = (async () => {
        const { sdk, client } = await handle.get();
        const out = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: source.url, AttributeNames: ['RedrivePolicy'] }));
        const target = redriveTarget(source, out.Attributes?.RedrivePolicy);
        if (typeof target === 'string') throw new Error(`no dead-letter queue: ${target}; set deadLetterQueueUrl`);
        return target;
      })();
      lookup.catch(() => found.delete(source.url));
      found.set(source.url, lookup);
    }
    return lookup;
  };
}

export function createRecordActions(env: ActionEnv, endsAt: number): RecordActions {
  const timeout = new AbortController();
  const left = endsAt - env.now();
  const late = () => timeout.abort(new Error('the invocation is about to time out'));
  // Already late: no call starts at all (a call racing a zero timer might or might not run).
  const timer = left > 0 ? setTimeout(late, left) : (late(), undefined);
  (timer as { unref?: () => void } | undefined)?.unref?.();
  const signal = timeout.signal;
  const visibility = new Map<string, Batcher<Change>>();

  const batcherFor = (source: QueueAddress) => {
    let batcher = visibility.get(source.url);
    if (batcher === undefined) {
      batcher = createBatcher<Change>(async (changes) => {
        const { sdk, client } = await env.handle.get();
        const out = await client.send(
          new sdk.ChangeMessageVisibilityBatchCommand({ QueueUrl: source.url, Entries: changes.map((c, i) => ({ Id: String(i), ReceiptHandle: c.receipt, VisibilityTimeout: c.seconds })) }),
          { abortSignal: signal },
        );
        const errors = new Array<Error | undefined>(changes.length).fill(undefined);
        for (const f of out.Failed ?? []) errors[Number(f.Id)] = Object.assign(new Error(f.Message ?? 'failed'), { name: f.Code ?? 'Unknown' });
        return errors;
      }, SQS_MAX_BATCH_ENTRIES);
      visibility.set(source.url, batcher);
    }
    return batcher;
  };

  return {
    setVisibility(record, source, seconds) {
      return batcherFor(source).add({ receipt: record.receiptHandle, seconds });
    },

    async bury(record, source, outcome, attempt) {
      if (typeof record.body !== 'string') throw new TypeError('the record has no string body');
      const deadLetter = await env.deadLetterOf(source);
      const message = deadLetterMessage({
        body: record.body,
        reason: outcome.reason,
        detail: outcome.detail,
        attempt,
        source,
        deadLetter,
        messageId: record.messageId,
        groupId: record.attributes?.MessageGroupId,
        attributes: sdkAttributes(record.messageAttributes),
        now: env.now(),
        secretFields: env.secretFieldsOf(outcome.envelope?.name),
      });
      const { sdk, client } = await env.handle.get();
      await client.send(new sdk.SendMessageCommand(message), { abortSignal: signal });
    },

    async resend(record, source, delayMs) {
      const { sdk, client } = await env.handle.get();
      const input = { QueueUrl: source.url, MessageBody: record.body, DelaySeconds: toSeconds(delayMs, SQS_MAX_DELAY_SECONDS), MessageAttributes: sdkAttributes(record.messageAttributes) };
      await client.send(new sdk.SendMessageCommand(input), { abortSignal: signal });
    },

    end() {
      clearTimeout(timer);
    },
  };
}
