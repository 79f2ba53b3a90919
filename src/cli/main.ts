#!/usr/bin/env node
/**
 * The jobferry CLI. `jobferry --help` lists the commands; `jobferry <command> --help` explains
 * one. Errors print one line on stderr and set the exit code (see help.ts).
 */
import { ConfigError, describeError, ValidationError } from '../errors.ts';
import { CliError, EXIT } from './args.ts';
import { COMMANDS } from './commands.ts';
import { HELP } from './help.ts';

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(HELP.main!);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`jobferry: unknown command ${JSON.stringify(name)} (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT.usage;
  }
  try {
    return await command(rest);
  } catch (error) {
    const code = error instanceof CliError ? error.exitCode : error instanceof ConfigError ? EXIT.usage : error instanceof ValidationError ? EXIT.refused : EXIT.failed;
    const { message } = describeError(error);
    process.stderr.write(`jobferry ${name}: ${message}\n`);
    return code;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
