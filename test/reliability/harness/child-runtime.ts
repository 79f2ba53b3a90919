/**
 * What every worker child does besides its work: a ledger, a logger that counts events by name
 * (and writes warnings to stderr for the parent's diagnostics), and listeners that record every
 * unhandled rejection and uncaught exception in the ledger, where a kill cannot lose them.
 */
import type { Logger, LogLevel, LogRecord } from '../../../src/index.ts';
import type { ChildMessage } from './child-config.ts';
import { openLedger, type LedgerWriter } from './ledger.ts';

const RANK: Record<LogLevel | 'silent', number> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

export interface ChildRuntime {
  readonly ledger: LedgerWriter;
  readonly logger: Logger;
  /** Log events seen, by name (`worker.backoff`, `worker.touch-failed`, ...). */
  readonly events: Record<string, number>;
  readonly unhandled: number;
  send(message: ChildMessage): Promise<void>;
}

export function startChildRuntime(label: string, ledgerDir: string, level: LogLevel | 'silent' = 'warn'): ChildRuntime {
  const ledger = openLedger(ledgerDir, label);
  const events: Record<string, number> = Object.create(null) as Record<string, number>;
  let unhandled = 0;
  process.on('unhandledRejection', (reason) => {
    unhandled++;
    ledger.write('unhandled', '-', 0, `unhandledRejection: ${describe(reason)}`);
  });
  process.on('uncaughtException', (error) => {
    unhandled++;
    ledger.write('unhandled', '-', 0, `uncaughtException: ${describe(error)}`);
    process.stderr.write(`uncaught exception in ${label}: ${describe(error)}\n`);
    process.exit(70);
  });
  // An orphan must not poll on for ever: when the parent goes (killed, crashed), so does the child.
  process.on('disconnect', () => {
    ledger.write('note', '-', 0, 'parent gone: exiting');
    process.exit(75);
  });
  const logger: Logger = {
    // Debug lines are not counted: building them would only slow the run down.
    isEnabled: (lvl) => RANK[lvl] >= RANK.info,
    log(lvl: LogLevel, record: LogRecord) {
      const name = String(record.event);
      events[name] = (events[name] ?? 0) + 1;
      if (RANK[lvl] >= RANK[level]) process.stderr.write(`${JSON.stringify({ level: lvl, ...record })}\n`);
    },
  };
  return {
    ledger,
    logger,
    events,
    get unhandled() {
      return unhandled;
    },
    send: (message) =>
      new Promise((resolve) => {
        if (!process.send || !process.connected) return resolve();
        process.send(message, undefined, {}, () => resolve());
      }),
  };
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return String(value);
  } catch {
    return 'unprintable';
  }
}
