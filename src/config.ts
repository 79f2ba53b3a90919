/**
 * jobferry's configuration: one schema, a discriminated union on `adapter`. Validated once, at
 * start; an invalid configuration fails with a message naming every wrong option and why.
 * Option names carry their units. Environment variables are read in src/env.ts only.
 */
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { closest } from './suggest.ts';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

const common = {
  /** Queue name used in logs (and the memory adapter's queue). */
  queue: z.string().min(1).max(256).optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Jobs a worker runs at once. */
  concurrency: count(1, 10_000).default(4),
  /** On SIGTERM/SIGINT: time in-flight jobs get to finish before they are released. */
  shutdownGraceMs: count(0, 15 * 60_000).default(25_000),
  /** Largest accepted body; default: the adapter's own limit. */
  maxBodyBytes: count(1, 64 * 1024 * 1024).optional(),
};

export const memoryConfigSchema = z.strictObject({
  adapter: z.literal('memory'),
  ...common,
  /** Lease of a reserved job when its job definition does not ask for more. */
  leaseSeconds: count(1, 43_200).default(30),
});

export const sqsConfigSchema = z.strictObject({
  adapter: z.literal('sqs'),
  ...common,
  queueUrl: z.url(),
  /** Where poison and exhausted jobs are buried. Default: the target of the queue's redrive policy. */
  deadLetterQueueUrl: z.url().optional(),
  region: z.string().min(1).optional(),
  /** Custom endpoint (emulators, VPC endpoints). */
  endpoint: z.url().optional(),
  /** Long-poll duration of ReceiveMessage, 0..20. */
  waitTimeSeconds: count(0, 20).default(20),
  /** Visibility timeout asked for on receive when a job does not ask for more; 0..43200. */
  visibilityTimeoutSeconds: count(0, 43_200).default(30),
  /** Concurrent ReceiveMessage loops of a pull worker. */
  pollers: count(1, 100).default(2),
  /** kick() of everything may use StartMessageMoveTask (falls back to receive/send/delete where missing). */
  useMessageMoveTask: flag.default(false),
});

export const cloudTasksConfigSchema = z.strictObject({
  adapter: z.literal('cloud-tasks'),
  ...common,
  project: z.string().regex(/^[a-z][a-z0-9-:.]{1,62}$/, 'must be a Google Cloud project id'),
  location: z.string().regex(/^[a-z]+-[a-z]+[0-9]+$/, 'must be a region such as europe-west1'),
  /** Queue id (not the full name). */
  queueId: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'must be 1-100 letters, digits or hyphens'),
  /** Paused queue that keeps buried jobs. */
  deadLetterQueueId: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'must be 1-100 letters, digits or hyphens').optional(),
  /** `push`: HTTP tasks to handlerUrl (v2 API); `pull`: workers lease pull tasks (v2beta2, a beta API). */
  mode: z.enum(['push', 'pull']).default('push'),
  /** URL of the push handler the tasks target (push mode). */
  handlerUrl: z.url().optional(),
  /** Service account whose OIDC token the tasks carry. */
  serviceAccountEmail: z.email().optional(),
  /** OIDC audience; default: handlerUrl. */
  audience: z.string().min(1).optional(),
  /** Dispatch deadline of push tasks, 15..1800; default the queue's (600). */
  dispatchDeadlineSeconds: count(15, 1800).optional(),
  /** Custom endpoint `host:port` (emulator). */
  endpoint: z.string().min(1).optional(),
  /** `rest` uses the HTTP/1.1 fallback (cures sporadic DEADLINE_EXCEEDED on createTask over gRPC). */
  fallback: z.enum(['rest']).optional(),
  /** Use insecure channels (local emulator only). */
  insecure: flag.default(false),
  /** `application-default` (GoogleAuth, cloud-platform scope) or `none` (emulators). Default: none when insecure. */
  credentials: z.enum(['application-default', 'none']).optional(),
  /** Pull mode: interval between LeaseTasks calls while a reserve waits. */
  pollIntervalMs: count(50, 60_000).default(1000),
  /** Lease length for pull (v2beta2) reservations when a job does not ask for more. */
  leaseSeconds: count(1, 604_800).default(30),
  /**
   * The push queue's retryConfig.maxAttempts (-1: unlimited), for the push handler: Cloud Tasks
   * drops a task after its last attempt, so the handler buries a job that fails on it.
   */
  queueMaxAttempts: z.coerce.number().int().min(-1).refine((n) => n !== 0, 'must be -1 (unlimited) or an integer >= 1').optional(),
});

export const configSchema = z.discriminatedUnion('adapter', [memoryConfigSchema, sqsConfigSchema, cloudTasksConfigSchema]);

export type JobferryConfig = z.output<typeof configSchema>;
export type JobferryConfigInput = z.input<typeof configSchema>;
export type MemoryConfig = z.output<typeof memoryConfigSchema>;
export type SqsConfig = z.output<typeof sqsConfigSchema>;
export type CloudTasksConfig = z.output<typeof cloudTasksConfigSchema>;
export type AdapterName = JobferryConfig['adapter'];
export const ADAPTER_NAMES: readonly AdapterName[] = ['memory', 'sqs', 'cloud-tasks'];

/**
 * Parses a configuration object. `describe` renames option paths in messages (the env loader
 * uses it to name the variable, e.g. `JOBFERRY_SQS_QUEUE_URL`).
 */
export function parseConfig(input: unknown, describe: (path: string) => string = (p) => p): JobferryConfig {
  const result = configSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const given = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).adapter : undefined;
  const problems: string[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${describe(path ? `${path}.${key}` : key)}: unknown option${hint(key, given)}`);
    } else if (issue.code === 'invalid_union' && path === 'adapter') {
      problems.push(`${describe('adapter')}: must be one of ${ADAPTER_NAMES.join(', ')}${given === undefined ? '' : `, got ${JSON.stringify(given)}`}`);
    } else if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
      problems.push(`${describe(path || '(root)')}: required (expected ${issue.expected})`);
    } else {
      problems.push(`${describe(path || '(root)')}: ${issue.message}`);
    }
  }
  throw new ConfigError(problems);
}

const SHAPES: Record<string, readonly string[]> = {
  memory: Object.keys(memoryConfigSchema.shape),
  sqs: Object.keys(sqsConfigSchema.shape),
  'cloud-tasks': Object.keys(cloudTasksConfigSchema.shape),
};

// Unit-less names are the usual mistake (`visibilityTimeout` for `visibilityTimeoutSeconds`),
// then typos (`concurency`), then an option of another adapter.
function hint(key: string, adapter: unknown): string {
  const own = SHAPES[String(adapter)] ?? [];
  const other = Object.entries(SHAPES).find(([name, keys]) => name !== adapter && keys.includes(key) && !own.includes(key));
  if (other !== undefined) return ` (an option of the ${other[0]} adapter)`;
  const match = closest(key, own);
  return match ? ` (did you mean ${match}?)` : '';
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
