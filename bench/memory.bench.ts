/**
 * The memory adapter end to end, next to p-queue in the same run:
 *   - throughput: N jobs with a no-op handler, enqueued and run to completion. jobferry:
 *     createQueue().enqueueMany (validated, encoded envelopes) -> memory service -> pull worker
 *     (pipeline: decode, validate, run, complete). p-queue: add() of N no-op tasks, onIdle().
 *     Same concurrency for both.
 *   - memory: heap bytes per queued (not yet running) job, after a full GC. jobferry counts
 *     twice: the store's own cost per job (all jobs share one body string), and the whole cost
 *     with a distinct ~150-byte encoded envelope per job. p-queue: a paused queue of N tasks
 *     (each a closure, as p-queue needs).
 *
 *   npx node --expose-gc bench/memory.bench.ts [--quick]
 *
 * Targets: jobferry >= 3x p-queue's jobs per second; <= 100 bytes per queued job.
 */
import PQueue from 'p-queue';
import { z } from 'zod';
import { createMemoryService } from '../adapters/memory/index.ts';
import { createEnvelope, createQueue, createWorker, defineJob, encodeEnvelope, type OutgoingJob } from '../src/index.ts';
import { median, printResult, quick, round, target } from './lib.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (npm run bench does)');

const n = quick ? 10_000 : 100_000;
const rounds = quick ? 2 : 7;
const concurrency = 16;

async function jobferryRun(count: number): Promise<number> {
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let completed = 0;
  const job = defineJob({
    name: 'bench.noop',
    schema: z.object({ i: z.number() }),
    handler() {
      if (++completed === count) resolveDone();
    },
  });
  const service = createMemoryService({ maxBatchSize: 10_000 });
  const queue = createQueue({ service, jobs: [job] });
  const worker = createWorker({ service, jobs: [job], concurrency, batchSize: concurrency, waitMs: 1_000, handleSignals: false });
  const t0 = process.hrtime.bigint();
  await worker.start();
  const items = Array.from({ length: count }, (_, i) => ({ job, payload: { i } }));
  const sent = await queue.enqueueMany(items);
  if (sent.some((r) => !r.ok)) throw new Error('enqueue failed');
  await done;
  const ns = Number(process.hrtime.bigint() - t0);
  await worker.stop();
  await service.close();
  return (count * 1e9) / ns;
}

async function pQueueRun(count: number): Promise<number> {
  const queue = new PQueue({ concurrency });
  let completed = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    void queue.add(async () => {
      completed++;
    });
  }
  await queue.onIdle();
  const ns = Number(process.hrtime.bigint() - t0);
  if (completed !== count) throw new Error('p-queue lost tasks');
  return (count * 1e9) / ns;
}

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap retained by N queued jobs: the heap with the queue alive minus the heap once the queue
 * is dropped, both after full GCs. (Measuring from an empty heap instead would count garbage of
 * the set-up that the collector has not swept yet.)
 */
async function bytesPerJob(kind: 'store' | 'envelope' | 'p-queue', count: number): Promise<number> {
  const holder: { queue?: unknown } = { queue: await fill(kind, count) };
  await settleHeap();
  const alive = heapAfterGc();
  holder.queue = undefined;
  await settleHeap();
  const dropped = heapAfterGc();
  return (alive - dropped) / count;
}

async function fill(kind: 'store' | 'envelope' | 'p-queue', count: number): Promise<unknown> {
  if (kind === 'p-queue') {
    const queue = new PQueue({ concurrency, autoStart: false });
    for (let i = 0; i < count; i++) void queue.add(async () => {});
    return queue;
  }
  const service = createMemoryService({ maxBatchSize: count });
  const shared = encodeEnvelope(createEnvelope('bench.noop', { i: 0 }));
  const jobs: OutgoingJob[] = [];
  for (let i = 0; i < count; i++) {
    const body = kind === 'store' ? shared : encodeEnvelope(createEnvelope('bench.noop', { i }));
    jobs.push({ id: String(i), name: 'bench.noop', body, delayMs: 0 });
  }
  await service.enqueue(jobs);
  return service;
}

/** Lets the concurrent sweeper finish, so heapUsed counts live objects only. */
async function settleHeap(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Warm up both, then interleave the rounds.
await jobferryRun(Math.floor(n / 5));
await pQueueRun(Math.floor(n / 5));
const ours: number[] = [];
const theirs: number[] = [];
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    ours.push(await jobferryRun(n));
    theirs.push(await pQueueRun(n));
  } else {
    theirs.push(await pQueueRun(n));
    ours.push(await jobferryRun(n));
  }
}
const jobferryPerSecond = median(ours);
const pQueuePerSecond = median(theirs);

const memN = quick ? 20_000 : 200_000;
const storeBytes = await bytesPerJob('store', memN);
const envelopeBytes = await bytesPerJob('envelope', memN);
const pQueueBytes = await bytesPerJob('p-queue', memN);

console.log(`memory adapter end to end, ${n} jobs, concurrency ${concurrency}, ${rounds} rounds (median)`);
console.log(`  jobferry memory + worker  ${Math.round(jobferryPerSecond).toLocaleString('en-US').padStart(10)} jobs/s`);
console.log(`  p-queue                   ${Math.round(pQueuePerSecond).toLocaleString('en-US').padStart(10)} jobs/s`);
console.log(`bytes per queued job (${memN} queued, after GC)`);
console.log(`  jobferry store only (shared body)   ${storeBytes.toFixed(1)}`);
console.log(`  jobferry with its own envelope body ${envelopeBytes.toFixed(1)}`);
console.log(`  p-queue task                        ${pQueueBytes.toFixed(1)}`);
const ratio = jobferryPerSecond / pQueuePerSecond;
const targets = [target('jobferry / p-queue jobs per second', ratio, '>=', 3), target('bytes per queued job (store, body excluded)', storeBytes, '<=', 100)];
for (const t of targets) console.log(`  target ${t.what} ${t.op} ${t.limit}: ${t.value} -> ${t.met ? 'met' : 'MISSED'}`);
printResult(
  'memory',
  {
    jobs: n,
    concurrency,
    rounds,
    jobferryJobsPerSecond: Math.round(jobferryPerSecond),
    pQueueJobsPerSecond: Math.round(pQueuePerSecond),
    ratio: round(ratio),
    bytesPerQueuedJob: { store: round(storeBytes, 1), withEnvelopeBody: round(envelopeBytes, 1), pQueue: round(pQueueBytes, 1) },
  },
  targets,
);
