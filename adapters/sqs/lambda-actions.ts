/**
 * The platform actions of one Lambda invocation: set a record's visibility (the retry's
 * backoff), send a poison record to the dead-letter queue, re-send a record that is not due
 * yet. Made per invocation (nothing carries over to the next); the client is loaded on the
 * first action and shared by later invocations. Every call is bounded by the invocation's end.
 */
import type { Outcome } from '../../src/outcome.ts';
import { createBatcher, type Batcher } from './batcher.ts';
import { deadLetterMessage } from './dead-letter-message.ts';
import { batchEntryError, forOperation, sqsError, toTransportError } from './errors.ts';
import { SQS_MAX_BATCH_ENTRIES, SQS_MAX_DELAY_SECONDS, toSeconds } from './limits.ts';
import { sdkAttributes } from './lambda-records.ts';
import type { SqsRecord } from './lambda-types.ts';
import type { QueueAddress } from './queue-url.ts';
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
        for (const f of out.Failed ?? []) {
          const i = Number(f.Id);
          if (i >= 0 && i < changes.length) errors[i] = batchEntryError(f, 'ChangeMessageVisibilityBatch', source.name);
        }
        return errors;
      }, SQS_MAX_BATCH_ENTRIES);
      visibility.set(source.url, batcher);
    }
    return batcher;
  };

  return {
    async setVisibility(record, source, seconds) {
      try {
        await batcherFor(source).add({ receipt: record.receiptHandle, seconds });
      } catch (error) {
        throw forOperation(error, 'setting the retry delay (ChangeMessageVisibility)', source.name);
      }
    },

    async bury(record, source, outcome, attempt) {
      if (typeof record.body !== 'string') throw sqsError('bury', 'the record has no string body to send to the dead-letter queue', 'InvalidArgument', source.name);
      const deadLetter = await env.deadLetterOf(source);
      let message;
      try {
        message = deadLetterMessage({
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
      } catch (error) {
        throw sqsError('bury', (error as Error).message, 'MessageTooLarge', source.name);
      }
      const { sdk, client } = await env.handle.get();
      try {
        await client.send(new sdk.SendMessageCommand(message), { abortSignal: signal });
      } catch (error) {
        throw toTransportError(error, `bury (SendMessage to ${deadLetter.name})`, source.name);
      }
    },

    async resend(record, source, delayMs) {
      const { sdk, client } = await env.handle.get();
      try {
        await client.send(
          new sdk.SendMessageCommand({
            QueueUrl: source.url,
            MessageBody: record.body,
            DelaySeconds: toSeconds(delayMs, SQS_MAX_DELAY_SECONDS),
            MessageAttributes: sdkAttributes(record.messageAttributes),
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        throw toTransportError(error, 'deferring a job that is not due (SendMessage)', source.name);
      }
    },

    end() {
      clearTimeout(timer);
    },
  };
}
