/** The gRPC server: the v2 and v2beta2 CloudTasks services on 127.0.0.1. */
import * as grpc from '@grpc/grpc-js';
import type { ApiMethods } from './api-v2.ts';
import { CloudTasksApiError, Code } from './errors.ts';
import type { CloudTasksProtos } from './protos.ts';

export interface GrpcServerHandle {
  readonly port: number;
  close(): Promise<void>;
}

export async function startGrpcServer(
  protos: CloudTasksProtos,
  apis: { v2: ApiMethods; v2beta2: ApiMethods },
  port: number,
  onError: (error: unknown) => void,
): Promise<GrpcServerHandle> {
  const server = new grpc.Server();
  server.addService(protos.v2, handlers(protos.v2, apis.v2, onError));
  server.addService(protos.v2beta2, handlers(protos.v2beta2, apis.v2beta2, onError));
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) =>
      error ? reject(error) : resolve(actual),
    ),
  );
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Calls still open after a moment are cut, so close() never hangs on a stuck client.
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
}

function handlers(definition: grpc.ServiceDefinition, api: ApiMethods, onError: (error: unknown) => void): grpc.UntypedServiceImplementation {
  const out: grpc.UntypedServiceImplementation = {};
  for (const [key, method] of Object.entries(definition)) {
    const name = method.originalName ? capitalize(method.originalName) : key;
    const fn = api[name] ?? api[key];
    out[key] = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      if (!fn) {
        callback({ code: Code.UNIMPLEMENTED, details: `[cloud-tasks-emulator] ${name} is not implemented by the emulator` });
        return;
      }
      try {
        callback(null, fn(call.request ?? {}));
      } catch (error) {
        callback(toStatus(error, onError));
      }
    };
  }
  return out;
}

export function toStatus(error: unknown, onError: (error: unknown) => void): grpc.ServiceError {
  if (error instanceof CloudTasksApiError) {
    return Object.assign(new Error(error.message), { code: error.code, details: error.message, metadata: new grpc.Metadata() });
  }
  onError(error);
  const message = `[cloud-tasks-emulator] internal error: ${error instanceof Error ? error.message : String(error)}`;
  return Object.assign(new Error(message), { code: Code.INTERNAL, details: message, metadata: new grpc.Metadata() });
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
