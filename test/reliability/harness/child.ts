/**
 * Worker children as the parent sees them: spawned with the same Node (process.execPath runs
 * .ts directly), an IPC channel, the tail of their stderr for diagnostics, and promises for
 * "ready" and "exited". Every wait is bounded: a child that never answers fails the suite
 * with what it printed, instead of hanging it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_ENV, type ChildMessage, type ParentMessage } from './child-config.ts';
import { within } from './wait.ts';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

export interface Child {
  readonly label: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Resolves when the child sent `ready`; rejects if it exits first. */
  readonly ready: Promise<void>;
  readonly isReady: boolean;
  readonly exited: Promise<ChildExit>;
  readonly alive: boolean;
  send(message: ParentMessage): void;
  /** Resolves with the first message of `type` (bounded). */
  next<T extends ChildMessage['type']>(type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>>;
  /** Adds a listener; returns its removal. */
  onMessage(listener: (message: ChildMessage) => void): () => void;
  kill(signal: NodeJS.Signals): boolean;
  /** The last few KiB the child wrote to stderr. */
  stderrTail(): string;
}

export interface SpawnOptions {
  /** Path of the entry, relative to test/reliability/ (`workers/pull-worker.ts`). */
  entry: string;
  label: string;
  config: unknown;
  /** Extra Node flags (`--expose-gc`). */
  execArgv?: string[];
}

const TAIL_BYTES = 8_192;
const ROOT = new URL('../', import.meta.url);

export function spawnChild(options: SpawnOptions): Child {
  const entry = fileURLToPath(new URL(options.entry, ROOT));
  const proc = spawn(process.execPath, [...(options.execArgv ?? []), entry], {
    env: {
      ...process.env,
      [CONFIG_ENV]: JSON.stringify(options.config),
      NODE_NO_WARNINGS: '1',
      // Respawned workers start in about half the CPU time with V8's code cache: the kill
      // harness respawns several a second on a small machine.
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'jobferry-reliability-compile-cache'),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let tail = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-TAIL_BYTES);
  });
  const listeners = new Set<(message: ChildMessage) => void>();
  proc.on('message', (message: ChildMessage) => {
    for (const listener of [...listeners]) listener(message);
  });
  let alive = true;
  let isReady = false;
  const exited = new Promise<ChildExit>((resolve) => {
    proc.once('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal, at: Date.now() });
    });
    proc.once('error', () => {
      alive = false;
      resolve({ code: null, signal: null, at: Date.now() });
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type !== 'ready') return;
      isReady = true;
      listeners.delete(onMessage);
      resolve();
    };
    listeners.add(onMessage);
    void exited.then((exit) => {
      if (!isReady) reject(new Error(`child ${options.label} exited before it was ready (code ${exit.code}, signal ${exit.signal}): ${tail.trim().slice(-2_000)}`));
    });
  });
  ready.catch(() => {}); // a child killed while starting is normal in the kill harness

  const child: Child = {
    label: options.label,
    pid: proc.pid ?? -1,
    process: proc,
    ready,
    get isReady() {
      return isReady;
    },
    exited,
    get alive() {
      return alive;
    },
    send(message) {
      if (alive && proc.connected) proc.send(message, (error) => void error); // a child that just died: ignore
    },
    next(type, timeoutMs) {
      return within(
        new Promise((resolve, reject) => {
          const onMessage = (message: ChildMessage) => {
            if (message.type !== type) return;
            listeners.delete(onMessage);
            resolve(message as Extract<ChildMessage, { type: typeof type }>);
          };
          listeners.add(onMessage);
          void exited.then((exit) => {
            if (listeners.delete(onMessage)) reject(new Error(`child ${options.label} exited (code ${exit.code}, signal ${exit.signal}) before sending ${type}: ${tail.trim().slice(-2_000)}`));
          });
        }),
        timeoutMs,
        `child ${options.label} sending ${type}`,
      );
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    kill(signal) {
      return alive ? proc.kill(signal) : false;
    },
    stderrTail: () => tail,
  };
  return child;
}

/** Kills what is still alive, at once; resolves when all have exited (bounded). */
export async function killAll(children: Iterable<Child>, timeoutMs = 5_000): Promise<void> {
  const list = [...children];
  for (const c of list) c.kill('SIGKILL');
  await within(Promise.all(list.map((c) => c.exited)), timeoutMs, 'children exiting after SIGKILL');
}
