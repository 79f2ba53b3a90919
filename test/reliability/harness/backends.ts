/**
 * The transports a reliability test file shares: one fauxqs and one Cloud Tasks emulator,
 * started before its tests and stopped after them (vitest hooks of the calling file).
 */
import { afterAll, beforeAll } from 'vitest';
import { startSqsEmulator, type SqsEmulator } from '../../../adapters/sqs/emulator.ts';
import { startCloudTasksBackend, type CloudTasksBackend } from './rigs/cloud-tasks-rig.ts';

export interface Backends {
  readonly sqs: SqsEmulator;
  readonly cloudTasks: CloudTasksBackend;
}

/** Call at the top of a test file; read the fields inside tests (they are set by beforeAll). */
export function useBackends(): Backends {
  const backends = {} as { sqs: SqsEmulator; cloudTasks: CloudTasksBackend };
  beforeAll(async () => {
    [backends.sqs, backends.cloudTasks] = await Promise.all([startSqsEmulator(), startCloudTasksBackend()]);
  });
  afterAll(async () => {
    await Promise.all([backends.sqs?.stop(), backends.cloudTasks?.close()]);
  });
  return backends;
}
