/**
 * The Lambda path: the event source mapping simulator runs here, against fauxqs, and hands
 * each batch to a Lambda runtime child (workers/lambda-runtime.ts) over IPC, one invocation
 * per runtime at a time. A runtime SIGKILLed mid-batch makes the invocation fail, as a crashed
 * Lambda does: the mapping deletes nothing and the batch comes back after the visibility timeout.
 */
import { createEventSourceMapping, type EventSourceMapping } from '../../../../adapters/sqs/event-source.ts';
import { loadSqsSdk } from '../../../../adapters/sqs/sdk.ts';
import { spawnChild, type Child } from '../child.ts';
import type { ChildMessage, IdempotencyConfig, LambdaChildConfig } from '../child-config.ts';
import type { Fleet } from '../fleet.ts';
import type { LedgerJobOptions } from '../jobs.ts';
import type { KillRig } from '../kill-harness.ts';
import type { SqsQueueRig } from './sqs-rig.ts';

export interface LambdaRigOptions {
  ledgerDir: string;
  /** Invocations at once (the mapping's maximum concurrency) = runtimes in the fleet. */
  concurrency: number;
  batchSize?: number;
  functionTimeoutMs?: number;
  job?: LedgerJobOptions;
  idempotency?: IdempotencyConfig;
  /** Longest an invocation waits for a free runtime (a cold start) before it fails. */
  coldStartTimeoutMs?: number;
  /** Where the function's own SQS calls go (a fault proxy); default the emulator. The mapping (the platform) always calls the emulator. */
  endpoint?: string;
}

export function lambdaRig(queueRig: SqsQueueRig, options: LambdaRigOptions): KillRig & { readonly invocations: () => { total: number; crashed: number } } {
  const { emulator, queue } = queueRig;
  const busy = new WeakSet<Child>();
  let fleet: Fleet | undefined;
  let mapping: EventSourceMapping | undefined;
  let stopped: Promise<void> | undefined;
  let nextId = 0;
  let total = 0;
  let crashed = 0;

  const freeRuntime = async (): Promise<Child> => {
    const deadline = Date.now() + (options.coldStartTimeoutMs ?? 15_000);
    for (;;) {
      const idle = fleet?.children.find((c) => c.isReady && c.alive && !busy.has(c));
      if (idle) return idle;
      if (Date.now() > deadline) throw new Error('no Lambda runtime became free (cold start timed out)');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  const invoke = async (event: unknown, remainingMs: number): Promise<unknown> => {
    const runtime = await freeRuntime();
    busy.add(runtime);
    const id = ++nextId;
    total++;
    try {
      return await new Promise((resolve, reject) => {
        let settled = false;
        const off = runtime.onMessage((message: ChildMessage) => {
          if ((message.type !== 'result' && message.type !== 'failed') || message.id !== id) return;
          settled = true;
          off();
          if (message.type === 'result') resolve(message.response);
          else reject(new Error(`Runtime.HandlerError: ${message.error}`));
        });
        void runtime.exited.then((exit) => {
          if (settled) return;
          settled = true;
          off();
          crashed++;
          reject(new Error(`Runtime.ExitError: the runtime exited (signal ${exit.signal}, code ${exit.code}) during the invocation`));
        });
        runtime.send({ type: 'invoke', id, event, remainingMs });
      });
    } finally {
      busy.delete(runtime);
    }
  };

  return {
    name: 'lambda push',
    ledgerDir: options.ledgerDir,
    spawnWorker(label): Child {
      const config: LambdaChildConfig = {
        label,
        ledgerDir: options.ledgerDir,
        sqs: { endpoint: options.endpoint ?? emulator.endpoint, region: emulator.region, queueUrl: queue.queueUrl, deadLetterQueueUrl: queue.deadLetterQueueUrl! },
        job: options.job,
        idempotency: options.idempotency,
      };
      return spawnChild({ entry: 'workers/lambda-runtime.ts', label, config });
    },
    start(f) {
      fleet = f;
      void loadSqsSdk().then((sdk) => {
        const client = new sdk.SQSClient(emulator.clientConfig);
        mapping = createEventSourceMapping({
          client,
          queueUrl: queue.queueUrl,
          batchSize: options.batchSize ?? 10,
          maximumConcurrency: options.concurrency,
          functionTimeoutMs: options.functionTimeoutMs ?? 10_000,
          waitTimeSeconds: 1,
          handler: (event, context) => invoke(event, context.getRemainingTimeInMillis()),
        });
        mapping.start();
      });
    },
    stopConsumers() {
      stopped ??= (async () => {
        // start() loads the SDK first: wait for the mapping to exist before stopping it.
        for (let i = 0; i < 100 && fleet && mapping === undefined; i++) await new Promise((r) => setTimeout(r, 20));
        await mapping?.stop();
      })();
      return stopped;
    },
    enqueue: (jobs) => queueRig.enqueue(jobs),
    pending: () => queueRig.pending(),
    buried: () => queueRig.buried(),
    kick: (max) => queueRig.kick(max),
    close: () => queueRig.close(),
    invocations: () => ({ total, crashed }),
  };
}
