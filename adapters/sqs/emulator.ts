/**
 * An SQS emulator for tests: fauxqs (npm, speaks the SQS JSON protocol of the AWS SDK) started
 * in this process on 127.0.0.1, a ready client configuration, and queue helpers (standard,
 * FIFO, with a dead-letter queue and a redrive policy).
 *
 * @example
 * ```ts
 * import { startSqsEmulator } from 'jobferry/testing/sqs';
 * const sqs = await startSqsEmulator();
 * const queue = await sqs.createQueue('orders.fifo', { deadLetter: { maxReceiveCount: 5 } });
 * const service = createSqsService({ queueUrl: queue.queueUrl, client: await sqs.client() });
 * // ...
 * await sqs.stop();
 * ```
 */
import type { SQSClient, SQSClientConfig } from './sdk.ts';
import { loadSqsSdk } from './sdk.ts';

export interface SqsEmulatorOptions {
  /** Port on 127.0.0.1; default 0 (any free port). */
  port?: number;
  /** Region of queue ARNs and URLs. Default `us-east-1`. */
  region?: string;
}

export interface CreateTestQueueOptions {
  /** A FIFO queue (`.fifo` is appended to the name if missing). Default: from the name. */
  fifo?: boolean;
  visibilityTimeoutSeconds?: number;
  /** Also create `<name>-dlq` and point a redrive policy at it (default maxReceiveCount 10). */
  deadLetter?: boolean | { maxReceiveCount?: number };
  /** FIFO only: SQS computes the deduplication id from the body. */
  contentBasedDeduplication?: boolean;
  /** Any other queue attributes, as SQS names them. */
  attributes?: Record<string, string>;
}

export interface TestQueue {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly name: string;
  readonly fifo: boolean;
  readonly deadLetterQueueUrl?: string;
  readonly deadLetterQueueArn?: string;
  /** Deletes the queue and its dead-letter queue. */
  delete(): Promise<void>;
}

export interface SqsEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly region: string;
  /** For `new SQSClient(clientConfig)`: endpoint, region and dummy credentials. */
  readonly clientConfig: SQSClientConfig;
  /** One client on this emulator, made on first call. */
  client(): Promise<SQSClient>;
  createQueue(name: string, options?: CreateTestQueueOptions): Promise<TestQueue>;
  stop(): Promise<void>;
}

let counter = 0;
/** A queue name no other test uses: `<prefix>-<n>-<random>` (FIFO: keep `.fifo` at the end). */
export function uniqueQueueName(prefix = 'test', fifo = false): string {
  const base = `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`.slice(0, 70);
  return fifo ? `${base}.fifo` : base;
}

export async function startSqsEmulator(options: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const region = options.region ?? 'us-east-1';
  const { buildApp } = await import('fauxqs');
  await correctBodyCheck();
  const app = buildApp({ logger: false, defaultRegion: region });
  const address = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const endpoint = `http://127.0.0.1:${new URL(address).port}`;
  const clientConfig: SQSClientConfig = { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
  let client: Promise<SQSClient> | undefined;
  const made: SQSClient[] = [];
  const getClient = () =>
    (client ??= loadSqsSdk().then((sdk) => {
      const c = new sdk.SQSClient(clientConfig);
      made.push(c);
      return c;
    }));

  const create = async (name: string, attributes: Record<string, string>) => {
    const sdk = await loadSqsSdk();
    const c = await getClient();
    const { QueueUrl } = await c.send(new sdk.CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const out = await c.send(new sdk.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { url: QueueUrl!, arn: out.Attributes!.QueueArn! };
  };
  const remove = async (url: string) => {
    const sdk = await loadSqsSdk();
    const c = await getClient();
    await c.send(new sdk.DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
  };

  return {
    endpoint,
    region,
    clientConfig,
    client: getClient,
    async createQueue(name, opts = {}) {
      const fifo = opts.fifo ?? name.endsWith('.fifo');
      const full = fifo && !name.endsWith('.fifo') ? `${name}.fifo` : name;
      const base: Record<string, string> = { ...(opts.attributes ?? {}) };
      if (fifo) {
        base.FifoQueue = 'true';
        if (opts.contentBasedDeduplication) base.ContentBasedDeduplication = 'true';
      }
      if (opts.visibilityTimeoutSeconds !== undefined) base.VisibilityTimeout = String(opts.visibilityTimeoutSeconds);
      let dead: { url: string; arn: string } | undefined;
      if (opts.deadLetter) {
        const dlqName = fifo ? `${full.slice(0, -'.fifo'.length)}-dlq.fifo` : `${full}-dlq`;
        dead = await create(dlqName, fifo ? { FifoQueue: 'true' } : {});
        const maxReceiveCount = typeof opts.deadLetter === 'object' ? (opts.deadLetter.maxReceiveCount ?? 10) : 10;
        base.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dead.arn, maxReceiveCount });
      }
      const queue = await create(full, base);
      return {
        queueUrl: queue.url,
        queueArn: queue.arn,
        name: full,
        fifo,
        deadLetterQueueUrl: dead?.url,
        deadLetterQueueArn: dead?.arn,
        async delete() {
          await remove(queue.url);
          if (dead) await remove(dead.url);
        },
      };
    },
    async stop() {
      for (const c of made) c.destroy();
      await app.close();
    },
  };
}

/**
 * fauxqs (up to 2.4) refuses characters outside the Basic Multilingual Plane (emoji, many CJK
 * extensions) in message bodies: its character check lacks the regular expression `u` flag, so
 * each half of a surrogate pair counts as invalid. SQS accepts #x10000 to #x10FFFF. This puts
 * SQS's documented character set into that one check (in place: the emulator keeps the same
 * RegExp object), so bodies behave as they do on AWS. Everything else is fauxqs unchanged.
 */
async function correctBodyCheck(): Promise<void> {
  let types: { INVALID_MESSAGE_BODY_CHAR?: unknown };
  try {
    types = (await import(new URL('./sqs/sqsTypes.js', import.meta.resolve('fauxqs')).href)) as typeof types;
  } catch {
    return; // another layout: nothing to correct, or a fixed version
  }
  const check = types.INVALID_MESSAGE_BODY_CHAR;
  if (check instanceof RegExp && check.test('\u{1F680}')) {
    check.compile('[^\\t\\n\\r\\u0020-\\uD7FF\\uE000-\\uFFFD\\u{10000}-\\u{10FFFF}]', 'u');
  }
}
