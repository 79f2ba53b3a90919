/**
 * The cloud-tasks configuration: environment variables -> validated config -> service
 * settings, and the errors that name a wrong variable.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { loadConfig } from '../../src/env.ts';
import { fromConfig } from '../../adapters/cloud-tasks/config.ts';
import type { CloudTasksConfig } from '../../src/config.ts';

const base = {
  JOBFERRY_ADAPTER: 'cloud-tasks',
  JOBFERRY_CLOUD_TASKS_PROJECT: 'my-project',
  JOBFERRY_CLOUD_TASKS_LOCATION: 'europe-west1',
  JOBFERRY_CLOUD_TASKS_QUEUE_ID: 'emails',
};

describe('cloud-tasks configuration', () => {
  it('reads JOBFERRY_CLOUD_TASKS_* into a service (nothing connects yet)', () => {
    const config = loadConfig({
      ...base,
      JOBFERRY_CLOUD_TASKS_DEAD_LETTER_QUEUE_ID: 'emails-dead',
      JOBFERRY_CLOUD_TASKS_MODE: 'pull',
      JOBFERRY_CLOUD_TASKS_ENDPOINT: '127.0.0.1:8123',
      JOBFERRY_CLOUD_TASKS_INSECURE: 'true',
      JOBFERRY_CLOUD_TASKS_FALLBACK: 'rest',
      JOBFERRY_CLOUD_TASKS_POLL_INTERVAL_MS: '250',
    }) as CloudTasksConfig;
    expect(config).toMatchObject({ adapter: 'cloud-tasks', mode: 'pull', insecure: true, fallback: 'rest', pollIntervalMs: 250 });
    const service = fromConfig(config);
    expect(service).toMatchObject({
      adapter: 'cloud-tasks',
      queue: 'emails',
      mode: 'pull',
      queuePath: 'projects/my-project/locations/europe-west1/queues/emails',
      deadLetterQueuePath: 'projects/my-project/locations/europe-west1/queues/emails-dead',
    });
    expect(typeof service.reserve).toBe('function');
  });

  it('push mode by default, without reserve; handlerUrl is then required', () => {
    const config = loadConfig({ ...base, JOBFERRY_CLOUD_TASKS_HANDLER_URL: 'https://jobs.example.run.app/tasks' }) as CloudTasksConfig;
    const service = fromConfig(config);
    expect([service.mode, typeof service.reserve]).toEqual(['push', 'undefined']);
    expect(() => fromConfig(loadConfig(base) as CloudTasksConfig)).toThrow(/handlerUrl: required in push mode/);
  });

  it('names each wrong variable', () => {
    const attempt = () => loadConfig({ ...base, JOBFERRY_CLOUD_TASKS_MODE: 'sideways', JOBFERRY_CLOUD_TASKS_FALLBACK: 'grpc', JOBFERRY_CLOUD_TASKS_TRANSPORT: 'rest' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('JOBFERRY_CLOUD_TASKS_MODE');
    expect(message).toContain('JOBFERRY_CLOUD_TASKS_FALLBACK');
    expect(message).toContain('JOBFERRY_CLOUD_TASKS_TRANSPORT: unknown variable');
  });
});
