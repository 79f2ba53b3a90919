/**
 * jobferry/sqs/lambda: the Lambda push wrapper, `(SQSEvent, Context) -> SQSBatchResponse`.
 * Every record goes through the one pipeline; this module only translates its outcome:
 *
 * - completed: not reported (Lambda deletes it);
 * - retry: the record's visibility is set to the job's backoff delay, then it is reported in
 *   `batchItemFailures` (Lambda leaves it; it comes back after the delay);
 * - buried (poison, exhausted): sent to the dead-letter queue with the reason, then NOT
 *   reported, so Lambda deletes it (no receives burned); if the send fails it is reported;
 * - deferred (not due): standard queue: re-sent with the remaining delay (<= 900 s), not
 *   reported; FIFO queue: its visibility is set to the delay and it is reported (keeps order).
 *
 * FIFO queues: records run one after another; after the first failure in a message group every
 * later record of that group is reported failed without being run. Time budget: a record not
 * started when `getRemainingTimeInMillis() - timeMarginMs` has run out is reported failed, and
 * a running one is aborted at that deadline, so a Lambda timeout never redelivers a whole batch.
 *
 * Cold start: this module loads neither @aws-sdk/client-sqs (until a record needs an SQS call,
 * then once) nor node:http.
 *
 * @example
 * ```ts
 * import { createSqsHandler } from 'jobferry/sqs/lambda';
 * import { sendEmail } from './jobs.ts';
 * export const handler = createSqsHandler({ jobs: [sendEmail] });
 * ```
 */
import { describeError } from '../../src/errors.ts';
import type { AnyJob } from '../../src/job.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import type { Outcome } from '../../src/outcome.ts';
import { createPipeline, type Pipeline } from '../../src/pipeline.ts';
import { sqsErrorCode } from './error-code.ts';
import { SQS_MAX_MESSAGE_BYTES, SQS_MAX_VISIBILITY_SECONDS, toSeconds } from './limits.ts';
import { createRecordActions, deadLetterFinder, type ActionEnv, type RecordActions } from './lambda-actions.ts';
import { attemptOf, groupOf, recordsOf, sourceResolver, type QueueUrlOption } from './lambda-records.ts';
import type { LambdaContextLike, SqsBatchResponse, SqsEvent, SqsHandler, SqsRecord } from './lambda-types.ts';
import { parseQueueUrl, type QueueAddress } from './queue-url.ts';
import { clientHandle, type SQSClient, type SQSClientConfig } from './sdk.ts';

export type { LambdaContextLike, SqsBatchItemFailure, SqsBatchResponse, SqsEvent, SqsHandler, SqsRecord, SqsRecordAttributes, SqsRecordMessageAttribute } from './lambda-types.ts';

export interface SqsHandlerOptions {
  jobs: Iterable<AnyJob> | Record<string, AnyJob>;
  logger?: Logger;
  /** Client for dead-letter sends and visibility changes. Default: one made on the first need. */
  client?: SQSClient;
  clientConfig?: SQSClientConfig;
  /** Where poison records go. Default: the target of the source queue's redrive policy (looked up once). */
  deadLetterQueueUrl?: string;
  /** URL of the source queue. Default: the AWS URL its eventSourceARN names (emulators need this). */
  queueUrl?: QueueUrlOption;
  /** Records of a standard queue run at once, at most. Default 10. FIFO: always one after another. */
  concurrency?: number;
  /**
   * Time kept back at the end of an invocation for the SQS calls and the answer. Default 1000
   * (a running record is aborted at the budget's end, give or take the pipeline's watchdog tick).
   */
  timeMarginMs?: number;
  /** Set a retried record's visibility to the job's backoff (one SQS call). false: the queue's visibility timeout is the delay. Default true. */
  applyBackoff?: boolean;
  /** Largest body run; larger ones are buried. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Queue name in log lines. Default: the name in `queueUrl`, else the name in the records' ARN. */
  queue?: string;
  /** Reuse a pipeline (its jobs, logger and queue name). */
  pipeline?: Pipeline;
  /** Clock of the time budget and of the pipeline, for tests. Default Date.now. */
  now?: () => number;
}

// A record received this many seconds before its retry is still under SQS's 12 h cap: Lambda
// runs at most 15 min and the batching window at most 5.
const VISIBILITY_CAP_SECONDS = SQS_MAX_VISIBILITY_SECONDS - 20 * 60;

