/**
 * SIGTERM / SIGINT: a real child process running a worker gets the signal, stops gracefully
 * (the in-flight job finishes, or is released at the end of the grace period), removes its
 * signal listeners, and exits on its own.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWorker } from '../../src/worker.ts';
import { echoJob, manualService } from './helpers.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/signal-worker.ts', import.meta.url));

function runChild(mode: 'finish' | 'hang', signal: NodeJS.Signals): Promise<{ code: number | null; result: Record<string, unknown>; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, mode], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
      // The handler is running: now send the signal.
      if (stdout.includes('running\n') && !child.killed && child.signalCode === null) child.kill(signal);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    child.on('error', reject);
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker process did not exit by itself; stdout: ${stdout}; stderr: ${stderr}`));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve({ code, result: JSON.parse(last) as Record<string, unknown>, stderr });
      } catch {
        reject(new Error(`no report from the worker process (exit ${code}); stdout: ${stdout}; stderr: ${stderr}`));
      }
    });
  });
}

describe('worker signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s: the in-flight job finishes within the grace period, the process exits 0', async (signal) => {
    const { code, result } = await runChild('finish', signal);

    expect(code).toBe(0);
    expect(result.report).toMatchObject({ inFlightAtStop: 1, finished: 1, released: 0 });
    expect(result.stats).toMatchObject({ ready: 0, reserved: 0, delayed: 0, buried: 0 });
    expect(result.counts).toMatchObject({ reserved: 1, completed: 1 });
    expect(result.listeners).toBe(0);
  });

  it('SIGTERM with a job past the grace period: released back to the queue, not lost', async () => {
    const { code, result } = await runChild('hang', 'SIGTERM');

    expect(code).toBe(0);
    expect(result.report).toMatchObject({ inFlightAtStop: 1, finished: 0, released: 1 });
    expect(result.stats).toMatchObject({ ready: 1, reserved: 0 });
  });

  it('handleSignals: false adds no listener; the default adds them at start and removes them at stop', async () => {
    const before = process.listenerCount('SIGTERM');
    const quiet = createWorker({ service: manualService().service, jobs: [echoJob()], handleSignals: false });
    const loud = createWorker({ service: manualService().service, jobs: [echoJob()] });

    await quiet.start();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    await loud.start();
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual([before + 1, expect.any(Number)]);
    await Promise.all([quiet.stop(), loud.stop()]);

    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
