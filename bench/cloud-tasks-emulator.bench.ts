/**
 * The Cloud Tasks emulator under the real @google-cloud/tasks client, on loopback:
 *   - CreateTask calls per second over gRPC and over REST (sequential calls, paused queue),
 *     interleaved rounds in the same run;
 *   - tasks dispatched per second end to end: N tasks created on a running queue at 500/s
 *     (the real maximum), until a node:http target has answered 200 to all of them.
 *
 *   npx node bench/cloud-tasks-emulator.bench.ts [--quick]
 *
 * No target: these figures say how fast a test suite can drive the emulator.
 */
import http from 'node:http';
import { v2 } from '@google-cloud/tasks';
import { startCloudTasksEmulator } from '../adapters/cloud-tasks/testing.ts';
import { compare, printResult, printTable, quick, round } from './lib.ts';

const n = quick ? 100 : 2000;
const rounds = quick ? 2 : 5;
const dispatchN = quick ? 200 : 2000;
const call = { retry: null, timeout: 10_000 } as never;
const parent = 'projects/bench/locations/here';

const emulator = await startCloudTasksEmulator();
const grpcClient = new v2.CloudTasksClient(emulator.clientOptions());
const restClient = new v2.CloudTasksClient(emulator.restClientOptions());
const paused = `${parent}/queues/paused`;
await grpcClient.createQueue({ parent, queue: { name: paused } }, call);
await grpcClient.pauseQueue({ name: paused }, call);

const task = { httpRequest: { url: 'http://127.0.0.1:9/never', body: Buffer.from('{"v":1,"name":"bench"}') } };
async function creates(client: v2.CloudTasksClient, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await client.createTask({ parent: paused, task }, call);
  await grpcClient.purgeQueue({ name: paused }, call);
}

const measured = await compare(
  [
    { name: 'CreateTask over gRPC', run: (count) => creates(grpcClient, count) },
    { name: 'CreateTask over REST', run: (count) => creates(restClient, count) },
  ],
  { n, rounds },
);
printTable(measured);

// End to end: create, dispatch, answer.
let answered = 0;
let allAnswered!: () => void;
const target = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200).end();
    if (++answered === dispatchN) allAnswered();
  });
});
await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(target.address() as { port: number }).port}/t`;
const running = `${parent}/queues/running`;
await grpcClient.createQueue({ parent, queue: { name: running, rateLimits: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 100 } } }, call);
const done = new Promise<void>((resolve) => (allAnswered = resolve));
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async (_, w) => {
    for (let i = w; i < dispatchN; i += 8) await grpcClient.createTask({ parent: running, task: { httpRequest: { url, body: Buffer.from('x') } } }, call);
  }),
);
await done;
const seconds = (performance.now() - t0) / 1000;
const dispatchedPerSecond = dispatchN / seconds;
console.log(`  dispatched end to end (rate limit 500/s)  ${Math.round(dispatchedPerSecond)} /s over ${dispatchN} tasks`);

await Promise.all([grpcClient.close(), restClient.close()]);
await emulator.close();
target.close();

printResult(
  'cloud-tasks-emulator',
  {
    createTaskGrpcPerSecond: round(measured[0]!.perSecond, 0),
    createTaskRestPerSecond: round(measured[1]!.perSecond, 0),
    dispatchedPerSecond: round(dispatchedPerSecond, 0),
    dispatchRateLimit: 500,
    n,
    dispatchN,
  },
  [],
);
