/**
 * Redaction on SQS (fauxqs, the real @aws-sdk/client-sqs): jobs with secrets in their payload
 * are buried (permanent, exhausted, invalid) by a pull worker and by the Lambda wrapper; the
 * dead-letter messages' attributes (reason, detail, source, ...) and every log line hold no
 * secret, and the body arrives unchanged, so a kick runs the job again.
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator, uniqueQueueName, type SqsEmulator, type TestQueue } from '../../adapters/sqs/emulator.ts';
import { eventRecordOf } from '../../adapters/sqs/event-record.ts';
import { lambdaContext } from '../../adapters/sqs/fixtures.ts';
import { createSqsService } from '../../adapters/sqs/index.ts';
import { createSqsHandler } from '../../adapters/sqs/lambda.ts';
import { createWorker } from '../../src/worker.ts';
import { runs, tally } from './figures.ts';
import { capturingLogger, crashTrap } from './helpers.ts';
import { redactionJobs, sent, type Mode } from './redaction-jobs.ts';
import { casesLeaking, leaked, payloadWithSecrets } from './secrets.ts';

let sqs: SqsEmulator;
let client: SQSClient;
beforeAll(async () => {
  sqs = await startSqsEmulator();
  client = new SQSClient(sqs.clientConfig);
});
afterAll(async () => {
  client.destroy();
  await sqs.stop();
});

const BURIED_MODES = ['permanent', 'exhaust', 'invalid'] as const satisfies readonly Mode[];

async function receiveAll(queueUrl: string, count: number): Promise<Message[]> {
  const got: Message[] = [];
  for (let round = 0; got.length < count && round < 30; round++) {
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    got.push(...(out.Messages ?? []));
  }
  return got;
}

const bodyOf = (payload: Record<string, unknown>, mode: Mode) => JSON.stringify({ v: 1, id: crypto.randomUUID(), name: 'pay', createdAt: '2030-01-01T00:00:00.000Z', payload: sent(payload, mode) });

/** Everything of a dead-letter message but its body. */
const besidesBody = (m: Message) => JSON.stringify({ attributes: m.MessageAttributes, system: m.Attributes });

describe('sqs dead-letter redaction (fauxqs)', () => {
  it('property: a pull worker buries jobs with secrets; dead-letter attributes and logs hold none, the body is kept', async () => {
    const queue: TestQueue = await sqs.createQueue(uniqueQueueName('redact-pull'), { deadLetter: { maxReceiveCount: 50 }, visibilityTimeoutSeconds: 5 });
    const logger = capturingLogger();
    const count = tally('redaction', 'sqs', { text: logger.text, crashes: crashTrap().crashes });
    const service = createSqsService({ queueUrl: queue.queueUrl, client });
    const samples = fc.sample(payloadWithSecrets(BURIED_MODES), { numRuns: runs(12), seed: 42 });
    const bodies = samples.map(({ payload, mode }) => bodyOf(payload, mode));
    for (const MessageBody of bodies) await client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody }));

    const worker = createWorker({ service, jobs: redactionJobs(), concurrency: 4, waitMs: 1_000, handleSignals: false, logger });
    await worker.start();
    await logger.waitFor(() => logger.count('job.buried') + logger.count('job.invalid') === samples.length);
    await worker.stop();
    const dead = await receiveAll(queue.deadLetterQueueUrl!, samples.length);

    // Counted before any assertion: a failing run reports what it saw.
    const secrets = samples.flatMap((s) => s.secrets);
    const found = { deadLetter: leaked(dead.map(besidesBody).join('\n'), secrets), logs: leaked(logger.text(), secrets) };
    Object.assign(count, { cases: samples.length, secrets: secrets.length, failures: casesLeaking(samples, [...found.deadLetter, ...found.logs]) });
    expect(dead).toHaveLength(samples.length);
    expect(dead.map((m) => m.Body).sort()).toEqual([...bodies].sort());
    expect(dead.every((m) => m.MessageAttributes?.['jobferry.reason']?.StringValue !== undefined)).toBe(true);
    expect(found).toEqual({ deadLetter: [], logs: [] });
  });

  it('property: the Lambda wrapper buries jobs with secrets; dead-letter attributes and logs hold none', async () => {
    const queue: TestQueue = await sqs.createQueue(uniqueQueueName('redact-lambda'), { deadLetter: { maxReceiveCount: 50 }, visibilityTimeoutSeconds: 30 });
    const logger = capturingLogger();
    const count = tally('redaction', 'lambda', { text: logger.text, crashes: crashTrap().crashes });
    const handler = createSqsHandler({ jobs: redactionJobs(), client, queueUrl: queue.queueUrl, logger });
    // One delivery each: the last attempt of `exhaust` (maxAttempts 2) is the second receive.
    const samples = fc.sample(payloadWithSecrets(BURIED_MODES), { numRuns: runs(12), seed: 7 });
    const bodies = samples.map(({ payload, mode }) => bodyOf(payload, mode));
    for (const MessageBody of bodies) await client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody }));
    const received = await receiveAll(queue.queueUrl, bodies.length);
    const records = received.map((m) => {
      const record = eventRecordOf(m, queue.queueArn, sqs.region);
      // As Lambda would deliver the second receive: the exhausted job is buried on it.
      return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } };
    });

    const answer = await handler({ Records: records }, lambdaContext());
    const dead = await receiveAll(queue.deadLetterQueueUrl!, samples.length);

    const secrets = samples.flatMap((s) => s.secrets);
    const found = { deadLetter: leaked(dead.map(besidesBody).join('\n'), secrets), logs: leaked(logger.text(), secrets) };
    Object.assign(count, { cases: samples.length, secrets: secrets.length, failures: casesLeaking(samples, [...found.deadLetter, ...found.logs]) });
    expect(answer.batchItemFailures).toEqual([]);
    expect(dead.map((m) => m.Body).sort()).toEqual([...bodies].sort());
    expect(found).toEqual({ deadLetter: [], logs: [] });
  });
});
