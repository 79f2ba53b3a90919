/** The SQS adapter from configuration: the registry's lazy import, env variables, bad options. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, loadConfig } from '../../src/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { makeOutgoing } from '../contract/fixtures.ts';
import { freshQueue, sharedEmulator } from './helpers.ts';

// The client jobferry makes from configuration uses the SDK's default credential chain: give
// it environment credentials, so it never looks further (instance metadata).
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});
afterAll(() => {
  for (const [key, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('sqs from configuration', () => {
  it('createService builds a working SQS service from JOBFERRY_* variables', async () => {
    const sqs = await sharedEmulator();
    const queue = await freshQueue('config', { deadLetter: true });
    const config = loadConfig({
      JOBFERRY_ADAPTER: 'sqs',
      JOBFERRY_SQS_QUEUE_URL: queue.queueUrl,
      JOBFERRY_SQS_ENDPOINT: sqs.endpoint,
      JOBFERRY_SQS_REGION: 'us-east-1',
      JOBFERRY_SQS_WAIT_TIME_SECONDS: '1',
      JOBFERRY_SQS_USE_MESSAGE_MOVE_TASK: 'true',
    });
    expect(config).toMatchObject({ adapter: 'sqs', waitTimeSeconds: 1, useMessageMoveTask: true });

    const service = await createService(config);
    expect(service).toMatchObject({ adapter: 'sqs', queue: queue.name, features: { dedupe: false, groups: false, priority: false } });
    await service.enqueue([makeOutgoing('configured')]);
    const [job] = await service.reserve!({ max: 1, leaseMs: 1_000, waitMs: 5_000 });
    expect(job?.body).toContain('configured');
    await service.close?.();
  });

  it('an option SQS cannot honour fails at start, naming it', async () => {
    await expect(createService({ adapter: 'sqs', queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs', maxBodyBytes: 2_000_000 })).rejects.toThrow(ConfigError);
    await expect(createService({ adapter: 'sqs', queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs', maxBodyBytes: 2_000_000 })).rejects.toThrow(/sqs\.maxBodyBytes: must be an integer from 1 to 1040384/);
    expect(() => loadConfig({ JOBFERRY_ADAPTER: 'sqs', JOBFERRY_SQS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q', JOBFERRY_SQS_VISIBILITY_TIMEOUT: '30' })).toThrow(/JOBFERRY_SQS_VISIBILITY_TIMEOUT: unknown variable/);
  });
});
