/**
 * functions/aws-lambda.ts end to end on fauxqs: the entry reads its JOBFERRY_SQS_* environment
 * as it does on Lambda (infra/aws sets the same variables; here the endpoint points at the
 * emulator), and the Lambda event source simulator invokes its `handler` with real SQSEvents
 * and applies the answers as Lambda does (ReportBatchItemFailures). Jobs are sent through the
 * adapter; the jobs are the reference app's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsService } from '../../adapters/sqs/index.ts';
import { createEventSourceMapping, startSqsEmulator, type EventSourceMapping, type SqsEmulator, type TestQueue } from '../../adapters/sqs/testing.ts';
import { jobs } from '../../functions/jobs.ts';
import { createQueue, type Queue } from '../../src/queue.ts';
import type { JobService } from '../../src/service.ts';
import { validCharge } from '../cli/helpers.ts';

let sqs: SqsEmulator;
let queue: TestQueue;
let mapping: EventSourceMapping;
let service: JobService;
let producer: Queue;
const lines: Array<Record<string, unknown>> = [];
const waiters: Array<() => void> = [];
const realWrite = process.stdout.write.bind(process.stdout);

/** The first log line (written or to come) that matches. */
async function logLine(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (;;) {
    const found = lines.find(match);
    if (found !== undefined) return found;
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
}

beforeAll(async () => {
  sqs = await startSqsEmulator();
  queue = await sqs.createQueue('reference-lambda', { deadLetter: { maxReceiveCount: 8 }, visibilityTimeoutSeconds: 60 });
  // What the Lambda's environment holds (infra/aws), with the emulator as the endpoint.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    JOBFERRY_ADAPTER: 'sqs',
    JOBFERRY_QUEUE: 'reference-lambda',
    JOBFERRY_SQS_QUEUE_URL: queue.queueUrl,
    JOBFERRY_SQS_DEAD_LETTER_QUEUE_URL: queue.deadLetterQueueUrl,
    JOBFERRY_SQS_ENDPOINT: sqs.endpoint,
    JOBFERRY_SQS_REGION: sqs.region,
  });
  // The entry's JSON lines go to stdout: read them there, as CloudWatch would.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (!text.startsWith('{"time"')) return realWrite(chunk, ...(rest as []));
    for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
    return true;
  }) as typeof process.stdout.write;
  const { handler } = await import('../../functions/aws-lambda.ts');
  const client = await sqs.client();
  mapping = createEventSourceMapping({ client, queueUrl: queue.queueUrl, handler, functionTimeoutMs: 10_000 });
  mapping.start();
  service = createSqsService({ queueUrl: queue.queueUrl, deadLetterQueueUrl: queue.deadLetterQueueUrl, client });
  producer = createQueue({ service, jobs });
});

afterAll(async () => {
  await mapping?.stop();
  process.stdout.write = realWrite;
  await sqs?.stop();
});

/** The simulator's invocations that carried the job. */
const invocationsOf = (jobId: unknown) => mapping.invocations.filter((i) => i.event.Records.some((r) => r.body.includes(String(jobId))));

describe('functions/aws-lambda.ts through the Lambda event source simulator on fauxqs', () => {
  it('completes a job: not reported, so the mapping deletes it', async () => {
    const { id } = await producer.enqueue('send-welcome-email', { to: 'ann@example.com', name: 'Ann' });
    expect(await logLine((l) => l.event === 'job.completed' && l.jobId === id)).toMatchObject({ job: 'send-welcome-email', adapter: 'sqs', queue: 'reference-lambda', attempt: 1 });
    await mapping.waitFor(() => invocationsOf(id).length === 1);
    expect(invocationsOf(id)[0]).toMatchObject({ outcome: 'success', response: { batchItemFailures: [] } });
  });

  it('a flaky job is reported failed twice (its visibility set to the backoff), then completes on the third receive', async () => {
    const { id } = await producer.enqueue('sync-inventory', { sku: 'SKU-7', quantity: 1 });
    expect((await logLine((l) => l.event === 'job.completed' && l.jobId === id)).attempt).toBe(3);
    await mapping.waitFor(() => invocationsOf(id).length === 3);
    expect(invocationsOf(id).map((i) => [i.outcome, i.event.Records[0]!.attributes.ApproximateReceiveCount])).toEqual([
      ['partial', '1'],
      ['partial', '2'],
      ['success', '3'],
    ]);
    expect(lines.filter((l) => l.event === 'job.retry' && l.jobId === id).map((l) => l.delayMs)).toEqual([500, 750]);
  });

  it('a poison job goes to the dead-letter queue with its reason at once, and is not reported (no receive burned)', async () => {
    const { id } = await producer.enqueue('charge-payment', { ...validCharge, amountCents: 75_000_000 });
    expect(await logLine((l) => l.event === 'job.buried' && l.jobId === id)).toMatchObject({ reason: 'permanent-error', attempt: 1 });
    await mapping.waitFor(() => invocationsOf(id).length === 1);
    expect(invocationsOf(id)[0]!.outcome).toBe('success');
    const buried = (await service.listBuried!()).find((b) => JSON.parse(b.body).id === id);
    expect(buried).toMatchObject({ reason: 'permanent-error', attempt: 1, sourceQueue: 'reference-lambda' });
    expect(buried!.detail).toMatch(/exceeds the single-charge limit/);
  });

  it('a body a producer sent without validation is buried as invalid-payload, with the schema issues', async () => {
    const body = JSON.stringify({ v: 1, id: 'unchecked-1', name: 'sync-inventory', payload: { sku: 'lower case', quantity: -1 }, createdAt: new Date().toISOString() });
    await service.enqueue([{ id: 'unchecked-1', name: 'sync-inventory', body, delayMs: 0 }]);
    const invalid = await logLine((l) => l.event === 'job.invalid' && l.jobId === 'unchecked-1');
    expect(invalid).toMatchObject({ reason: 'invalid-payload' });
    await mapping.waitFor(() => invocationsOf('unchecked-1').length === 1);
    const buried = (await service.listBuried!()).find((b) => JSON.parse(b.body).id === 'unchecked-1');
    expect(buried?.detail).toMatch(/sku: .+; quantity: .+/);
  });
});
