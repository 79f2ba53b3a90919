/**
 * The shared contract suite, unchanged, against LocalStack's SQS in a container
 * (testcontainers), standard and FIFO. Where no Docker engine runs, every test of the suite is
 * reported skipped under a title that says why; nothing passes without having run.
 */
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe } from 'vitest';
import { createSqsService } from '../../adapters/sqs/index.ts';
import { uniqueQueueName } from '../../adapters/sqs/emulator.ts';
import { runContractSuite } from '../contract/index.ts';
import { commonCapabilities } from './capabilities.ts';

const IMAGE = 'localstack/localstack:4.4';

async function dockerProblem(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const problem = await dockerProblem();
const title = problem === undefined ? `sqs on LocalStack ${IMAGE} (testcontainers)` : `sqs on LocalStack (testcontainers) [skipped: no Docker engine: ${problem}]`;
if (problem !== undefined) console.warn(`${title}: the LocalStack contract suite did not run`);

let started: Promise<{ client: SQSClient; stop(): Promise<void> }> | undefined;
const localstack = () => started!;

async function createQueue(fifo: boolean) {
  const { client } = await localstack();
  const name = uniqueQueueName('ls', fifo);
  const dlqName = fifo ? `${name.slice(0, -5)}-dlq.fifo` : `${name}-dlq`;
  const fifoAttrs: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
  const { QueueUrl: dlqUrl } = await client.send(new CreateQueueCommand({ QueueName: dlqName, Attributes: fifoAttrs }));
  const arn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { ...fifoAttrs, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 50 }) } }),
  );
  return {
    queueUrl: QueueUrl!,
    deadLetterQueueUrl: dlqUrl!,
    client,
    cleanup: async () => {
      for (const url of [QueueUrl, dlqUrl]) await client.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
    },
  };
}

(problem === undefined ? describe : describe.skip)(title, () => {
  beforeAll(async () => {
    started = (async () => {
      const { GenericContainer, Wait } = await import('testcontainers');
      const container = await new GenericContainer(IMAGE)
        .withEnvironment({ SERVICES: 'sqs' })
        .withExposedPorts(4566)
        .withWaitStrategy(Wait.forHttp('/_localstack/health', 4566).forStatusCode(200))
        .start();
      const client = new SQSClient({
        endpoint: `http://${container.getHost()}:${container.getMappedPort(4566)}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      return {
        client,
        async stop() {
          client.destroy();
          await container.stop();
        },
      };
    })();
    await started;
  }, 180_000);
  afterAll(async () => {
    await (await started)?.stop();
  });

  runContractSuite('standard queue', {
    capabilities: {
      ...commonCapabilities,
      delay: true,
      dedupe: { unsupported: 'standard queues do not deduplicate; the dedupe key travels in the envelope for consumer-side idempotency' },
      groups: { unsupported: 'standard queues have no ordered groups; use a FIFO queue' },
    },
    async create() {
      const q = await createQueue(false);
      return { service: createSqsService({ queueUrl: q.queueUrl, client: q.client }), cleanup: q.cleanup };
    },
  });

  runContractSuite('FIFO queue', {
    capabilities: {
      ...commonCapabilities,
      delay: { unsupported: 'FIFO queues have no per-message delay (DelaySeconds is a queue setting)' },
      dedupe: 'silent',
      groups: true,
    },
    async create() {
      const q = await createQueue(true);
      return { service: createSqsService({ queueUrl: q.queueUrl, deadLetterQueueUrl: q.deadLetterQueueUrl, client: q.client }), cleanup: q.cleanup };
    },
  });
});
