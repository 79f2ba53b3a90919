/**
 * Loads the Cloud Tasks service definitions from the .proto files that `@google-cloud/tasks`
 * ships, with the Google protos that `google-gax` ships, once per process.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface ProtoPaths {
  /** `.../@google-cloud/tasks/build/protos` */
  readonly tasks: string;
  /** `.../google-gax/build/protos` */
  readonly gax: string;
}

/** Where the installed packages keep their protos (their exports maps hide package.json). */
export function protoPaths(): ProtoPaths {
  const require = createRequire(import.meta.url);
  // `@google-cloud/tasks` resolves to build/cjs/src/index.cjs: three levels below its root.
  const tasksEntry = require.resolve('@google-cloud/tasks');
  const tasksRoot = resolve(dirname(tasksEntry), '../../..');
  // google-gax from the tasks package's point of view (it may be nested there).
  const gaxEntry = createRequire(tasksEntry).resolve('google-gax');
  const gaxRoot = resolve(dirname(gaxEntry), '../..');
  return { tasks: join(tasksRoot, 'build/protos'), gax: join(gaxRoot, 'build/protos') };
}

/**
 * How request and response objects look on both surfaces (gRPC and REST): camelCase fields,
 * enums as names, int64 as numbers, bytes as Buffers, oneof names as virtual fields, and no
 * defaults filled in, so that a field the caller did not set stays `undefined`.
 */
export const loaderOptions: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: false,
  oneofs: true,
};

export interface CloudTasksProtos {
  readonly v2: grpc.ServiceDefinition;
  readonly v2beta2: grpc.ServiceDefinition;
  readonly paths: ProtoPaths;
}

let cached: CloudTasksProtos | undefined;

export function loadCloudTasksProtos(): CloudTasksProtos {
  if (cached) return cached;
  const paths = protoPaths();
  const files = ['google/cloud/tasks/v2/cloudtasks.proto', 'google/cloud/tasks/v2beta2/cloudtasks.proto'];
  const definition = protoLoader.loadSync(files, { ...loaderOptions, includeDirs: [paths.tasks, paths.gax] });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    google: { cloud: { tasks: Record<'v2' | 'v2beta2', { CloudTasks: grpc.ServiceClientConstructor }> } };
  };
  cached = {
    v2: pkg.google.cloud.tasks.v2.CloudTasks.service,
    v2beta2: pkg.google.cloud.tasks.v2beta2.CloudTasks.service,
    paths,
  };
  return cached;
}
