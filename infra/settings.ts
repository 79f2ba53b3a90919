/**
 * The reference app's deployment settings, read by both clouds: the AWS CDK stack
 * (infra/aws) and the Terraform generator (infra/gcp). Values that follow from the jobs (the
 * longest timeout, the most attempts) are computed from functions/jobs.ts, never typed twice.
 *
 * Checked once, by resolveInfraSettings: every wrong option is named in one ConfigError,
 * together with the platform limit it breaks (infra/limits.ts).
 *
 * @example
 * ```ts
 * const settings = resolveInfraSettings({ ...REFERENCE_APP, concurrency: 20 });
 * settings.concurrency;        // 20: Lambda maximum concurrency, Cloud Tasks maxConcurrentDispatches
 * settings.maxReceiveCount;    // the jobs' largest maxAttempts + safetyNetAttempts
 * ```
 */
import { jobs as referenceJobs } from '../functions/jobs.ts';
import { ConfigError } from '../src/errors.ts';
import type { AnyJob } from '../src/job.ts';
import { FUNCTION_TIMEOUT_MARGIN_SECONDS, HANDLER_MARGIN_SECONDS, jobExtremes, SAFETY_NET_ATTEMPTS, visibilityTimeoutFor } from '../src/platform-defaults.ts';
import { closest } from '../src/suggest.ts';
import { platformProblems, type Platform } from './limits.ts';

export interface InfraSettingsOptions {
  /** SQS queue name and Cloud Tasks queue id. The dead-letter queue adds `-dead-letter`. */
  queueName?: string;
  /** Cloud Run service name; the two service accounts are named after it. */
  serviceName?: string;
  /**
   * Jobs of this queue that run at once, at most: the Lambda event source mapping's maximum
   * concurrency and the Cloud Tasks queue's maxConcurrentDispatches.
   */
  concurrency?: number;
  /** Lambda timeout and Cloud Run request timeout. Default: the longest job's timeout + 30 s. */
  functionTimeoutSeconds?: number;
  /** Records per Lambda invocation (1-10000). */
  batchSize?: number;
  /** Time Lambda waits to fill a batch (0-300). */
  maxBatchingWindowSeconds?: number;
  /** Lambda memory and Cloud Run memory limit. */
  memoryMiB?: number;
  /** SQS visibility timeout. Default: 6 x functionTimeoutSeconds + maxBatchingWindowSeconds. */
  visibilityTimeoutSeconds?: number;
  /**
   * Deliveries the platform allows above the jobs' largest maxAttempts before it gives up on
   * its own (SQS redrive, Cloud Tasks retry cap). jobferry buries exhausted and poison jobs
   * itself; this margin only catches deliveries a crashed worker never answered.
   */
  safetyNetAttempts?: number;
  /** Cloud Tasks retry backoff, used when the push handler answers 503. */
  minBackoffSeconds?: number;
  maxBackoffSeconds?: number;
  /** Default: enough doublings to go from minBackoffSeconds to maxBackoffSeconds. */
  maxDoublings?: number;
  /** Cloud Tasks dispatch rate cap (tasks started per second). */
  maxDispatchesPerSecond?: number;
  /** Cloud Run ingress. `internal`: only Google's own products (Cloud Tasks) and the VPC reach it. */
  ingress?: 'internal' | 'all';
  /** Path of the push handler on the Cloud Run service; the tasks' URL is the service URL + this. */
  handlerPath?: string;
  /** The jobs the deployed app runs. Default: functions/jobs.ts. */
  jobs?: readonly AnyJob[];
}

export interface InfraSettings {
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly serviceName: string;
  readonly concurrency: number;
  readonly functionTimeoutSeconds: number;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly memoryMiB: number;
  readonly visibilityTimeoutSeconds: number;
  readonly safetyNetAttempts: number;
  readonly minBackoffSeconds: number;
  readonly maxBackoffSeconds: number;
  readonly maxDoublings: number;
  readonly maxDispatchesPerSecond: number;
  readonly ingress: 'internal' | 'all';
  readonly handlerPath: string;
  /** The job with the longest timeoutMs. */
  readonly longestJob: { readonly name: string; readonly timeoutMs: number };
  /** The job with the largest maxAttempts. */
  readonly mostAttemptsJob: { readonly name: string; readonly maxAttempts: number };
  /** SQS redrive: mostAttemptsJob.maxAttempts + safetyNetAttempts. */
  readonly maxReceiveCount: number;
  /** Cloud Tasks retryConfig.maxAttempts: mostAttemptsJob.maxAttempts + safetyNetAttempts. */
  readonly queueMaxAttempts: number;
}

/** What the reference app deploys with. Edit here; both clouds follow. */
export const REFERENCE_APP: InfraSettingsOptions = {
  queueName: 'jobferry-reference',
  serviceName: 'jobferry-reference',
  concurrency: 10,
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  memoryMiB: 512,
};

export { HANDLER_MARGIN_SECONDS };

const OPTION_NAMES = [
  'queueName', 'serviceName', 'concurrency', 'functionTimeoutSeconds', 'batchSize', 'maxBatchingWindowSeconds', 'memoryMiB',
  'visibilityTimeoutSeconds', 'safetyNetAttempts', 'minBackoffSeconds', 'maxBackoffSeconds', 'maxDoublings',
  'maxDispatchesPerSecond', 'ingress', 'handlerPath', 'jobs',
];

