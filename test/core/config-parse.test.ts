/** parseConfig: one schema discriminated on `adapter`, defaults, and errors naming every wrong option. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';

function issuesOf(input: unknown): readonly string[] {
  try {
    parseConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('parseConfig accepted the input');
}

describe('parseConfig', () => {
  it('fills the defaults of the memory adapter', () => {
    expect(parseConfig({ adapter: 'memory' })).toEqual({ adapter: 'memory', logLevel: 'info', concurrency: 4, shutdownGraceMs: 25_000, leaseSeconds: 30 });
  });

  it('fills the defaults of sqs and coerces numeric strings', () => {
    const config = parseConfig({ adapter: 'sqs', queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q', concurrency: '8' });

    expect(config).toMatchObject({ adapter: 'sqs', concurrency: 8, waitTimeSeconds: 20, visibilityTimeoutSeconds: 30, pollers: 2 });
  });

  it('cloud-tasks: flags accept true/false/1/0', () => {
    const base = { adapter: 'cloud-tasks', project: 'my-project', location: 'europe-west1', queueId: 'jobs' };

    expect(parseConfig({ ...base, insecure: '1' })).toMatchObject({ insecure: true, leaseSeconds: 30 });
    expect(parseConfig({ ...base, insecure: 'false' })).toMatchObject({ insecure: false });
    expect(issuesOf({ ...base, insecure: 'yes' })[0]).toMatch(/^insecure: /);
  });

  it('the options of one adapter are unknown to another (the union is discriminated)', () => {
    expect(issuesOf({ adapter: 'memory', queueUrl: 'https://x' })).toEqual(['queueUrl: unknown option (an option of the sqs adapter)']);
  });

  it('names every wrong option, with why', () => {
    const issues = issuesOf({ adapter: 'sqs', queueUrl: 'not a url', concurrency: 0, waitTimeSeconds: 21, logLevel: 'loud' });

    expect(issues.map((i) => i.split(':')[0])).toEqual(expect.arrayContaining(['queueUrl', 'concurrency', 'waitTimeSeconds', 'logLevel']));
    expect(issues).toHaveLength(4);
    expect(issues.find((i) => i.startsWith('waitTimeSeconds'))).toMatch(/<=20/);
  });

  it('a missing required option says it is required', () => {
    expect(issuesOf({ adapter: 'sqs' })).toEqual(['queueUrl: required (expected string)']);
  });

  it('suggests the option a unit-less or misspelt name meant', () => {
    expect(issuesOf({ adapter: 'sqs', queueUrl: 'https://x', visibilityTimeout: 5, concurency: 2 })).toEqual([
      'visibilityTimeout: unknown option (did you mean visibilityTimeoutSeconds?)',
      'concurency: unknown option (did you mean concurrency?)',
    ]);
  });

  it('no suggestion for a name that is nothing like an option', () => {
    expect(issuesOf({ adapter: 'memory', zzz: 1 })).toEqual(['zzz: unknown option']);
  });

  it.each([
    [{}, 'adapter: must be one of memory, sqs, cloud-tasks'],
    [undefined, 'adapter: must be one of memory, sqs, cloud-tasks'],
    [{ adapter: 'redis' }, 'adapter: must be one of memory, sqs, cloud-tasks, got "redis"'],
  ])('an unknown or missing adapter: %j', (input, issue) => {
    expect(issuesOf(input)).toEqual([issue]);
  });

  it('a value that is not an object', () => {
    expect(issuesOf('sqs')).toEqual(['(root): Invalid input: expected object, received string']);
  });

  it('the message lists every issue after [config]', () => {
    expect(() => parseConfig({ adapter: 'memory', concurrency: -1, leaseSeconds: 0 })).toThrow(/^\[config\] invalid configuration: concurrency: .+; leaseSeconds: .+$/);
  });
});
