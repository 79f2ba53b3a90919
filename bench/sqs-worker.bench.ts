/**
 * Pull throughput on SQS, in one run against the same emulator: the jobferry pull worker
 * (createWorker + createSqsService) against a raw SDK ReceiveMessage -> DeleteMessageBatch loop
 * and against sqs-consumer. fauxqs runs in a child process (this file with --serve), so the
 * emulator does not share the measuring thread; every contender gets a fresh queue per round,
 * filled before the clock starts, and the clock stops when the last message is deleted.
 *
 * Every contender decodes each body and validates its payload with the same zod schema
 * (jobferry's pipeline does that), and runs the same no-op handler. jobferry and the raw loop
 * both run 4 receive loops (jobferry: `pollers: 4`, room for 10 jobs per poller); sqs-consumer
 * runs as it is built (one consumer: one receive loop, batches of 10, one DeleteMessage per
 * message, the next receive after the batch is done). jobferry with a single poller is shown
 * too, for a comparison at sqs-consumer's parallelism (no target).
 *
 *   npx node --expose-gc bench/sqs-worker.bench.ts [--quick]
 *
 * Targets: jobferry >= 0.95x the raw loop, >= 1.8x sqs-consumer.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { z } from 'zod';

if (process.argv.includes('--serve')) {
  // Child: the emulator, until the parent closes stdin.
  const { startSqsEmulator } = await import('../adapters/sqs/emulator.ts');
  const sqs = await startSqsEmulator();
  console.log(JSON.stringify({ endpoint: sqs.endpoint }));
  process.stdin.resume();
  process.stdin.on('end', () => void sqs.stop().then(() => process.exit(0)));
} else {
  await main();
}

async function main() {
  const { createSqsService } = await import('../adapters/sqs/index.ts');
  const { createEnvelope, createWorker, defineJob, encodeEnvelope } = await import('../src/index.ts');
  const { median, printResult, printTargets, quick, round, target } = await import('./lib.ts');

  const n = quick ? 300 : 4_000;
  const rounds = quick ? 2 : 7;
  const pollers = 4;

  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await new Promise<string[]>((resolve) => createInterface({ input: server.stdout! }).once('line', (l) => resolve([l])));
  const { endpoint } = JSON.parse(line!) as { endpoint: string };
  const clientConfig: SQSClientConfig = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
  const admin = new SQSClient(clientConfig);

  const schema = z.object({ orderId: z.string(), customer: z.object({ id: z.number().int(), email: z.string() }), items: z.array(z.object({ sku: z.string(), quantity: z.number().int() })) });
  let sink = 0;
  const work = (order: z.output<typeof schema>) => {
    sink += order.items.length;
  };
  const decode = (body: string | undefined) => {
    const parsed = schema.safeParse((JSON.parse(body ?? 'null') as { payload?: unknown })?.payload);
    if (!parsed.success) throw new Error(parsed.error.message);
    return parsed.data;
  };
  const bodies = Array.from({ length: 200 }, (_, i) =>
    encodeEnvelope(createEnvelope('bench.order', { orderId: `order-${i}`, customer: { id: i, email: `customer${i}@example.com` }, items: [{ sku: 'SKU-001', quantity: 1 + (i % 3) }, { sku: 'SKU-002', quantity: 2 }] })),
  );
  const job = defineJob({ name: 'bench.order', schema, handler: work });

  let queues = 0;
  /** A fresh queue holding `count` messages. */
  const filledQueue = async (count: number) => {
    const { QueueUrl } = await admin.send(new CreateQueueCommand({ QueueName: `bench-${++queues}-${Date.now()}` }));
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < count; i += 10) {
      const entries = Array.from({ length: Math.min(10, count - i) }, (_, j) => ({ Id: String(j), MessageBody: bodies[(i + j) % bodies.length]! }));
      requests.push(admin.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries })));
      if (requests.length >= 16) await Promise.all(requests.splice(0));
    }
    await Promise.all(requests);
    return QueueUrl!;
  };

  const signal = (count: number) => {
    let done = 0;
    let resolve!: () => void;
    const all = new Promise<void>((r) => (resolve = r));
    return { all, add: (k: number) => ((done += k) >= count ? resolve() : undefined) };
  };

  /** Consumes `count` messages from `queueUrl`; resolves to the ms from start to last delete. */
  type Contender = { name: string; consume(queueUrl: string, count: number): Promise<number> };

  const raw: Contender = {
    name: `raw SDK loop (${pollers} loops)`,
    async consume(queueUrl, count) {
      const client = new SQSClient(clientConfig);
      const progress = signal(count);
      let running = true;
      const loop = async () => {
        while (running) {
          const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
          const messages = out.Messages ?? [];
          if (messages.length === 0) continue;
          for (const m of messages) work(decode(m.Body));
          await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
          progress.add(messages.length);
        }
      };
      const t0 = performance.now();
      const loops = Array.from({ length: pollers }, loop);
      await progress.all;
      const ms = performance.now() - t0;
      running = false;
      await Promise.all(loops);
      client.destroy();
      return ms;
    },
  };

  const jobferryWorker = (loops: number): Contender => ({
    name: `jobferry createWorker (${loops} poller${loops > 1 ? 's' : ''}, concurrency ${10 * loops})`,
    async consume(queueUrl, count) {
      const client = new SQSClient(clientConfig);
      const service = createSqsService({ queueUrl, client });
      const progress = signal(count);
      // The same service, counting completions once SQS confirmed the delete.
      const counted = { ...service, complete: async (j: Parameters<typeof service.complete>[0]) => (await service.complete(j), progress.add(1)) };
      const worker = createWorker({ service: counted, jobs: [job], concurrency: 10 * loops, pollers: loops, batchSize: 10, waitMs: 1_000, handleSignals: false });
      const t0 = performance.now();
      await worker.start();
      await progress.all;
      const ms = performance.now() - t0;
      await worker.stop();
      await service.close();
      client.destroy();
      if (worker.counts.completed < count) throw new Error(`jobferry completed ${worker.counts.completed} of ${count}`);
      return ms;
    },
  });
  const jobferry = jobferryWorker(pollers);
  // For comparison at equal parallelism with sqs-consumer's single loop (no target).
  const jobferryOne = jobferryWorker(1);

  const sqsConsumer: Contender = {
    name: 'sqs-consumer (batchSize 10)',
    async consume(queueUrl, count) {
      const client = new SQSClient(clientConfig);
      const progress = signal(count);
      const consumer = Consumer.create({
        queueUrl,
        sqs: client,
        batchSize: 10,
        waitTimeSeconds: 1,
        pollingCompleteWaitTimeMs: 5_000,
        handleMessage: async (m) => {
          work(decode(m.Body));
          return m;
        },
      });
      consumer.on('message_processed', () => progress.add(1));
      consumer.on('error', (error) => console.error('sqs-consumer error:', error.message));
      const stopped = new Promise<void>((r) => consumer.once('stopped', () => r()));
      const t0 = performance.now();
      consumer.start();
      await progress.all;
      const ms = performance.now() - t0;
      consumer.stop();
      await stopped;
      client.destroy();
      return ms;
    },
  };

  const contenders = [raw, jobferry, jobferryOne, sqsConsumer];
  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const run = async (c: Contender, count: number) => {
    const queueUrl = await filledQueue(count);
    const ms = await c.consume(queueUrl, count);
    await admin.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    return ms;
  };
  for (const c of contenders) await run(c, Math.floor(n / 4)); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 === 0 ? contenders : [...contenders].reverse()) {
      (globalThis as { gc?: () => void }).gc?.();
      times.get(c.name)!.push(await run(c, n));
    }
  }
  admin.destroy();
  server.stdin!.end();

  const perSecond = (c: Contender) => n / (median(times.get(c.name)!) / 1_000);
  console.log(`pull throughput on fauxqs (child process), ${n} messages per round, ${rounds} rounds, median:`);
  const width = Math.max(...contenders.map((c) => c.name.length));
  for (const c of contenders) console.log(`  ${c.name.padEnd(width)}  ${Math.round(perSecond(c)).toLocaleString('en-US').padStart(8)} msg/s`);
  const targets = [target('jobferry / raw SDK loop', perSecond(jobferry) / perSecond(raw), '>=', 0.95), target('jobferry / sqs-consumer', perSecond(jobferry) / perSecond(sqsConsumer), '>=', 1.8)];
  printTargets(targets);
  printResult(
    'sqs-worker',
    { messages: n, rounds, pollers, perSecond: Object.fromEntries(contenders.map((c) => [c.name, round(perSecond(c), 0)])), onePollerVsSqsConsumer: round(perSecond(jobferryOne) / perSecond(sqsConsumer)), sink: sink > 0 },
    targets,
  );
}
