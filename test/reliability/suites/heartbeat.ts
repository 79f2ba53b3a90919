/** Heartbeat and timeout checks on memory (in this process), sqs and cloud-tasks pull (worker children). */
import type { SqsEmulator } from '../../../adapters/sqs/emulator.ts';
import { runHeartbeatChecks, type HeartbeatFigures } from '../harness/heartbeat.ts';
import { cloudTasksHeartbeatRig } from '../harness/rigs/cloud-tasks-heartbeat-rig.ts';
import type { CloudTasksBackend } from '../harness/rigs/cloud-tasks-rig.ts';
import { memoryHeartbeatRig } from '../harness/rigs/memory-heartbeat-rig.ts';
import { sqsHeartbeatRig } from '../harness/rigs/sqs-heartbeat-rig.ts';
import { HEARTBEAT_LEASE_MS, type Profile } from './profile.ts';

export function heartbeatMemory(profile: Profile): Promise<HeartbeatFigures> {
  return runHeartbeatChecks(async () => memoryHeartbeatRig(), HEARTBEAT_LEASE_MS[profile].memory, false);
}

export async function heartbeatSqs(sqs: SqsEmulator, profile: Profile): Promise<HeartbeatFigures> {
  return runHeartbeatChecks(() => sqsHeartbeatRig(sqs), HEARTBEAT_LEASE_MS[profile].sqs, true);
}

export async function heartbeatCloudTasks(backend: CloudTasksBackend, profile: Profile): Promise<HeartbeatFigures> {
  return runHeartbeatChecks(() => cloudTasksHeartbeatRig(backend), HEARTBEAT_LEASE_MS[profile].cloudTasks, true);
}

export function describeHeartbeat(h: HeartbeatFigures): string {
  return `${h.transport} (lease ${h.leaseMs} ms): ${JSON.stringify({ longRun: h.longRun, afterKill: h.afterKill, touchAfterCompletion: h.touchAfterCompletion, ignoredAbort: h.ignoredAbort })}`;
}
