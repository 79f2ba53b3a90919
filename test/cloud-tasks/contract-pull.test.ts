/**
 * The shared JobService contract suite, unchanged, on the Cloud Tasks emulator through the
 * v2beta2 pull API (LeaseTasks, RenewLease, CancelLease, AcknowledgeTask), in real time.
 */
import { afterAll, beforeAll } from 'vitest';
import { runContractSuite } from '../contract/index.ts';
import { startEmulatorRig, type EmulatorRig } from './helpers/emulator.ts';

let rig: EmulatorRig;
beforeAll(async () => {
  rig = await startEmulatorRig();
});
afterAll(() => rig.close());

runContractSuite('cloud-tasks (emulator, v2beta2 pull)', {
  capabilities: {
    touch: true,
    kick: true,
    listBuried: true,
    stats: 'approximate',
    delay: true,
    dedupe: true,
    groups: { unsupported: 'Cloud Tasks has no ordered groups' },
    priority: { unsupported: 'Cloud Tasks has no task priority' },
    controllableClock: false,
    // LeaseTasks and RenewLease count whole seconds.
    minLeaseMs: 1_000,
    settleMs: 3_000,
  },
  async create() {
    const queues = await rig.queues('pull');
    return { service: rig.service({ mode: 'pull', ...queues, pollIntervalMs: 100 }) };
  },
});
