/**
 * Transport faults on each transport: SQS (pull worker; and the Lambda wrapper's own SQS calls)
 * through the HTTP fault proxy, Cloud Tasks pull through the gRPC fault proxy.
 */
import type { SqsEmulator } from '../../../adapters/sqs/emulator.ts';
import { runFaults, type FaultFigures } from '../harness/faults.ts';
import { GRPC_FAULTS, startGrpcFaultProxy } from '../harness/grpc-fault-proxy.ts';
import { createFleet } from '../harness/fleet.ts';
import type { Fault, FaultRig, WorkerReport } from '../harness/faults.ts';
import { SQS_FAULTS, startHttpFaultProxy, type HttpFault, type HttpFaultProxy } from '../harness/http-fault-proxy.ts';
import { lambdaRig } from '../harness/rigs/lambda-rig.ts';
import { cloudTasksPullRig, cloudTasksQueueRig, type CloudTasksBackend } from '../harness/rigs/cloud-tasks-rig.ts';
import { pullFaultRig } from '../harness/rigs/pull-fault-rig.ts';
import { sqsPullRig, sqsQueueRig } from '../harness/rigs/sqs-rig.ts';
import { scratchDir } from '../harness/tmp.ts';
import { FAULTS, type Profile } from './profile.ts';

/** The worker's own backoff after transport errors: 100 ms doubling to 2 s, full jitter. */
const WORKER = { concurrency: 8, leaseMs: 5_000, waitMs: 1_000, batchSize: 10, shutdownGraceMs: 5_000, errorBackoff: { minMs: 100, maxMs: 2_000 } };
const JOB = { timeoutMs: 3_000, maxAttempts: 50 };

/** The SQS fault phases, injected by `proxy`. */
function sqsFaults(proxy: HttpFaultProxy, timers: { resets?: ReturnType<typeof setInterval> }): Fault[] {
  let flip = 0;
  const every = (fault: () => HttpFault) => () => proxy.setRule(fault);
  const clear = () => proxy.setRule(undefined);
  return [
    { name: 'throttling (ThrottlingException, RequestThrottled)', start: every(() => (flip++ % 2 === 0 ? SQS_FAULTS.throttling : SQS_FAULTS.requestThrottled)), stop: clear },
    { name: 'access denied (AccessDeniedException)', start: every(() => SQS_FAULTS.accessDenied), stop: clear },
    {
      name: 'connection resets',
      start: () => {
        proxy.setRule(() => (flip++ % 2 === 0 ? SQS_FAULTS.reset : undefined));
        timers.resets = setInterval(() => proxy.resetAll(), 250);
      },
      stop: () => {
        clearInterval(timers.resets);
        clear();
      },
    },
    { name: 'server errors (InternalFailure, 500)', start: every(() => SQS_FAULTS.internalError), stop: clear },
  ];
}

export async function faultsSqs(sqs: SqsEmulator, profile: Profile): Promise<FaultFigures> {
  const dir = scratchDir('faults-sqs');
  const queue = await sqsQueueRig(sqs, 'faults-sqs', 5);
  const proxy = await startHttpFaultProxy(sqs.endpoint);
  const timers: { resets?: ReturnType<typeof setInterval> } = {};
  const rig = pullFaultRig({
    name: 'sqs',
    ledgerDir: dir.path,
    spawnWorker: (label) => sqsPullRig(queue, { ledgerDir: dir.path, worker: WORKER, job: JOB, endpoint: proxy.endpoint }).spawnWorker(label),
    enqueue: (jobs) => queue.enqueue(jobs),
    pending: () => queue.pending(),
    faults: sqsFaults(proxy, timers),
    deleteQueue: () => queue.deleteQueue(),
    recreateQueue: () => queue.recreateQueue(),
    applied: () => ({ ...proxy.applied }),
    async close() {
      clearInterval(timers.resets);
      await proxy.close();
      await queue.close();
      dir.remove();
    },
  });
  return runFaults(rig, FAULTS[profile]);
}

/**
 * The Lambda path: the faults sit between the function (the wrapper's own SQS calls: a retry's
 * visibility, a bury's dead-letter send) and SQS; the event source mapping is the platform and
 * reaches fauxqs directly. Every fourth job fails once, so retries need those calls.
 */
