/**
 * The continuation scenario (scenario.ts) on the SQS push path: fauxqs -> the local event
 * source mapping -> the Lambda wrapper (createSqsHandler) -> the pipeline. Each hand-over is
 * the wrapper's re-send of a deferred record; a thrown crash is a reported batch item failure;
 * a "killed" link is an invocation that freezes mid-link (the wrapper's deadline turns it into a
 * retry once the link's lease ends); lost hand-overs (a re-send dropped on its way, by a
 * middleware on the wrapper's client) are restarted by the health check. CI runs 5,000 items.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, it } from 'vitest';
import { createEventSourceMapping, type EventSourceMapping } from '../../adapters/sqs/event-source.ts';
import { createSqsHandler } from '../../adapters/sqs/lambda.ts';
import { sqsTransport, type SqsPatternTransport } from '../patterns/transports.ts';
import { runChainScenario, type ChainRunner } from './scenario.ts';

const ITEMS = Number(process.env.CHAIN_ITEMS ?? 5_000);

function lambdaRunner(transport: SqsPatternTransport): ChainRunner {
  let mapping: EventSourceMapping | undefined;
  const client = new SQSClient(transport.emulator.clientConfig);
  return {
    async start(world) {
      // A re-send to the source queue is a hand-over (dead-letter sends go elsewhere).
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { QueueUrl?: string };
          if ((context as { commandName?: string }).commandName === 'SendMessageCommand' && input.QueueUrl === transport.queue.queueUrl && world.loseHandOver()) {
            return { output: { $metadata: {}, MessageId: 'lost-on-the-way' }, response: {} } as never;
          }
          return next(args);
        },
        { step: 'initialize', name: 'loseHandOvers' },
      );
      const handler = createSqsHandler({ jobs: [world.job({})], client, queueUrl: transport.queue.queueUrl, timeMarginMs: 500 });
      mapping = createEventSourceMapping({ client, queueUrl: transport.queue.queueUrl, handler, functionTimeoutMs: 3_000, waitTimeSeconds: 1 });
      mapping.start();
    },
    describe: () => `${mapping?.invocations.length ?? 0} invocations (${mapping?.invocations.filter((i) => i.outcome !== 'success').length ?? 0} with failures)`,
    async stop() {
      await mapping?.stop();
      client.destroy();
    },
  };
}

describe('continuation on the SQS Lambda push path', () => {
  it(`processes ${ITEMS} items once each through a crashed link, a frozen invocation and lost hand-overs`, async () => {
    // The queue's visibility (2 s) only matters for a whole failed invocation; none is planned.
    const transport = await sqsTransport('chain-lambda', 1_000, 2);
    try {
      await runChainScenario({
        transport,
        runner: lambdaRunner(transport),
        label: 'sqs lambda',
        items: ITEMS,
        budgetMs: 3,
        timeoutMs: 500,
        leaseMarginMs: 100,
        stallAfterMs: 1_500,
        checkEveryMs: 100,
        faults: { throwAt: (link) => link === 2, stopAt: [], killAt: [5], lose: (n) => n === 3 },
        withinMs: Math.max(60_000, ITEMS * 5),
      });
    } finally {
      await transport.close();
    }
  }, Math.max(90_000, ITEMS * 8));
});
