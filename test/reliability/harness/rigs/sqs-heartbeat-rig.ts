/**
 * SQS for the heartbeat checks: worker children reach fauxqs through the HTTP fault proxy, which
 * can hold ChangeMessageVisibility(Batch) requests (the heartbeat's touches), then send them on
 * or answer them with throttling, and counts the touches' error answers.
 */
import type { SqsEmulator } from '../../../../adapters/sqs/emulator.ts';
import type { HeartbeatRig, TouchHold } from '../heartbeat.ts';
import { SQS_FAULTS, startHttpFaultProxy, type HttpFault } from '../http-fault-proxy.ts';
import { scratchDir } from '../tmp.ts';
import { childWorker } from './child-worker.ts';
import { sqsPullRig, sqsQueueRig } from './sqs-rig.ts';

const TOUCH_ACTIONS = new Set(['ChangeMessageVisibility', 'ChangeMessageVisibilityBatch']);

export async function sqsHeartbeatRig(sqs: SqsEmulator): Promise<HeartbeatRig> {
  const dir = scratchDir('heartbeat-sqs');
  const queue = await sqsQueueRig(sqs, 'heartbeat-sqs', 30);
  const proxy = await startHttpFaultProxy(sqs.endpoint);
  return {
    name: 'sqs',
    ledgerDir: dir.path,
    enqueue: (id, payload) => queue.enqueue([{ id, payload }]),
    startWorker(label, worker, job) {
      return childWorker(sqsPullRig(queue, { ledgerDir: dir.path, worker, job, endpoint: proxy.endpoint }).spawnWorker(label));
    },
    holdTouches(): TouchHold {
      let open!: (then: HttpFault | undefined) => void;
      const release = new Promise<HttpFault | undefined>((r) => (open = r));
      let held = 0;
      let errors = 0;
      const off = proxy.onResponse((r) => {
        if (!TOUCH_ACTIONS.has(r.action)) return;
        // A batch answers 200 and lists its failed entries.
        if (r.status >= 400 || /"Failed":\[\{/.test(r.responseBody)) errors++;
      });
      proxy.setRule((request) => {
        if (!TOUCH_ACTIONS.has(request.action)) return undefined;
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
          open(how === 'fail' ? SQS_FAULTS.throttling : undefined);
          // Keep counting the answers of the touches just let through.
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
