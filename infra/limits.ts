/**
 * The platform limits the reference app's settings must respect, one table per cloud. Each
 * problem names the option, the limit and who sets it, so a refused deployment says why
 * before any cloud API is called.
 */
import { visibilityTimeoutFor } from '../src/platform-defaults.ts';
import type { InfraSettings } from './settings.ts';

export type Platform = 'aws' | 'gcp';

/**
 * AWS's guidance for a Lambda SQS event source: the queue's visibility timeout at least six
 * times the function timeout, plus the batching window (a record waiting in a window is
 * already in flight, and Lambda retries throttled invocations within that time). The one
 * formula is in src/platform-defaults.ts, which the dev app uses too.
 */
export const minimumVisibilitySeconds = visibilityTimeoutFor;

type Check = (s: InfraSettings) => string | undefined;

const range = (key: keyof InfraSettings, min: number, max: number, what: string): Check => (s) => {
  const value = s[key] as number;
  return value < min || value > max ? `${key}: ${what} must be ${min}-${max}, got ${value}` : undefined;
};

const AWS: readonly Check[] = [
  range('concurrency', 2, 1000, "the Lambda event source mapping's maximum concurrency (AWS's range)"),
  range('functionTimeoutSeconds', 1, 900, 'a Lambda timeout'),
  range('memoryMiB', 128, 10_240, 'Lambda memory'),
  range('batchSize', 1, 10_000, 'an SQS event source batch size'),
  range('maxBatchingWindowSeconds', 0, 300, 'an SQS event source batching window'),
  range('visibilityTimeoutSeconds', 0, 43_200, 'an SQS visibility timeout'),
  range('maxReceiveCount', 1, 1000, 'an SQS redrive maxReceiveCount (mostAttemptsJob.maxAttempts + safetyNetAttempts)'),
  (s) =>
    s.batchSize > 10 && s.maxBatchingWindowSeconds < 1
      ? `maxBatchingWindowSeconds: Lambda needs a batching window of at least 1 s for a batchSize above 10, got batchSize ${s.batchSize} with ${s.maxBatchingWindowSeconds} s`
      : undefined,
  (s) => {
    const minimum = minimumVisibilitySeconds(s.functionTimeoutSeconds, s.maxBatchingWindowSeconds);
    return s.visibilityTimeoutSeconds < minimum
      ? `visibilityTimeoutSeconds: must be at least 6 x functionTimeoutSeconds + maxBatchingWindowSeconds = 6 x ${s.functionTimeoutSeconds} + ${s.maxBatchingWindowSeconds} = ${minimum} (AWS's guidance for Lambda SQS event sources), got ${s.visibilityTimeoutSeconds}`
      : undefined;
  },
];

const GCP: readonly Check[] = [
  range('concurrency', 1, 5000, "a Cloud Tasks queue's maxConcurrentDispatches"),
  range('maxDispatchesPerSecond', 1, 500, "a Cloud Tasks queue's maxDispatchesPerSecond"),
  // Cloud Run allows 3600 s per request, but an HTTP task's dispatch deadline is 15 s to 30 min.
  range('functionTimeoutSeconds', 15, 1800, 'a request timeout Cloud Tasks waits for (its dispatch deadline)'),
  range('memoryMiB', 128, 4096, 'Cloud Run memory with 1 vCPU'),
];

/** The settings' problems on one platform, empty when it can deploy them. */
export function platformProblems(platform: Platform, settings: InfraSettings): string[] {
  const checks = platform === 'aws' ? AWS : GCP;
  const problems: string[] = [];
  for (const check of checks) {
    const problem = check(settings);
    if (problem !== undefined) problems.push(`${problem} [${platform}]`);
  }
  return problems;
}
