/**
 * Child process: one pull worker (src/worker.ts) on the transport the parent names, running
 * `ledger-task`. It stops gracefully on SIGTERM (the worker's own handler), reports its stop
 * figures over IPC and exits; SIGKILL just ends it, which is the point.
 *
 *   spawn(process.execPath, ['test/reliability/workers/pull-worker.ts'], { env: { RELIABILITY_CHILD: json }, stdio: [..., 'ipc'] })
 */
import { createQueue, createWorker } from '../../../src/index.ts';
import { readChildConfig, type ParentMessage, type PullChildConfig } from '../harness/child-config.ts';
import { startChildRuntime } from '../harness/child-runtime.ts';
import { idempotencyOption } from '../harness/idempotency.ts';
import { envelopeIdOf, jobIdOf, ledgerJob, spread } from '../harness/jobs.ts';
import { openService } from '../harness/open-service.ts';
import { recordingService } from '../harness/recording-service.ts';

const config = readChildConfig<PullChildConfig>();
const runtime = startChildRuntime(config.label, config.ledgerDir, config.logLevel);
const { ledger } = runtime;

let signalAt: number | undefined;
// Registered before the worker's own listener, so it runs first: the time of the signal is
// taken before the worker reacts to it.
process.on('SIGTERM', () => {
  signalAt = Date.now();
  ledger.write('signal', '-', 0, 'SIGTERM');
});

const raw = await openService(config.transport);
const service = recordingService(raw, ledger);
const extra = config.idempotency ? await idempotencyOption(config.idempotency, ledger) : undefined;
const job = ledgerJob(ledger, { ...config.job, extra });

if (config.transport.kind === 'memory' && config.transport.seed) {
  const { count, workMs: [min, max] } = config.transport.seed;
  const items = Array.from({ length: count }, (_, n) => ({ job, payload: { n, workMs: spread(n, min, max) }, options: { id: jobIdOf(n) } }));
  const results = await createQueue({ service, jobs: [job] }).enqueueMany(items);
  const refused = results.filter((r) => !r.ok).length;
  if (refused > 0) throw new Error(`memory seed: ${refused} of ${count} jobs refused`);
}

const worker = createWorker({
  service,
  jobs: [job],
  logger: runtime.logger,
  concurrency: config.worker.concurrency,
  leaseMs: config.worker.leaseMs,
  waitMs: config.worker.waitMs,
  batchSize: config.worker.batchSize,
  pollers: config.worker.pollers,
  shutdownGraceMs: config.worker.shutdownGraceMs,
  errorBackoff: config.worker.errorBackoff,
});

process.on('message', (message: ParentMessage) => {
  if (message.type === 'status') void runtime.send({ type: 'status', inFlight: worker.inFlight, counts: { ...worker.counts, unhandled: runtime.unhandled }, events: { ...runtime.events } });
  if (message.type === 'stop') void worker.stop();
});

if (config.heapSampleMs !== undefined) startHeapSampler(config.heapSampleMs);

// Ready means able to work: the SDK is loaded and the transport answered once.
await service.stats?.();
await worker.start();
await runtime.send({ type: 'ready' });

const report = await worker.stopped;
const counts: Record<string, number> = { ...worker.counts, unhandled: runtime.unhandled };
if (config.transport.kind === 'memory') {
  // The queue dies with this process: tell the parent what is still in it (released jobs).
  // Read straight from the store: these are not reserves of the worker.
  const left = await raw.reserve!({ max: 100_000, leaseMs: 60_000, waitMs: 0 });
  for (const j of left) ledger.write('note', envelopeIdOf(j.body) ?? '-', j.attempt, 'left-in-queue');
  counts.leftInQueue = left.length;
}
ledger.write('note', '-', 0, `stopped ${JSON.stringify({ report, counts })}`);
await runtime.send({ type: 'stopped', report, counts, events: { ...runtime.events }, signalAt });
await service.close?.();
ledger.close();
process.exit(0);

function startHeapSampler(everyMs: number) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('heap sampling needs --expose-gc');
  const sample = () => {
    gc();
    const { heapUsed, rss } = process.memoryUsage();
    void runtime.send({ type: 'heap', at: Date.now(), heapUsed, rss });
  };
  sample();
  setInterval(sample, everyMs).unref();
}
