/** createService: a JobService from a configuration (lazy adapter import) or a ready service. */
import { describe, expect, it } from 'vitest';
import { createMemoryService } from '../../adapters/memory/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { loadConfig } from '../../src/env.ts';
import { createService, isJobService } from '../../src/registry.ts';

describe('createService', () => {
  it('builds the memory adapter from a configuration object', async () => {
    const service = await createService({ adapter: 'memory', queue: 'emails', maxBodyBytes: 2_048 });

    expect(service).toMatchObject({ adapter: 'memory', queue: 'emails', limits: { maxBodyBytes: 2_048 } });
    const [result] = await service.enqueue([{ id: 'a', name: 'x', body: '{}', delayMs: 0 }]);
    expect(result).toMatchObject({ id: 'a', ok: true });
  });

  it('builds it from loadConfig() output', async () => {
    const service = await createService(loadConfig({ JOBFERRY_QUEUE: 'from-env' }));

    expect(service).toMatchObject({ adapter: 'memory', queue: 'from-env' });
  });

  it('returns a ready service object as it is', async () => {
    const ready = createMemoryService({ queue: 'mine' });

    expect(await createService(ready)).toBe(ready);
  });

  it('validates a configuration object first, naming every wrong option', async () => {
    const error = await createService({ adapter: 'memory', concurrency: 0, bogus: 1 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([expect.stringMatching(/^concurrency: /), 'bogus: unknown option']);
  });

  it('isJobService tells a service from a configuration', () => {
    expect(isJobService(createMemoryService())).toBe(true);
    expect(isJobService({ adapter: 'memory' })).toBe(false);
    expect(isJobService(null)).toBe(false);
  });
});
