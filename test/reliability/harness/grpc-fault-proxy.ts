/**
 * A fault proxy on 127.0.0.1 in front of a gRPC service (the Cloud Tasks emulator): a TCP front
 * (whose connections can be reset) before a grpc-js server that forwards every Cloud Tasks call,
 * as raw bytes, to the emulator, unless the current rule answers it with a gRPC status
 * (RESOURCE_EXHAUSTED, PERMISSION_DENIED, UNAVAILABLE, ...) or holds it back. The worker's
 * @google-cloud/tasks client sees only what it would see from Google.
 */
import * as grpc from '@grpc/grpc-js';
import { createServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type GrpcFault =
  | { type: 'status'; code: grpc.status; details: string }
  /** The call waits here until `release`, then goes on, or gets the status `release` resolves to (a slow network on the way in). */
  | { type: 'hold'; release: Promise<void | { code: grpc.status; details: string }> }
  /** The call goes on at once; its answer waits until `release` (a slow network on the way back). */
  | { type: 'delay-answer'; release: Promise<void> };

export interface GrpcCallInfo {
  /** `LeaseTasks`, `RenewLease`, ... */
  readonly method: string;
}

export interface GrpcFaultProxy {
  /** `127.0.0.1:<port>` */
  readonly endpoint: string;
  setRule(rule: ((call: GrpcCallInfo) => GrpcFault | undefined) | undefined): void;
  /** Called with every call that arrives, before any rule. */
  onCall(listener: (call: GrpcCallInfo) => void): () => void;
  /** Called with every forwarded call's answer (`code` 0 = OK). */
  onResponse(listener: (answer: GrpcCallInfo & { code: number }) => void): () => void;
  /** Faults applied so far, by `status:<CODE>` or `hold` / `reset`. */
  readonly applied: Readonly<Record<string, number>>;
  /** Tears down every client connection (the HTTP/2 sessions with them). */
  resetAll(): void;
  close(): Promise<void>;
}

export const GRPC_FAULTS = {
  throttling: { type: 'status', code: grpc.status.RESOURCE_EXHAUSTED, details: 'Quota exceeded for quota metric \'Requests\' of service \'cloudtasks.googleapis.com\'' },
  accessDenied: { type: 'status', code: grpc.status.PERMISSION_DENIED, details: 'The principal (user or service account) lacks IAM permission "cloudtasks.tasks.lease" for the resource' },
  unavailable: { type: 'status', code: grpc.status.UNAVAILABLE, details: 'The service is currently unavailable.' },
} as const satisfies Record<string, GrpcFault>;

const SERVICES = ['google.cloud.tasks.v2beta2.CloudTasks', 'google.cloud.tasks.v2.CloudTasks'];
const METHODS = [
  'ListQueues', 'GetQueue', 'CreateQueue', 'UpdateQueue', 'DeleteQueue', 'PurgeQueue', 'PauseQueue', 'ResumeQueue', 'UploadQueueYaml',
  'GetIamPolicy', 'SetIamPolicy', 'TestIamPermissions', 'ListTasks', 'GetTask', 'CreateTask', 'DeleteTask',
  'LeaseTasks', 'AcknowledgeTask', 'RenewLease', 'CancelLease', 'RunTask', 'BufferTask',
];
const bytes = (b: Buffer) => b;

export async function startGrpcFaultProxy(target: string): Promise<GrpcFaultProxy> {
  let rule: ((call: GrpcCallInfo) => GrpcFault | undefined) | undefined;
  const applied: Record<string, number> = {};
  const listeners = new Set<(answer: GrpcCallInfo & { code: number }) => void>();
  const callListeners = new Set<(call: GrpcCallInfo) => void>();
  const upstream = new grpc.Client(target, grpc.credentials.createInsecure());
  const server = new grpc.Server();
  const bump = (key: string) => (applied[key] = (applied[key] ?? 0) + 1);

  for (const service of SERVICES) {
    for (const method of METHODS) {
      const path = `/${service}/${method}`;
      const forward = (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>, answerAfter?: Promise<void>) => {
        upstream.makeUnaryRequest(path, bytes, bytes, call.request, call.metadata, { deadline: call.getDeadline() }, (error, response) => {
          const answer = () => {
            for (const l of [...listeners]) l({ method, code: error?.code ?? grpc.status.OK });
            if (error) callback(error);
            else callback(null, response);
          };
          if (answerAfter) void answerAfter.then(answer);
          else answer();
        });
      };
      server.register<Buffer, Buffer>(
        path,
        (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          for (const l of [...callListeners]) l({ method });
          const fault = rule?.({ method });
          if (fault === undefined) return forward(call, callback);
          if (fault.type === 'status') {
            bump(`status:${grpc.status[fault.code]}`);
            return callback({ code: fault.code, details: fault.details, metadata: new grpc.Metadata() });
          }
          bump(fault.type);
          if (fault.type === 'delay-answer') return forward(call, callback, fault.release);
          void fault.release.then((then) => {
            if (then === undefined) return forward(call, callback);
            bump(`status:${grpc.status[then.code]}`);
            for (const l of [...listeners]) l({ method, code: then.code });
            callback({ code: then.code, details: then.details, metadata: new grpc.Metadata() });
          });
        },
        bytes,
        bytes,
        'unary',
      );
    }
  }
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  );

  // The TCP front: resets cut the client's connections, as a network blip does.
  const sockets = new Set<Socket>();
  const front: TcpServer = createServer((client) => {
    const back = connect(grpcPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(back);
    client.pipe(back);
    back.pipe(client);
    const end = () => {
      client.destroy();
      back.destroy();
      sockets.delete(client);
      sockets.delete(back);
    };
    client.on('error', end).on('close', end);
    back.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const { port } = front.address() as AddressInfo;

  return {
    endpoint: `127.0.0.1:${port}`,
    setRule(next) {
      rule = next;
    },
    onResponse(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onCall(listener) {
      callListeners.add(listener);
      return () => callListeners.delete(listener);
    },
    applied,
    resetAll() {
      bump('reset');
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      server.forceShutdown();
      upstream.close();
    },
  };
}