export function createSqsHandler(options: SqsHandlerOptions): SqsHandler {
  const logger = options.logger ?? options.pipeline?.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? SQS_MAX_MESSAGE_BYTES;
  // One pipeline per queue name (for its log lines): built now when the name is known, else on
  // the first record of a queue. A function is fed by one queue, so this is one pipeline.
  const pipelines = new Map<string, Pipeline>();
  const pipelineFor = (queue: string): Pipeline => {
    let found = options.pipeline ?? pipelines.get(queue);
    if (found === undefined) pipelines.set(queue, (found = createPipeline({ jobs: options.jobs, adapter: 'sqs', queue, maxBodyBytes, logger, now })));
    return found;
  };
  const knownQueue = options.queue ?? (typeof options.queueUrl === 'string' ? parseQueueUrl(options.queueUrl, 'queueUrl').name : undefined);
  const pipeline = pipelineFor(knownQueue ?? 'sqs');
  const concurrency = options.concurrency ?? 10;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError(`[sqs] createSqsHandler failed: concurrency must be an integer >= 1, got ${String(concurrency)}`);
  const timeMarginMs = options.timeMarginMs ?? 1_000;
  if (!(timeMarginMs >= 0) || !Number.isFinite(timeMarginMs)) throw new RangeError(`[sqs] createSqsHandler failed: timeMarginMs must be a number >= 0, got ${String(timeMarginMs)}`);
  const applyBackoff = options.applyBackoff !== false;
  const configuredDeadLetter = options.deadLetterQueueUrl === undefined ? undefined : parseQueueUrl(options.deadLetterQueueUrl, 'deadLetterQueueUrl');
  const sourceOf = sourceResolver(options.queueUrl);
  const handle = clientHandle(options);
  const env: ActionEnv = {
    handle,
    now,
    deadLetterOf: deadLetterFinder(handle, configuredDeadLetter),
    secretFieldsOf: (name) => (name === undefined ? [] : (pipeline.jobs.get(name)?.secretFields ?? [])),
  };

  return async function handler(event: SqsEvent, context: LambdaContextLike): Promise<SqsBatchResponse> {
    const records = recordsOf(event);
    const startedAt = now();
    const remaining = Number(context?.getRemainingTimeInMillis?.());
    const endsAt = Number.isFinite(remaining) ? startedAt + remaining : Infinity;
    const budgetEnd = endsAt - timeMarginMs;
    const failed = new Uint8Array(records.length);
    let actions: RecordActions | undefined;
    const act = () => (actions ??= createRecordActions(env, endsAt - Math.min(50, timeMarginMs)));

    const warn = (record: SqsRecord, what: string, error: unknown) =>
      logger.log('error', { event: 'lambda.action-failed', adapter: 'sqs', transportId: record.messageId, detail: `${what}; reported failed, it comes back`, error: { name: sqsErrorCode(error), message: describeError(error).message } });

    /** Outcome (not completed) -> platform action; true when the record must be reported failed. */
    const apply = (record: SqsRecord, source: QueueAddress, outcome: Outcome, attempt: number): boolean | Promise<boolean> => {
      const reported = (what: string) => (error: unknown) => (warn(record, what, error), true);
      switch (outcome.type) {
        case 'completed':
          return false;
        case 'retry':
          if (!applyBackoff) return true;
          return act().setVisibility(record, source, toSeconds(outcome.delayMs, VISIBILITY_CAP_SECONDS)).then(() => true, reported('setting the retry delay failed'));
        case 'buried':
          return act().bury(record, source, outcome, attempt).then(() => false, reported('sending it to the dead-letter queue failed'));
        case 'deferred':
          // FIFO queues have no per-message delay; holding the record keeps its group in order.
          if (source.fifo) return act().setVisibility(record, source, toSeconds(outcome.delayMs, VISIBILITY_CAP_SECONDS)).then(() => true, reported('holding a record that is not due failed'));
          return act().resend(record, source, outcome.delayMs).then(() => false, reported('re-sending a record that is not due failed'));
      }
    };

    /** Runs one record; true when it must be reported failed. Completed records cost no extra await. */
    const runOne = (record: SqsRecord): boolean | Promise<boolean> => {
      if (now() >= budgetEnd) return true; // not started: the time budget ran out
      let source: QueueAddress;
      try {
        source = sourceOf(record.eventSourceARN);
      } catch (error) {
        warn(record, 'its source queue is unknown', error);
        return true;
      }
      const attempt = attemptOf(record);
      const run = knownQueue === undefined ? pipelineFor(source.name) : pipeline;
      return run.run({ body: record.body, attempt, transportId: record.messageId, deadline: budgetEnd }).then((outcome) => {
        if (outcome.type === 'completed') return false;
        try {
          return apply(record, source, outcome, attempt);
        } catch (error) {
          warn(record, `applying outcome ${outcome.type} failed`, error);
          return true;
        }
      });
    };

    try {
      const fifo = records.length > 0 && String(records[0]!.eventSourceARN).endsWith('.fifo');
      if (fifo) {
        const blocked = new Set<string>();
        for (let i = 0; i < records.length; i++) {
          const record = records[i]!;
          const group = groupOf(record) ?? '';
          if (blocked.has(group) || (await runOne(record))) {
            failed[i] = 1;
            blocked.add(group);
          }
        }
      } else if (records.length <= concurrency) {
        const results = await Promise.all(records.map(runOne));
        for (let i = 0; i < results.length; i++) if (results[i]) failed[i] = 1;
      } else {
        let next = 0;
        const lane = async () => {
          while (next < records.length) {
            const i = next++;
            if (await runOne(records[i]!)) failed[i] = 1;
          }
        };
        const lanes: Promise<void>[] = [];
        for (let k = concurrency; k > 0; k--) lanes.push(lane());
        await Promise.all(lanes);
      }
    } finally {
      actions?.end();
    }
    const batchItemFailures: SqsBatchResponse['batchItemFailures'] = [];
    for (let i = 0; i < records.length; i++) if (failed[i] === 1) batchItemFailures.push({ itemIdentifier: records[i]!.messageId });
    return { batchItemFailures };
  };
}