export interface ResolveOptions {
  /** Platforms whose limits are checked too. Default both. */
  platforms?: readonly Platform[];
}

/** Fills the defaults, derives the job values and checks everything; throws one ConfigError naming every wrong option. */
export function resolveInfraSettings(options: InfraSettingsOptions = REFERENCE_APP, resolve: ResolveOptions = {}): InfraSettings {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null) throw new ConfigError(['infra settings: must be an object']);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) {
      const near = closest(key, OPTION_NAMES);
      problems.push(`${key}: unknown option${near ? ` (did you mean ${near}?)` : ''}`);
    }
  }
  const int = (key: keyof InfraSettingsOptions, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = options[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key}: must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  };
  const name = (key: 'queueName' | 'serviceName', fallback: string, pattern: RegExp, rule: string): string => {
    const value = options[key] ?? fallback;
    if (typeof value !== 'string' || !pattern.test(value)) {
      problems.push(`${key}: must be ${rule}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  };

  const jobs = options.jobs ?? referenceJobs;
  if (!Array.isArray(jobs) || jobs.length === 0) throw new ConfigError([...problems, 'jobs: must be a non-empty list of job definitions (defineJob)']);
  const { longest, most, longestSeconds } = jobExtremes(jobs);

  // One name serves SQS (80 chars with the suffix) and Cloud Tasks (letters, digits, hyphens).
  const queueName = name('queueName', 'jobferry-reference', /^[A-Za-z0-9-]{1,68}$/, '1-68 letters, digits or hyphens (SQS and Cloud Tasks both accept it, with "-dead-letter" added)');
  // Service accounts are named `<serviceName>-run` and `<serviceName>-oidc`: at most 30 characters.
  const serviceName = name('serviceName', 'jobferry-reference', /^[a-z][a-z0-9-]{4,23}[a-z0-9]$/, '6-25 lowercase letters, digits or hyphens, starting with a letter (Cloud Run service and service account names)');
  const concurrency = int('concurrency', 10, 1);
  const minimumTimeout = longestSeconds + HANDLER_MARGIN_SECONDS;
  const functionTimeoutSeconds = int('functionTimeoutSeconds', longestSeconds + FUNCTION_TIMEOUT_MARGIN_SECONDS, 1);
  if (options.functionTimeoutSeconds !== undefined && functionTimeoutSeconds < minimumTimeout) {
    problems.push(
      `functionTimeoutSeconds: must leave the longest job (${longest.name}, timeoutMs ${longest.timeoutMs}) its whole timeout plus ${HANDLER_MARGIN_SECONDS} s, so at least ${minimumTimeout}, got ${functionTimeoutSeconds}`,
    );
  }
  const batchSize = int('batchSize', 10, 1);
  const maxBatchingWindowSeconds = int('maxBatchingWindowSeconds', 0, 0);
  const memoryMiB = int('memoryMiB', 512, 128);
  const visibilityTimeoutSeconds = int('visibilityTimeoutSeconds', visibilityTimeoutFor(functionTimeoutSeconds, maxBatchingWindowSeconds), 0);
  const safetyNetAttempts = int('safetyNetAttempts', SAFETY_NET_ATTEMPTS, 1);
  const minBackoffSeconds = int('minBackoffSeconds', 1, 0);
  const maxBackoffSeconds = int('maxBackoffSeconds', 600, 0);
  if (maxBackoffSeconds < minBackoffSeconds) problems.push(`maxBackoffSeconds: must be at least minBackoffSeconds (${minBackoffSeconds}), got ${maxBackoffSeconds}`);
  const doublings = minBackoffSeconds > 0 && maxBackoffSeconds > minBackoffSeconds ? Math.ceil(Math.log2(maxBackoffSeconds / minBackoffSeconds)) : 0;
  const maxDoublings = int('maxDoublings', doublings, 0);
  const maxDispatchesPerSecond = int('maxDispatchesPerSecond', 100, 1);
  const ingress = options.ingress ?? 'internal';
  if (ingress !== 'internal' && ingress !== 'all') problems.push(`ingress: must be 'internal' or 'all', got ${JSON.stringify(ingress)}`);
  const handlerPath = options.handlerPath ?? '/';
  if (typeof handlerPath !== 'string' || !/^\/[A-Za-z0-9._~\/-]*$/.test(handlerPath)) problems.push(`handlerPath: must be a URL path starting with '/', got ${JSON.stringify(handlerPath)}`);

  const settings: InfraSettings = {
    queueName,
    deadLetterQueueName: `${queueName}-dead-letter`,
    serviceName,
    concurrency,
    functionTimeoutSeconds,
    batchSize,
    maxBatchingWindowSeconds,
    memoryMiB,
    visibilityTimeoutSeconds,
    safetyNetAttempts,
    minBackoffSeconds,
    maxBackoffSeconds,
    maxDoublings,
    maxDispatchesPerSecond,
    ingress,
    handlerPath,
    longestJob: { name: longest.name, timeoutMs: longest.timeoutMs },
    mostAttemptsJob: { name: most.name, maxAttempts: most.maxAttempts },
    maxReceiveCount: most.maxAttempts + safetyNetAttempts,
    queueMaxAttempts: most.maxAttempts + safetyNetAttempts,
  };
  for (const platform of resolve.platforms ?? ['aws', 'gcp']) problems.push(...platformProblems(platform, settings));
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `infra settings: ${p}`));
  return Object.freeze(settings);
}
