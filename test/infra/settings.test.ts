import { describe, expect, it } from 'vitest';
import { jobs } from '../../functions/jobs.ts';
import { minimumVisibilitySeconds } from '../../infra/limits.ts';
import { HANDLER_MARGIN_SECONDS, REFERENCE_APP, resolveInfraSettings } from '../../infra/settings.ts';
import { ConfigError } from '../../src/errors.ts';
import { jobWith, settingsWith } from './fixtures.ts';

const refused = (run: () => unknown): ConfigError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('infra settings: values derived from the jobs module', () => {
  it('takes the longest timeout and the largest maxAttempts from functions/jobs.ts', () => {
    const longest = Math.max(...jobs.map((j) => j.timeoutMs));
    const most = Math.max(...jobs.map((j) => j.maxAttempts));

    const settings = resolveInfraSettings();

    expect(settings.longestJob.timeoutMs).toBe(longest);
    expect(jobs.find((j) => j.name === settings.longestJob.name)?.timeoutMs).toBe(longest);
    expect(settings.mostAttemptsJob.maxAttempts).toBe(most);
    expect(settings.maxReceiveCount).toBeGreaterThan(most);
    expect(settings.queueMaxAttempts).toBeGreaterThan(most);
  });

  it('follows the jobs it is given', () => {
    const settings = resolveInfraSettings({ jobs: [jobWith('quick', { maxAttempts: 2, timeoutMs: 1_000 }), jobWith('slow', { maxAttempts: 12, timeoutMs: 300_000 })] });

    expect(settings.longestJob).toEqual({ name: 'slow', timeoutMs: 300_000 });
    expect(settings.mostAttemptsJob).toEqual({ name: 'slow', maxAttempts: 12 });
    expect(settings.maxReceiveCount).toBe(12 + settings.safetyNetAttempts);
    expect(settings.functionTimeoutSeconds).toBeGreaterThanOrEqual(300 + HANDLER_MARGIN_SECONDS);
  });

  it('defaults the visibility timeout to 6 x the function timeout + the batching window', () => {
    const settings = settingsWith({ functionTimeoutSeconds: 200, maxBatchingWindowSeconds: 4 });

    expect(settings.visibilityTimeoutSeconds).toBe(6 * 200 + 4);
    expect(settings.visibilityTimeoutSeconds).toBe(minimumVisibilitySeconds(200, 4));
  });

  it('keeps the reference values', () => {
    const settings = resolveInfraSettings(REFERENCE_APP);

    expect(settings.concurrency).toBe(REFERENCE_APP.concurrency);
    expect(settings.queueName).toBe(REFERENCE_APP.queueName);
    expect(settings.deadLetterQueueName).toBe(`${REFERENCE_APP.queueName}-dead-letter`);
  });
});

describe('infra settings: bad settings are refused with the option named', () => {
  it('refuses a concurrency Lambda cannot express, naming the option and the range', () => {
    const error = refused(() => settingsWith({ concurrency: 1 }));

    expect(error.message).toMatch(/concurrency: the Lambda event source mapping's maximum concurrency .* must be 2-1000, got 1 \[aws\]/);
  });

  it('accepts that concurrency when only GCP is checked', () => {
    expect(settingsWith({ concurrency: 1 }, ['gcp']).concurrency).toBe(1);
  });

  it('refuses a visibility timeout below the 6x rule, with the numbers', () => {
    const error = refused(() => settingsWith({ functionTimeoutSeconds: 150, maxBatchingWindowSeconds: 1, visibilityTimeoutSeconds: 600 }));

    expect(error.message).toContain('visibilityTimeoutSeconds: must be at least 6 x functionTimeoutSeconds + maxBatchingWindowSeconds = 6 x 150 + 1 = 901');
    expect(error.message).toContain('got 600');
  });

  it('refuses a function timeout shorter than the longest job, naming the job', () => {
    const error = refused(() => settingsWith({ functionTimeoutSeconds: 60 }));

    expect(error.message).toMatch(/functionTimeoutSeconds: must leave the longest job \(rebuild-search-index, timeoutMs 120000\)/);
  });

  it('suggests the option a typo meant', () => {
    const error = refused(() => resolveInfraSettings({ ...REFERENCE_APP, concurency: 5 } as never));

    expect(error.message).toContain('concurency: unknown option (did you mean concurrency?)');
  });

  it('names every problem at once', () => {
    const error = refused(() => settingsWith({ batchSize: 100, maxBatchingWindowSeconds: 0, maxDispatchesPerSecond: 1000, memoryMiB: 64 }));

    expect(error.issues.some((i) => i.includes('maxBatchingWindowSeconds: Lambda needs a batching window of at least 1 s for a batchSize above 10'))).toBe(true);
    expect(error.issues.some((i) => i.includes("maxDispatchesPerSecond: a Cloud Tasks queue's maxDispatchesPerSecond must be 1-500, got 1000 [gcp]"))).toBe(true);
    expect(error.issues.some((i) => i.includes('memoryMiB: must be an integer from 128 up, got 64'))).toBe(true);
  });

  it('refuses non-integers and wrong names', () => {
    const error = refused(() => settingsWith({ concurrency: 2.5, queueName: 'no spaces', ingress: 'public' as never }));

    expect(error.message).toContain('concurrency: must be an integer from 1 up, got 2.5');
    expect(error.message).toContain('queueName: must be 1-68 letters, digits or hyphens');
    expect(error.message).toContain("ingress: must be 'internal' or 'all'");
  });

  it('refuses a Cloud Tasks request timeout past the 30-minute dispatch deadline', () => {
    const error = refused(() => settingsWith({ functionTimeoutSeconds: 2000 }, ['gcp']));

    expect(error.message).toMatch(/functionTimeoutSeconds: .*dispatch deadline.* must be 15-1800, got 2000 \[gcp\]/);
  });
});
