/**
 * functions/worker.ts as a process against fauxqs: its transport comes from the environment
 * alone (JOBFERRY_ADAPTER=sqs, the queue URLs, the endpoint), the jobs from functions/jobs.ts.
 * The test sends jobs through the adapter and reads the worker's JSON lines on stdout. SIGTERM
 * drains it: the job in flight finishes and is deleted, then the process exits 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsService } from '../../adapters/sqs/index.ts';
import { startSqsEmulator, type SqsEmulator, type TestQueue } from '../../adapters/sqs/testing.ts';
import { jobs } from '../../functions/jobs.ts';
import { createQueue } from '../../src/queue.ts';
import type { JobService } from '../../src/service.ts';
import { validCharge } from '../cli/helpers.ts';
import { runEntry } from './helpers.ts';

let sqs: SqsEmulator;
let counter = 0;

beforeAll(async () => {
  sqs = await startSqsEmulator();
});
afterAll(async () => {
  await sqs?.stop();
});

async function setup(extra: Record<string, string> = {}) {
  const queue: TestQueue = await sqs.createQueue(`reference-worker-${++counter}`, { deadLetter: { maxReceiveCount: 8 } });
  const service: JobService = createSqsService({ queueUrl: queue.queueUrl, deadLetterQueueUrl: queue.deadLetterQueueUrl, client: await sqs.client() });
  const worker = runEntry('functions/worker.ts', {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    JOBFERRY_ADAPTER: 'sqs',
    JOBFERRY_SQS_QUEUE_URL: queue.queueUrl,
    JOBFERRY_SQS_DEAD_LETTER_QUEUE_URL: queue.deadLetterQueueUrl!,
    JOBFERRY_SQS_ENDPOINT: sqs.endpoint,
    JOBFERRY_SQS_REGION: sqs.region,
    JOBFERRY_LOG_LEVEL: 'debug',
    ...extra,
  });
  await worker.line((l) => l.event === 'worker.started');
  return { queue, service, worker, producer: createQueue({ service, jobs }) };
}

describe('functions/worker.ts against fauxqs', () => {
  it('runs a job that succeeds, retries a flaky one to success, and buries a poison one with its reason', { timeout: 30_000 }, async () => {
    const { service, worker, producer } = await setup();
    const email = await producer.enqueue('send-welcome-email', { to: 'ann@example.com', name: 'Ann' });
    const inventory = await producer.enqueue('sync-inventory', { sku: 'SKU-9', quantity: 2 });
    const charge = await producer.enqueue('charge-payment', { ...validCharge, amountCents: 99_000_000 });

    expect(await worker.line((l) => l.event === 'job.completed' && l.jobId === email.id)).toMatchObject({ adapter: 'sqs', attempt: 1 });
    expect(await worker.line((l) => l.event === 'job.completed' && l.jobId === inventory.id)).toMatchObject({ attempt: 3 });
    expect(worker.lines.filter((l) => l.event === 'job.retry' && l.jobId === inventory.id).map((l) => l.delayMs)).toEqual([500, 750]);
    expect(await worker.line((l) => l.event === 'job.buried' && l.jobId === charge.id)).toMatchObject({ reason: 'permanent-error' });
    const buried = await service.listBuried!();
    expect(buried.map((b) => [JSON.parse(b.body).id, b.reason])).toEqual([[charge.id, 'permanent-error']]);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('SIGTERM drains: no new reserves, the job in flight finishes and is deleted, exit code 0', { timeout: 40_000 }, async () => {
    const { service, worker, producer } = await setup({ JOBFERRY_SHUTDOWN_GRACE_MS: '15000' });
    // 40 slices of 50 ms: about two seconds of work.
    const { id } = await producer.enqueue('rebuild-search-index', { index: 'products', documents: 40_000, sliceMs: 50 });
    await worker.line((l) => l.event === 'job.received' && l.jobId === id);
    worker.child.kill('SIGTERM');
    // Sent once the worker has seen the signal (not merely once it was sent: a poll could still
    // pick it up before the child handles SIGTERM): it must stay in the queue for the next worker.
    await worker.line((l) => l.event === 'worker.stopping');
    const later = await producer.enqueue('send-welcome-email', { to: 'late@example.com', name: 'Late' });

    expect(await worker.exited).toBe(0);
    const events = worker.lines.map((l) => l.event);
    expect(events.indexOf('worker.stopping')).toBeLessThan(events.findIndex((e, i) => e === 'job.completed' && worker.lines[i]!.jobId === id));
    expect(worker.lines.find((l) => l.event === 'worker.stopped')).toMatchObject({ inFlightAtStop: 1, finished: 1, released: 0 });
    expect(worker.lines.some((l) => l.jobId === later.id)).toBe(false);
    expect(worker.stderr()).toBe('');
    // The finished job was deleted; the late one waits.
    const left = await service.reserve!({ max: 10, leaseMs: 1_000, waitMs: 1_000 });
    expect(left.map((j) => JSON.parse(String(j.body)).id)).toEqual([later.id]);
  });
});
