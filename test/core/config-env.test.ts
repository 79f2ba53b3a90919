/**
 * loadConfig: JOBFERRY_* variables, errors that name the variable, unknown variables with a
 * "did you mean", other adapters' variables left alone, overrides on top.
 */
import { describe, expect, it } from 'vitest';
import { envName, loadConfig } from '../../src/env.ts';
import { ConfigError } from '../../src/errors.ts';

function issuesOf(env: Record<string, string>, overrides: Record<string, unknown> = {}): readonly string[] {
  try {
    loadConfig(env, overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('loadConfig accepted the environment');
}

const SQS = { JOBFERRY_ADAPTER: 'sqs', JOBFERRY_SQS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' };

describe('envName', () => {
  it.each([
    ['sqs', 'queueUrl', 'JOBFERRY_SQS_QUEUE_URL'],
    ['sqs', 'concurrency', 'JOBFERRY_CONCURRENCY'],
    ['sqs', 'shutdownGraceMs', 'JOBFERRY_SHUTDOWN_GRACE_MS'],
    ['cloud-tasks', 'queueId', 'JOBFERRY_CLOUD_TASKS_QUEUE_ID'],
    ['memory', 'leaseSeconds', 'JOBFERRY_MEMORY_LEASE_SECONDS'],
  ])('%s.%s is %s', (adapter, option, name) => {
    expect(envName(adapter, option)).toBe(name);
  });
});

describe('loadConfig', () => {
  it('defaults to the memory adapter with its defaults', () => {
    expect(loadConfig({})).toEqual({ adapter: 'memory', logLevel: 'info', concurrency: 4, shutdownGraceMs: 25_000, leaseSeconds: 30 });
  });

  it('reads common and adapter variables, coerced', () => {
    const config = loadConfig({ ...SQS, JOBFERRY_CONCURRENCY: '16', JOBFERRY_SQS_WAIT_TIME_SECONDS: '5', JOBFERRY_LOG_LEVEL: 'debug', JOBFERRY_SQS_USE_MESSAGE_MOVE_TASK: 'true' });

    expect(config).toMatchObject({ adapter: 'sqs', queueUrl: SQS.JOBFERRY_SQS_QUEUE_URL, concurrency: 16, waitTimeSeconds: 5, logLevel: 'debug' });
  });

  it('an empty variable counts as unset', () => {
    expect(loadConfig({ JOBFERRY_CONCURRENCY: '' })).toMatchObject({ concurrency: 4 });
  });

  it('ignores variables without the prefix', () => {
    expect(loadConfig({ PATH: '/bin', CONCURRENCY: 'x' })).toMatchObject({ adapter: 'memory' });
  });

  it('names the variable (and the option) of every wrong value', () => {
    const issues = issuesOf({ ...SQS, JOBFERRY_SQS_QUEUE_URL: 'nope', JOBFERRY_CONCURRENCY: 'abc', JOBFERRY_SQS_POLLERS: '0' });

    expect(issues).toEqual([
      expect.stringMatching(/^JOBFERRY_CONCURRENCY \(concurrency\): /),
      expect.stringMatching(/^JOBFERRY_SQS_QUEUE_URL \(queueUrl\): Invalid URL/),
      expect.stringMatching(/^JOBFERRY_SQS_POLLERS \(pollers\): Too small/),
    ]);
  });

  it('a missing required variable is named as required', () => {
    expect(issuesOf({ JOBFERRY_ADAPTER: 'sqs' })).toEqual(['JOBFERRY_SQS_QUEUE_URL (queueUrl): required (expected string)']);
  });

  it('an unknown variable is an error, with the near variable it probably meant', () => {
    const issues = issuesOf({ ...SQS, JOBFERRY_CONCURENCY: '3', JOBFERRY_SQS_QUEUE_UR: 'x', JOBFERRY_SQS_VISIBILITY_TIMEOUT: '5', JOBFERRY_BANANA: '1' });

    expect(issues).toEqual([
      'JOBFERRY_CONCURENCY: unknown variable for adapter sqs (did you mean JOBFERRY_CONCURRENCY?)',
      'JOBFERRY_SQS_QUEUE_UR: unknown variable for adapter sqs (did you mean JOBFERRY_SQS_QUEUE_URL?)',
      'JOBFERRY_SQS_VISIBILITY_TIMEOUT: unknown variable for adapter sqs (did you mean JOBFERRY_SQS_VISIBILITY_TIMEOUT_SECONDS?)',
      'JOBFERRY_BANANA: unknown variable for adapter sqs',
    ]);
  });

  it("another adapter's variables are left alone: switching adapters is one variable", () => {
    const config = loadConfig({ ...SQS, JOBFERRY_CLOUD_TASKS_PROJECT: 'p', JOBFERRY_MEMORY_LEASE_SECONDS: '5' });

    expect(config.adapter).toBe('sqs');
  });

  it('unknown variables and wrong values are reported together', () => {
    const issues = issuesOf({ ...SQS, JOBFERRY_SQS_QUEUE_URL: 'nope', JOBFERRY_TYPO: '1' });

    expect(issues).toEqual(['JOBFERRY_TYPO: unknown variable for adapter sqs', expect.stringMatching(/^JOBFERRY_SQS_QUEUE_URL \(queueUrl\): /)]);
  });

  it('an unknown adapter names JOBFERRY_ADAPTER and the value', () => {
    expect(issuesOf({ JOBFERRY_ADAPTER: 'kafka' })).toEqual(['JOBFERRY_ADAPTER: must be one of memory, sqs, cloud-tasks, got "kafka"']);
  });

  it('overrides win over variables, and their errors name the option, not a variable', () => {
    expect(loadConfig({ JOBFERRY_CONCURRENCY: '2' }, { concurrency: 9 })).toMatchObject({ concurrency: 9 });
    expect(issuesOf({}, { concurrency: 0 })).toEqual([expect.stringMatching(/^concurrency: Too small/)]);
    expect(loadConfig({ JOBFERRY_ADAPTER: 'sqs' }, { adapter: 'memory' }).adapter).toBe('memory');
  });

  it('cloud-tasks variables use the adapter name in SCREAMING_SNAKE case', () => {
    const config = loadConfig({ JOBFERRY_ADAPTER: 'cloud-tasks', JOBFERRY_CLOUD_TASKS_PROJECT: 'my-project', JOBFERRY_CLOUD_TASKS_LOCATION: 'europe-west1', JOBFERRY_CLOUD_TASKS_QUEUE_ID: 'jobs', JOBFERRY_CLOUD_TASKS_INSECURE: '1' });

    expect(config).toMatchObject({ adapter: 'cloud-tasks', project: 'my-project', queueId: 'jobs', insecure: true });
  });
});
