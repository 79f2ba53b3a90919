/**
 * Child process: a small Lambda runtime. It loads the SQS Lambda wrapper once (the "init"
 * phase), then answers invocations the parent sends over IPC, one at a time, as a Lambda
 * execution environment does. A SIGKILL during an invocation is a real crash: the parent's
 * event source mapping sees the invocation fail and the whole batch comes back.
 */
import { createSqsHandler } from '../../../adapters/sqs/lambda.ts';
import type { SqsEvent } from '../../../adapters/sqs/lambda-types.ts';
import { readChildConfig, type LambdaChildConfig, type ParentMessage } from '../harness/child-config.ts';
import { startChildRuntime } from '../harness/child-runtime.ts';
import { idempotencyOption } from '../harness/idempotency.ts';
import { envelopeIdOf, ledgerJob } from '../harness/jobs.ts';
import { sqsClientConfig } from '../harness/open-service.ts';

const config = readChildConfig<LambdaChildConfig>();
const runtime = startChildRuntime(config.label, config.ledgerDir);
const { ledger } = runtime;
const extra = config.idempotency ? await idempotencyOption(config.idempotency, ledger) : undefined;
const job = ledgerJob(ledger, { ...config.job, extra });

// The wrapper buries by sending to the dead-letter queue itself: its bury lines go in the ledger.
const logger: typeof runtime.logger = {
  isEnabled: (level) => runtime.logger.isEnabled(level),
  log(level, record) {
    if (record.outcome === 'buried' && typeof record.jobId === 'string') ledger.write('bury', record.jobId, Number(record.attempt) || 0, String(record.reason ?? ''));
    runtime.logger.log(level, record);
  },
};

const handler = createSqsHandler({
  jobs: [job],
  logger,
  clientConfig: sqsClientConfig(config.sqs.endpoint, config.sqs.region),
  queueUrl: config.sqs.queueUrl,
  deadLetterQueueUrl: config.sqs.deadLetterQueueUrl,
  concurrency: config.concurrency ?? 10,
  timeMarginMs: 500,
});

let busy = false;
process.on('message', (message: ParentMessage) => {
  if (message.type === 'status') {
    void runtime.send({ type: 'status', inFlight: busy ? 1 : 0, counts: { unhandled: runtime.unhandled }, events: { ...runtime.events } });
    return;
  }
  if (message.type !== 'invoke') return;
  if (busy) {
    void runtime.send({ type: 'failed', id: message.id, error: 'the runtime is busy: one invocation at a time' });
    return;
  }
  busy = true;
  const event = message.event as SqsEvent;
  for (const record of event.Records ?? []) {
    ledger.write('reserved', envelopeIdOf(record.body) ?? `transport:${record.messageId}`, Number(record.attributes?.ApproximateReceiveCount) || 1, record.messageId);
  }
  const endsAt = Date.now() + message.remainingMs;
  handler(event, { getRemainingTimeInMillis: () => endsAt - Date.now(), awsRequestId: String(message.id) }).then(
    (response) => {
      busy = false;
      // Reported as handled: the event source mapping deletes these (the function's ack). The
      // message id tells deliveries apart: a kicked or deferred copy is a new message at attempt 1.
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      for (const record of event.Records ?? []) {
        if (!failed.has(record.messageId)) ledger.write('complete', envelopeIdOf(record.body) ?? `transport:${record.messageId}`, Number(record.attributes?.ApproximateReceiveCount) || 1, record.messageId);
      }
      void runtime.send({ type: 'result', id: message.id, response });
    },
    (error: unknown) => {
      busy = false;
      void runtime.send({ type: 'failed', id: message.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    },
  );
});

process.on('SIGTERM', () => {
  ledger.close();
  process.exit(0);
});

await runtime.send({ type: 'ready' });
