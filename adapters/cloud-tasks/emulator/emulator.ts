/**
 * `startCloudTasksEmulator`: a Cloud Tasks emulator in this process, speaking gRPC (v2 and
 * v2beta2) to the real `@google-cloud/tasks` client, with a push dispatcher, OIDC tokens and
 * their JWKS, on 127.0.0.1 only.
 */
import { grpc as gaxGrpc, googleAuthLibrary, type ClientOptions } from 'google-gax';
import { createV2Api } from './api-v2.ts';
import { createV2beta2Api } from './api-v2beta2.ts';
import { createManualClock, createRealClock, type EmulatorClock } from './clock.ts';
import { createDispatchLog, type DispatchRecord } from './dispatch-log.ts';
import { createDispatcher } from './dispatcher.ts';
import { startGrpcServer } from './grpc-server.ts';
import { createHttpSender } from './http-sender.ts';
import { startHttpServer } from './http-server.ts';
import type { IamPolicies } from './iam.ts';
import { createOidcSigner, type OidcTokenRequest } from './oidc-signer.ts';
import { loadCloudTasksProtos } from './protos.ts';
import { createQueueStore } from './queue-store.ts';
import { createRestHandler } from './rest-server.ts';
import { createCloudTasksService } from './service.ts';
import { createTaskStore } from './task-store.ts';

export interface CloudTasksEmulatorOptions {
  /** gRPC port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** HTTP port (REST API + JWKS) on 127.0.0.1; 0 (default) picks a free one. */
  readonly restPort?: number;
  /** `'manual'`: time moves only on `clock.advance(ms)`. Default `'real'`. */
  readonly clock?: 'real' | 'manual';
  /** Start of the manual clock, epoch ms (default 2030-01-01T00:00:00Z). */
  readonly startTimeMs?: number;
  /** `iss` of the OIDC tokens. Default `https://accounts.google.com`. */
  readonly issuer?: string;
  /** Dispatch push tasks by schedule. Default true. RunTask dispatches either way. */
  readonly dispatch?: boolean;
  /** How long a deleted or executed task's name stays taken. Default 1 h, as on the real service. */
  readonly dedupeWindowMs?: number;
  /** How long a deleted queue's name stays taken. Default 7 days, as on the real service. */
  readonly queueRecreateDelayMs?: number;
  /**
   * `'real'` (default): OIDC tokens carry real `iat`/`exp`, so handlers that check them against
   * real time accept them even on the manual clock. `'clock'`: the emulator clock's time.
   */
  readonly tokenTime?: 'real' | 'clock';
  /** Manual clock: longest real wait, per timer, for in-flight attempts in `advance`. Default 5000 ms. */
  readonly settleTimeoutMs?: number;
  /** Called with unexpected internal errors (default: console.error). */
  readonly onError?: (error: unknown) => void;
}

