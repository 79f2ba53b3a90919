/** A worker child as a WorkerHandle: stop() is SIGTERM and the child's own stop report. */
import type { Child } from '../child.ts';
import type { WorkerHandle } from '../heartbeat.ts';

export function childWorker(child: Child): WorkerHandle {
  return {
    pid: child.pid,
    ready: child.ready,
    kill: () => void child.kill('SIGKILL'),
    async stop() {
      if (!child.alive) return { counts: {}, events: {} };
      const stopped = child.next('stopped', 20_000);
      child.kill('SIGTERM');
      try {
        const message = await stopped;
        return { counts: message.counts, events: message.events };
      } finally {
        child.kill('SIGKILL');
        await child.exited;
      }
    },
  };
}
