/**
 * Cloud Tasks pull for the heartbeat checks: worker children reach the emulator through the
 * gRPC fault proxy, which can hold RenewLease calls (the heartbeat's touches), then send them on
 * or answer them UNAVAILABLE, and counts the touches' error answers.
 */
import type { HeartbeatRig, TouchHold } from '../heartbeat.ts';
import { GRPC_FAULTS, startGrpcFaultProxy } from '../grpc-fault-proxy.ts';
import { scratchDir } from '../tmp.ts';
import { childWorker } from './child-worker.ts';
import { cloudTasksPullRig, cloudTasksQueueRig, type CloudTasksBackend } from './cloud-tasks-rig.ts';

export async function cloudTasksHeartbeatRig(backend: CloudTasksBackend): Promise<HeartbeatRig> {
  const dir = scratchDir('heartbeat-cloud-tasks');
  const queue = await cloudTasksQueueRig(backend, 'heartbeat');
  const proxy = await startGrpcFaultProxy(backend.emulator.grpcEndpoint);
  return {
    name: 'cloud-tasks pull',
    ledgerDir: dir.path,
    enqueue: (id, payload) => queue.enqueue([{ id, payload }]),
    startWorker(label, worker, job) {
      const rig = cloudTasksPullRig(queue, { ledgerDir: dir.path, worker, job, endpoint: proxy.endpoint, pollIntervalMs: 100 });
      return childWorker(rig.spawnWorker(label.replace(/\W+/g, '-')));
    },
    holdTouches(): TouchHold {
      let open!: (then: { code: number; details: string } | undefined) => void;
      const release = new Promise<{ code: number; details: string } | undefined>((r) => (open = r));
      let held = 0;
      let errors = 0;
      const off = proxy.onResponse((answer) => {
        if (answer.method === 'RenewLease' && answer.code !== 0) errors++;
      });
      proxy.setRule((call) => {
        if (call.method !== 'RenewLease') return undefined;
        held++;
        return { type: 'hold', release };
      });
      return {
        get errors() {
          return errors;
        },
        get held() {
          return held;
        },
        release(how) {
          proxy.setRule(undefined);
          open(how === 'fail' ? { code: GRPC_FAULTS.unavailable.code, details: GRPC_FAULTS.unavailable.details } : undefined);
          setTimeout(off, 30_000).unref();
        },
      };
    },
    async close() {
      await proxy.close();
      await queue.close();
      dir.remove();
    },
  };
}