export interface CloudTasksEmulator {
  readonly host: '127.0.0.1';
  /** gRPC port. */
  readonly port: number;
  /** `127.0.0.1:<port>` */
  readonly grpcEndpoint: string;
  /** HTTP port of the REST surface and the JWKS. */
  readonly restPort: number;
  readonly restUrl: string;
  readonly jwksUrl: string;
  /** `iss` of the emulator's OIDC tokens. */
  readonly issuer: string;
  readonly clock: { now(): number; advance(ms: number): Promise<void>; readonly mode: 'real' | 'manual' };
  /** Every dispatched attempt, in order (in-flight ones have `done: false`). */
  readonly dispatched: ReadonlyArray<DispatchRecord>;
  /** Options for `new CloudTasksClient(...)` (v2 or v2beta2) over gRPC, with no metadata-server probe. */
  clientOptions(): ClientOptions;
  /** The same over REST (`fallback: 'rest'`). */
  restClientOptions(): ClientOptions;
  /** The first finished attempt matching `match` (default: any), already there or to come. */
  waitForDispatch(match?: (record: DispatchRecord) => boolean, options?: { timeoutMs?: number }): Promise<DispatchRecord>;
  /** Resolves once no attempt is in flight (bounded by settleTimeoutMs). */
  idle(): Promise<void>;
  /** An OIDC token as the dispatcher makes them, signed by the emulator's key. */
  signOidcToken(request: OidcTokenRequest): Promise<string>;
  /** Drops all queues, tasks, dedupe and queue-name memory, records and IAM policies. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * @example
 * ```ts
 * import { CloudTasksClient } from '@google-cloud/tasks';
 * import { startCloudTasksEmulator } from 'jobferry/testing/cloud-tasks';
 * const emulator = await startCloudTasksEmulator({ clock: 'manual' });
 * const client = new CloudTasksClient(emulator.clientOptions());
 * await client.createQueue({ parent: 'projects/p/locations/l', queue: { name: 'projects/p/locations/l/queues/q' } });
 * ```
 */
export async function startCloudTasksEmulator(options: CloudTasksEmulatorOptions = {}): Promise<CloudTasksEmulator> {
  const onError = options.onError ?? ((error: unknown) => console.error('[cloud-tasks-emulator]', error));
  const clock: EmulatorClock = options.clock === 'manual' ? createManualClock(options.startTimeMs) : createRealClock();
  const protos = loadCloudTasksProtos();
  const signer = await createOidcSigner({ issuer: options.issuer });
  const queues = createQueueStore(clock, { queueRecreateDelayMs: options.queueRecreateDelayMs ?? 7 * 24 * 3_600_000 });
  const tasks = createTaskStore(clock, { dedupeWindowMs: options.dedupeWindowMs ?? 3_600_000 });
  const log = createDispatchLog();
  const sender = createHttpSender();
  const dispatcher = createDispatcher({
    clock,
    queues,
    tasks,
    signer,
    sender,
    log,
    enabled: options.dispatch ?? true,
    tokensOnEmulatorClock: options.tokenTime === 'clock',
    settleTimeoutMs: options.settleTimeoutMs ?? 5000,
  });
  clock.settle = () => dispatcher.settle();
  const service = createCloudTasksService({ clock, queues, tasks, dispatcher, log });
  const iam: IamPolicies = new Map();
  const apis = { v2: createV2Api(service, iam), v2beta2: createV2beta2Api(service, iam) };

  const grpcServer = await startGrpcServer(protos, apis, options.port ?? 0, onError);
  let httpServer;
  try {
    httpServer = await startHttpServer(signer, options.restPort ?? 0, createRestHandler(protos.paths, apis, onError));
  } catch (error) {
    await grpcServer.close();
    throw error;
  }
  const http = httpServer;
  // google-gax's own copy of google-auth-library, so the client's types and classes match.
  const authClient = new googleAuthLibrary.PassThroughClient();
  let closed = false;

  return {
    host: '127.0.0.1',
    port: grpcServer.port,
    grpcEndpoint: `127.0.0.1:${grpcServer.port}`,
    restPort: http.port,
    restUrl: `http://127.0.0.1:${http.port}`,
    jwksUrl: http.jwksUrl,
    issuer: signer.issuer,
    clock: { now: () => clock.now(), advance: (ms) => clock.advance(ms), mode: clock.mode },
    dispatched: log.records,
    clientOptions: () => ({
      apiEndpoint: '127.0.0.1',
      port: grpcServer.port,
      sslCreds: gaxGrpc.credentials.createInsecure(),
      authClient,
    }),
    restClientOptions: () => ({
      apiEndpoint: '127.0.0.1',
      port: http.port,
      protocol: 'http',
      fallback: 'rest',
      authClient,
    }),
    waitForDispatch: (match = () => true, waitOptions = {}) => log.wait(match, waitOptions.timeoutMs ?? 10_000),
    idle: () => dispatcher.settle(),
    signOidcToken: (request) => signer.sign(request),
    reset() {
      dispatcher.reset();
      queues.reset();
      tasks.reset();
      log.clear();
      iam.clear();
    },
    async close() {
      if (closed) return;
      closed = true;
      await dispatcher.close();
      sender.close();
      await Promise.all([grpcServer.close(), http.close()]);
    },
  };
}
