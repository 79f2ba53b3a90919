/** Fixtures for the tests of the deployable entries: free ports and JSON-line children. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { onTestFinished } from 'vitest';

/** A port that was free a moment ago on 127.0.0.1 (an entry whose own URL is configured needs it up front). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type LogLine = Record<string, unknown>;

export interface EntryProcess {
  readonly child: ChildProcess;
  /** Every JSON line of stdout so far. */
  readonly lines: readonly LogLine[];
  readonly stderr: () => string;
  /** The first stdout line (already written or to come) that matches. */
  line(match: (line: LogLine) => boolean): Promise<LogLine>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/** Runs `node <file>` (the project's Node) with exactly `env` (plus PATH); killed at the end of the test. */
export function runEntry(file: string, env: Record<string, string>): EntryProcess {
  return runJsonLines(process.execPath, [file], { env: { PATH: process.env.PATH, ...env } });
}

/**
 * Runs a command whose stdout is JSON lines (an entry, `jobferry dev`), with exactly `env`;
 * killed at the end of the test. A line that is not JSON is kept as `{ event: 'non-json', text }`.
 */
export function runJsonLines(command: string, args: readonly string[], options: { env: Record<string, string | undefined>; cwd?: string }): EntryProcess {
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env, cwd: options.cwd });
  onTestFinished(() => void child.kill('SIGKILL'));
  const lines: LogLine[] = [];
  const waiters: Array<() => void> = [];
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      lines.push({ event: 'non-json', text });
    }
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    async line(match) {
      for (;;) {
        const found = lines.find(match);
        if (found !== undefined) return found;
        if (done) throw new Error(`the process exited (${String(child.exitCode)}) without the line; stderr: ${stderr.slice(0, 2000)}; stdout: ${JSON.stringify(lines).slice(0, 2000)}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}
