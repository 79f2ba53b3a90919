/**
 * The shared contract suite: every JobService behaviour of DESIGN.md's adapter mapping, run
 * against any adapter. An adapter's test file is a few lines; abilities it lacks are declared
 * with a reason and their tests are skipped with that reason in the test name.
 *
 * The same tests run on a controllable clock (memory: instant) and in real time (SQS, Cloud
 * Tasks: leases of `minLeaseMs`, delays in whole seconds, waits as bounded long polls).
 *
 * @example
 * ```ts
 * runContractSuite('sqs (fauxqs)', {
 *   capabilities: { touch: true, kick: true, listBuried: true, stats: 'approximate', delay: true,
 *     dedupe: { unsupported: 'standard queue' }, groups: { unsupported: 'standard queue' },
 *     priority: { unsupported: 'SQS has no message priority' }, controllableClock: false, minLeaseMs: 1000 },
 *   async create() {
 *     const queueUrl = await createQueue();
 *     return { service: createSqsService({ queueUrl, client }), cleanup: () => deleteQueue(queueUrl) };
 *   },
 * });
 * ```
 */
import { describe } from 'vitest';
import { declareCoreTests } from './core.ts';
import { declareFeatureTests } from './features.ts';
import { timeUnitOf, type ContractSetup } from './harness.ts';

export function runContractSuite(name: string, setup: ContractSetup): void {
  const caps = setup.capabilities;
  if (!(caps.minLeaseMs > 0)) throw new Error(`runContractSuite(${name}): capabilities.minLeaseMs must be > 0`);
  if (timeUnitOf(caps) < caps.minLeaseMs) throw new Error(`runContractSuite(${name}): capabilities.timeUnitMs must be >= minLeaseMs`);
  // Per test: a few leases and delays of real time, plus room for a slow transport to settle.
  const unitMs = timeUnitOf(caps);
  const timeout = caps.controllableClock ? 15_000 : 12 * unitMs + 4 * (caps.settleMs ?? 5_000);
  describe(`${name}: JobService contract`, () => {
    declareCoreTests(setup, timeout);
    declareFeatureTests(setup, timeout);
  });
}

export { AWKWARD_TEXT, bodyText, makeOutgoing, tagOf, tagsOf } from './fixtures.ts';
export { isUnsupported, LONG_LEASE_MS, openHarness, timeUnitOf, within } from './harness.ts';
export type { Capability, ContractCapabilities, ContractClock, ContractContext, ContractSetup, Harness, Unsupported } from './harness.ts';
