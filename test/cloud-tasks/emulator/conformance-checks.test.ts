/** The container-portable conformance checks, on jobferry's emulator (real clock). */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checks, type CheckContext } from './conformance-checks.ts';
import { PARENT, startRig, startTarget, type Rig, type Target } from './helpers.ts';

let rig: Rig;
let target: Target;
let ctx: CheckContext;
beforeAll(async () => {
  rig = await startRig();
  target = await startTarget();
  ctx = { client: rig.client, parent: PARENT, target, targetUrl: target.url };
});
afterAll(async () => {
  await rig.close();
  await target.close();
});

describe('portable conformance checks on the in-process emulator', () => {
  for (const check of checks) it(check.name, () => check.run(ctx));
});
