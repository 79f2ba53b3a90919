/**
 * One logger interface, injected everywhere; never a module-global logger.
 * The default writes JSON lines to stdout. pino and the Powertools Logger plug in through
 * src/logger-adapters.ts.
 *
 * Every line about a job carries the same fields on every adapter (added by the pipeline):
 * `event`, `job`, `jobId`, `queue`, `adapter`, `attempt`, `durationMs`, `outcome`, `reason`,
 * `error` ({name, message}) and `traceId` where present.
 */
import { sanitize } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogLevelSetting = LogLevel | 'silent';

export interface LogRecord {
  event: string;
  [field: string]: unknown;
}

export interface Logger {
  /** Cheap check callers make before building a record, so disabled levels cost ~nothing. */
  isEnabled(level: LogLevel): boolean;
  log(level: LogLevel, record: LogRecord): void;
}

export const LEVELS: Record<LogLevelSetting, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

export interface JsonLoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogLevelSetting;
  /** Where a line goes. Default: process.stdout. */
  write?: (line: string) => void;
  /** Extra key names to redact, added to the built-in list (password, token, authorization, ...). */
  redactKeys?: readonly string[];
  /** Fields added to every line (service name, region, ...). */
  base?: Record<string, unknown>;
  now?: () => number;
}

/** JSON lines: `{"time":"...","level":"info","event":"job.completed",...}`. Never throws. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const setting = options.level ?? 'info';
  // Own keys only: 'constructor' or 'toString' must not pass as a level.
  if (!Object.hasOwn(LEVELS, setting)) throw new TypeError(`log level must be one of ${Object.keys(LEVELS).join(', ')}, got ${JSON.stringify(setting)}`);
  const threshold = LEVELS[setting];
  const write = options.write ?? ((line: string) => void process.stdout.write(line + '\n'));
  const now = options.now ?? Date.now;
  const redactKeys = options.redactKeys ?? [];
  const base = options.base ? (sanitize(options.base, redactKeys) as Record<string, unknown>) : undefined;
  return {
    isEnabled: (level) => LEVELS[level] >= threshold,
    log(level, record) {
      if (LEVELS[level] < threshold) return;
      let line: string;
      try {
        const time = new Date(now()).toISOString();
        const out: Record<string, unknown> = { time, level, ...base, ...(sanitize(record, redactKeys) as object) };
        // First in order, last in value: a record (or base) field named time or level cannot forge them.
        out.time = time;
        out.level = level;
        line = JSON.stringify(out);
      } catch {
        // Only reached by a clock that returns no time, or an exotic value sanitize cannot tame.
        line = `{"level":${JSON.stringify(level)},"event":${JSON.stringify(safeEvent(record))},"logError":"unserialisable record"}`;
      }
      try {
        write(line);
      } catch {
        // A broken stdout must not turn into a job failure.
      }
    },
  };
}

function safeEvent(record: LogRecord): string {
  try {
    return String(record.event);
  } catch {
    return 'unknown';
  }
}

/** A logger that writes nothing (tests, benchmarks). */
export const silentLogger: Logger = { isEnabled: () => false, log: () => {} };

const guarded = new WeakSet<Logger>();

/**
 * A logger that never throws: a broken logger (a custom one, a closed stream) must not fail a
 * job, reject a promise or crash a timer. A throwing isEnabled counts as disabled.
 */
export function guardLogger(logger: Logger): Logger {
  if (logger === silentLogger || guarded.has(logger)) return logger;
  const safe: Logger = {
    isEnabled(level) {
      try {
        return logger.isEnabled(level);
      } catch {
        return false;
      }
    },
    log(level, record) {
      try {
        logger.log(level, record);
      } catch {
        // Logging is best effort.
      }
    },
  };
  guarded.add(safe);
  return safe;
}

/** Wraps a logger so every record also carries `fields`. */
export function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    isEnabled: (level) => logger.isEnabled(level),
    log: (level, record) => logger.log(level, { ...fields, ...record }),
  };
}

/** Records every line in memory: for tests of users' own jobs. */
export function createMemoryLogger(level: LogLevelSetting = 'debug'): Logger & { records: Array<LogRecord & { level: LogLevel }> } {
  const records: Array<LogRecord & { level: LogLevel }> = [];
  const threshold = LEVELS[level];
  return {
    records,
    isEnabled: (l) => LEVELS[l] >= threshold,
    log(l, record) {
      if (LEVELS[l] >= threshold) records.push({ ...(sanitize(record, []) as LogRecord), level: l });
    },
  };
}
