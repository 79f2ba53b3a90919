/**
 * The ledger: every side effect, delivery and transport call of the reliability suites, keyed
 * by job id. Each process appends to its own file with a synchronous write, so a line is in the
 * kernel before the next statement runs and a SIGKILL cannot take it back. The parent reads
 * all files (incrementally while a run goes on) and counts.
 *
 * One line: `kind \t jobId \t attempt \t epochMs \t pid \t detail`.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readSync, fstatSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type EntryKind =
  /** The transport handed the job out (reserve, a Lambda record). */
  | 'reserved'
  /** The handler started. */
  | 'start'
  /** The handler's side effect (the thing that must happen once). */
  | 'effect'
  /** The worker extended the job's lease (a heartbeat, or the handler's ctx.touch). */
  | 'touch'
  /** The worker acknowledged the job (complete / delete / ack). */
  | 'complete'
  | 'release'
  | 'bury'
  /** The idempotency store recorded the job's completion (jobId holds the store key). */
  | 'stored'
  /** A reserve call started (drain: none may start after the signal). */
  | 'reserve-call'
  /** The process got SIGTERM. */
  | 'signal'
  /** An unhandled rejection or uncaught exception. */
  | 'unhandled'
  /** Free-form facts a suite wants to keep (worker counts, stop report). */
  | 'note';

export interface Entry {
  readonly kind: EntryKind;
  readonly jobId: string;
  readonly attempt: number;
  readonly at: number;
  readonly pid: number;
  readonly detail: string;
}

export interface LedgerWriter {
  write(kind: EntryKind, jobId: string, attempt?: number, detail?: string): void;
  close(): void;
}

/**
 * Opens this process's append-only file in `dir` (made if missing). Workers that share a process
 * (the memory transport) pass their own `id`, written where the pid goes.
 */
export function openLedger(dir: string, label: string, id: number = process.pid): LedgerWriter {
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, `${label}-${id}.ledger`), 'a');
  let open = true;
  return {
    write(kind, jobId, attempt = 0, detail = '') {
      if (!open) return;
      // Tabs and line breaks would split the line: the detail is free text.
      const clean = detail.replace(/[\t\r\n]/g, ' ');
      writeSync(fd, `${kind}\t${jobId}\t${attempt}\t${Date.now()}\t${id}\t${clean}\n`);
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/** Reads every ledger file of `dir`; `poll()` returns only the entries added since the last call. */
export function createLedgerReader(dir: string) {
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  const all: Entry[] = [];

  const poll = (): Entry[] => {
    const fresh: Entry[] = [];
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.ledger'));
    } catch {
      return fresh;
    }
    for (const name of names) {
      const path = join(dir, name);
      const fd = openSync(path, 'r');
      try {
        const size = fstatSync(fd).size;
        let offset = offsets.get(path) ?? 0;
        if (size <= offset) continue;
        const buffer = Buffer.alloc(size - offset);
        let read = 0;
        while (read < buffer.length) {
          const n = readSync(fd, buffer, read, buffer.length - read, offset + read);
          if (n === 0) break;
          read += n;
        }
        offset += read;
        offsets.set(path, offset);
        const text = (partial.get(path) ?? '') + buffer.toString('utf8', 0, read);
        const lines = text.split('\n');
        partial.set(path, lines.pop() ?? '');
        for (const line of lines) {
          const entry = parseLine(line);
          if (entry !== undefined) fresh.push(entry);
        }
      } finally {
        closeSync(fd);
      }
    }
    all.push(...fresh);
    return fresh;
  };

  return {
    poll,
    /** Everything read so far (call poll() first for the latest). */
    get entries(): readonly Entry[] {
      return all;
    },
  };
}

export type LedgerReader = ReturnType<typeof createLedgerReader>;

function parseLine(line: string): Entry | undefined {
  const parts = line.split('\t');
  if (parts.length < 6) return undefined;
  const [kind, jobId, attempt, at, pid, ...detail] = parts;
  return { kind: kind as EntryKind, jobId: jobId!, attempt: Number(attempt), at: Number(at), pid: Number(pid), detail: detail.join('\t') };
}
