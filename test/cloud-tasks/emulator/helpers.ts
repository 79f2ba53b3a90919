/** Fixtures of the emulator's conformance tests: emulator, real clients, a local HTTP target. */
import http from 'node:http';
import { v2, v2beta2 } from '@google-cloud/tasks';
import { startCloudTasksEmulator, type CloudTasksEmulator, type CloudTasksEmulatorOptions } from '../../../adapters/cloud-tasks/testing.ts';

/** No retries and a short timeout, so a failing call fails the test at once. */
export const call = { retry: null, timeout: 5000 } as never;

export const PROJECT = 'jobferry-test';
export const LOCATION = 'us-central1';
export const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;

let counter = 0;
/** A unique queue name. */
export function queueName(prefix = 'q'): string {
  counter += 1;
  return `${PARENT}/queues/${prefix}-${process.pid}-${counter}`;
}

export interface Rig {
  readonly emulator: CloudTasksEmulator;
  readonly client: v2.CloudTasksClient;
  readonly beta: v2beta2.CloudTasksClient;
  close(): Promise<void>;
}

export async function startRig(options: CloudTasksEmulatorOptions = {}): Promise<Rig> {
  const emulator = await startCloudTasksEmulator(options);
  const client = new v2.CloudTasksClient(emulator.clientOptions());
  const beta = new v2beta2.CloudTasksClient(emulator.clientOptions());
  return {
    emulator,
    client,
    beta,
    async close() {
      await Promise.all([client.close(), beta.close()]);
      await emulator.close();
    },
  };
}

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface TargetAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Real ms to wait before answering; `'hang'` never answers. */
  readonly delayMs?: number | 'hang';
}

/** A node:http target on 127.0.0.1 that records requests and answers as told. */
export interface Target {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Answers to give, in order; once used up, `fallback`. */
  answers: TargetAnswer[];
  fallback: TargetAnswer;
  /** Most requests open at once (arrived, not yet answered) so far. */
  maxInFlight: number;
  /** Resolves when `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTarget(fallback: TargetAnswer = { status: 200 }): Promise<Target> {
  const received: ReceivedRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const hanging = new Set<http.ServerResponse>();
  const target: Target = {
    url: '',
    received,
    answers: [],
    fallback,
    maxInFlight: 0,
    waitFor(count, timeoutMs = 10_000) {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`target: ${received.length}/${count} requests after ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  let open = 0;
  const server = http.createServer((req, res) => {
    open += 1;
    target.maxInFlight = Math.max(target.maxInFlight, open);
    res.on('close', () => (open -= 1));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const w of [...waiters]) {
        if (received.length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
      const answer = target.answers.shift() ?? target.fallback;
      const send = () => res.writeHead(answer.status, answer.headers ?? {}).end();
      if (answer.delayMs === 'hang') hanging.add(res);
      else if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (target as { url: string }).url = `http://127.0.0.1:${(server.address() as { port: number }).port}/work`;
  return target;
}

/** `{ seconds, nanos }` of epoch ms. */
export function ts(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

export function msOf(value: { seconds?: unknown; nanos?: unknown } | null | undefined): number {
  return Number(value?.seconds ?? 0) * 1000 + Math.floor(Number(value?.nanos ?? 0) / 1e6);
}

/** The gRPC code and details of a failed call. */
export async function failure(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: number; details?: unknown; message?: string };
    return { code: e.code ?? -1, details: typeof e.details === 'string' ? e.details : (e.message ?? '') };
  }
  throw new Error('expected the call to fail, it succeeded');
}
