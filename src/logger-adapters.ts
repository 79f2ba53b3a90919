/**
 * pino and the AWS Lambda Powertools Logger, behind jobferry's Logger interface.
 * Neither package is imported: the caller passes its own instance (both are optional peers).
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const logger = fromPino(pino());
 * ```
 */
import type { Logger, LogLevel } from './logger.ts';
import { sanitize } from './redact.ts';

/** The part of a pino logger jobferry uses. */
export interface PinoLike {
  isLevelEnabled(level: string): boolean;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export function fromPino(pino: PinoLike, options: { redactKeys?: readonly string[] } = {}): Logger {
  const redactKeys = options.redactKeys ?? [];
  return {
    isEnabled: (level) => pino.isLevelEnabled(level),
    log: (level, record) => pino[level](sanitize(record, redactKeys) as object, record.event),
  };
}

/**
 * The part of a Powertools Logger jobferry uses. Extra arguments are attribute records
 * (`Record<string, unknown>`, Powertools' LogAttributes), so a real Logger fits without a cast.
 */
export interface PowertoolsLoggerLike {
  getLevelName(): string;
  debug(message: string, ...extra: Array<Record<string, unknown>>): void;
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

const POWERTOOLS_ORDER = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];
const OURS: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };

export function fromPowertools(logger: PowertoolsLoggerLike, options: { redactKeys?: readonly string[] } = {}): Logger {
  const redactKeys = options.redactKeys ?? [];
  return {
    isEnabled(level) {
      // Read each time: Powertools can change its level at run time (sampling, env).
      return POWERTOOLS_ORDER.indexOf(OURS[level]) >= POWERTOOLS_ORDER.indexOf(logger.getLevelName());
    },
    log: (level, record) => logger[level](record.event, sanitize(record, redactKeys) as Record<string, unknown>),
  };
}
