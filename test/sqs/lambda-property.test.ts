/**
 * Property test of the Lambda wrapper: random batches of ok / throws / invalid / slow records,
 * on a standard and on a FIFO queue, under random time budgets. One fauxqs and one real SDK
 * client serve every run (dead-letter sends and visibility changes are real calls); "slow"
 * records spend time on a fake clock, so a run costs milliseconds.
 *
 * Properties: every itemIdentifier is a non-empty messageId of the batch, once; the failed set
 * is exactly the records that must be retried (threw, not started in the budget, or behind a
 * failure of their FIFO group); exactly those that may run, ran, in batch order; within a FIFO
 * group the failed records are a suffix; every invalid record that was reached is in the DLQ.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSqsHandler } from '../../adapters/sqs/lambda.ts';
import { jobBody, lambdaContext, sqsEvent, sqsRecord } from '../../adapters/sqs/fixtures.ts';
import { defineJob } from '../../src/index.ts';
import { freshQueue, sharedEmulator } from './helpers.ts';

type Kind = 'ok' | 'throws' | 'invalid' | 'slow';
interface Spec {
  kind: Kind;
  group: 'a' | 'b' | 'c';
}

// Budgets are whole seconds and slow records cost 1000 ms (of a fake clock), so no deadline is
// ever within 500 ms of a check, and the wrapper's SQS calls always have at least 950 ms of real
// time left: the outcome does not depend on how fast fauxqs answers, even on a loaded machine.
const SLOW_MS = 1_000;
const MARGIN_MS = 500;
/** The wrapper's SQS calls must end this long before the invocation does. */
const CALL_MARGIN_MS = 50;
const RUNS = 1_000;

const batchArb = fc.record({
  specs: fc.array(fc.record({ kind: fc.constantFrom<Kind>('ok', 'throws', 'invalid', 'slow'), group: fc.constantFrom<'a' | 'b' | 'c'>('a', 'b', 'c') }), { minLength: 1, maxLength: 10 }),
  remainingMs: fc.integer({ min: 0, max: 12 }).map((k) => k * 1_000),
});

/**
 * What the wrapper must do with a batch: who runs, who is reported, who is buried.
 *
 * A FIFO batch runs one record after another, so a dead-letter send happens at the time its
 * record ran. A standard batch (10 records at most, concurrency 10) starts every record before
 * any SQS call, so its dead-letter sends happen after all started records' time; a send that
 * would start after the invocation's end is not made, and its record is reported instead.
 */
function model(specs: Spec[], remainingMs: number, fifo: boolean) {
  let spent = 0;
  const budget = remainingMs - MARGIN_MS;
  const blocked = new Set<string>();
  const failed = new Set<number>();
  const ran: number[] = [];
  const buried: number[] = [];
  specs.forEach((spec, i) => {
    const fail = () => {
      failed.add(i);
      if (fifo) blocked.add(spec.group);
    };
    if (fifo && blocked.has(spec.group)) return fail();
    if (spent >= budget) return fail();
    if (spec.kind === 'invalid') return void buried.push(i);
    ran.push(i);
    if (spec.kind === 'throws') return fail();
    if (spec.kind === 'slow') spent += SLOW_MS;
  });
  let sent = buried;
  if (!fifo && spent >= remainingMs - CALL_MARGIN_MS) {
    for (const i of buried) failed.add(i);
    sent = [];
  }
  return { failed: [...failed].sort((a, b) => a - b), ran, buried: sent.length };
}

async function checkProperty(fifo: boolean) {
  const sqs = await sharedEmulator();
  const queue = await freshQueue('property', { fifo, deadLetter: { maxReceiveCount: 50 } });
  const client = new SQSClient(sqs.clientConfig);
  let clock = Date.now();
  const now = () => clock;
  let ran: string[] = [];
  const job = defineJob({
    name: 'prop',
    schema: z.object({ i: z.number().int(), kind: z.enum(['ok', 'throws', 'slow']) }),
    maxAttempts: 5,
    async handler({ i, kind }) {
      ran.push(String(i));
      if (kind === 'slow') clock += SLOW_MS;
      if (kind === 'throws') throw new Error(`record ${i} failed`);
    },
  });
  // One handler for every run: state left over from one invocation would break the next.
  const handler = createSqsHandler({ jobs: [job], client, queueUrl: queue.queueUrl, now, timeMarginMs: MARGIN_MS });
  let expectedBuried = 0;

  await fc.assert(
    fc.asyncProperty(batchArb, async ({ specs, remainingMs }) => {
      ran = [];
      const records = specs.map((spec, i) => {
        const body = spec.kind === 'invalid' ? jobBody('prop', { i: 'not a number', kind: 'ok' }) : jobBody('prop', { i, kind: spec.kind });
        return sqsRecord(body, { eventSourceARN: queue.queueArn, ...(fifo ? { groupId: spec.group } : {}) });
      });
      const ids = records.map((r) => r.messageId);
      const expected = model(specs, remainingMs, fifo);

      const response = await handler(sqsEvent(records), lambdaContext({ remainingMs, now }));

      const reported = response.batchItemFailures.map((f) => f.itemIdentifier);
      for (const id of reported) expect(id !== '' && ids.includes(id), `itemIdentifier ${id} is a messageId of the batch`).toBe(true);
      expect(new Set(reported).size).toBe(reported.length);
      expect(reported).toEqual(expected.failed.map((i) => ids[i]));
      expect(ran).toEqual(expected.ran.map(String));
      if (fifo) {
        for (const group of ['a', 'b', 'c']) {
          const flags = specs.map((s, i) => [s.group, reported.includes(ids[i]!)] as const).filter(([g]) => g === group).map(([, f]) => f);
          expect(flags.indexOf(true) === -1 || flags.slice(flags.indexOf(true)).every(Boolean), `group ${group}: failures are a suffix`).toBe(true);
        }
      }
      expectedBuried += expected.buried;
    }),
    { numRuns: RUNS },
  );

  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.deadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  expect(Number(out.Attributes?.ApproximateNumberOfMessages)).toBe(expectedBuried);
  client.destroy();
}

describe('sqs lambda wrapper properties', () => {
  it(`standard queue: ${RUNS} random batches`, { timeout: 120_000 }, () => checkProperty(false));
  it(`FIFO queue: ${RUNS} random batches`, { timeout: 120_000 }, () => checkProperty(true));
});