export async function faultsLambda(sqs: SqsEmulator, profile: Profile): Promise<FaultFigures> {
  const dir = scratchDir('faults-lambda');
  const queue = await sqsQueueRig(sqs, 'faults-lambda', 2);
  const proxy = await startHttpFaultProxy(sqs.endpoint);
  const timers: { resets?: ReturnType<typeof setInterval> } = {};
  const lambda = lambdaRig(queue, { ledgerDir: dir.path, concurrency: 2, job: JOB, endpoint: proxy.endpoint });
  const answeredAt: number[] = [];
  proxy.onResponse((r) => {
    if (r.status === 200) answeredAt.push(Date.now());
  });
  let stopping = false;
  let crashes = 0;
  const fleet = createFleet({
    size: 2,
    prefix: 'lambda-faults',
    spawn(label) {
      const child = lambda.spawnWorker(label);
      void child.exited.then(() => {
        if (!stopping) crashes++;
      });
      return child;
    },
  });
  const report = async (): Promise<WorkerReport> => {
    const events: Record<string, number> = {};
    for (const child of fleet.children.filter((c) => c.isReady)) {
      const answer = child.next('status', 10_000);
      child.send({ type: 'status' });
      for (const [name, n] of Object.entries((await answer).events)) events[name] = (events[name] ?? 0) + n;
    }
    return { events, counts: {} };
  };
  const rig: FaultRig = {
    name: 'lambda push',
    ledgerDir: dir.path,
    backoffEvent: 'lambda.action-failed',
    payloadOf: (n) => (n % 4 === 0 ? { n, workMs: 5, mode: 'fail-once' } : { n, workMs: 5 + (n % 20) }),
    recoveredAfter: (t) => answeredAt.find((at) => at > t),
    async start() {
      fleet.start();
      await fleet.ready(2, 30_000);
      lambda.start!(fleet);
    },
    report,
    async stop() {
      const last = await report();
      await lambda.stopConsumers!();
      stopping = true;
      await fleet.stop(10_000);
      return { ...last, crashes };
    },
    enqueue: (jobs) => queue.enqueue(jobs),
    pending: () => queue.pending(),
    faults: sqsFaults(proxy, timers),
    deleteQueue: () => queue.deleteQueue(),
    recreateQueue: () => queue.recreateQueue(),
    applied: () => ({ ...proxy.applied }),
    async close() {
      clearInterval(timers.resets);
      stopping = true;
      await lambda.stopConsumers!().catch(() => {});
      await fleet.stop(5_000).catch(() => {});
      await proxy.close();
      await queue.close();
      dir.remove();
    },
  };
  return runFaults(rig, FAULTS[profile]);
}

export async function faultsCloudTasks(backend: CloudTasksBackend, profile: Profile): Promise<FaultFigures> {
  const dir = scratchDir('faults-cloud-tasks');
  const queue = await cloudTasksQueueRig(backend, 'faults');
  const proxy = await startGrpcFaultProxy(backend.emulator.grpcEndpoint);
  let resets: ReturnType<typeof setInterval> | undefined;
  const rig = pullFaultRig({
    name: 'cloud-tasks pull',
    ledgerDir: dir.path,
    spawnWorker: (label) => cloudTasksPullRig(queue, { ledgerDir: dir.path, worker: WORKER, job: JOB, endpoint: proxy.endpoint }).spawnWorker(label),
    enqueue: (jobs) => queue.enqueue(jobs),
    pending: () => queue.pending(),
    faults: [
      { name: 'throttling (RESOURCE_EXHAUSTED)', start: () => proxy.setRule(() => GRPC_FAULTS.throttling), stop: () => proxy.setRule(undefined) },
      { name: 'access denied (PERMISSION_DENIED)', start: () => proxy.setRule(() => GRPC_FAULTS.accessDenied), stop: () => proxy.setRule(undefined) },
      {
        name: 'connection resets',
        start: () => {
          resets = setInterval(() => proxy.resetAll(), 250);
        },
        stop: () => clearInterval(resets),
      },
      { name: 'server errors (UNAVAILABLE)', start: () => proxy.setRule(() => GRPC_FAULTS.unavailable), stop: () => proxy.setRule(undefined) },
    ],
    deleteQueue: () => queue.deleteQueue(),
    recreateQueue: () => queue.recreateQueue(),
    applied: () => ({ ...proxy.applied }),
    async close() {
      clearInterval(resets);
      await proxy.close();
      await queue.close();
      dir.remove();
    },
  });
  return runFaults(rig, FAULTS[profile]);
}

export function describeFaults(f: FaultFigures): string {
  const phases = f.phases.map((p) => `${p.fault}: ${p.backoffs} backoffs, recovered in ${p.recoveryMs ?? 'never'} ms`).join('; ');
  return `${f.transport}: ${f.jobs} jobs, lost ${f.lost} ${f.lostIds.join(',')}, duplicates ${f.duplicateEffects}, unhandled ${f.unhandled} ${f.unhandledSamples.join(' | ')}, crashes ${f.crashes}, transport errors ${f.transportErrors}, injected ${JSON.stringify(f.injected)}; ${phases}`;
}
