/**
 * Argument parsing for the CLI (node:util parseArgs, strict) and its error type. Exit codes:
 * 0 done; 1 the operation failed (unreachable endpoint, transport error); 2 bad usage or
 * configuration; 3 input refused (unknown job, invalid payload).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { JobferryError } from '../errors.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

export class CliError extends JobferryError {
  override name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.exitCode = exitCode;
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Strict parsing: an unknown flag or a missing value is a usage error naming it. */
export function parse(command: string, args: readonly string[], options: Options, positionals: { min: number; max: number }): Parsed {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${command}: ${error instanceof Error ? error.message : String(error)} (see jobferry ${command} --help)`);
  }
  const values = parsed.values as Parsed['values'];
  if (values.help) return { values, positionals: parsed.positionals };
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new CliError(`${command}: missing argument (see jobferry ${command} --help)`);
  if (n > positionals.max) throw new CliError(`${command}: unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])} (see jobferry ${command} --help)`);
  return { values, positionals: parsed.positionals };
}

export function intOption(values: Parsed['values'], name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(`--${name}: must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
