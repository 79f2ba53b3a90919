#!/usr/bin/env node
/**
 * Runs the Cloud Tasks emulator for other processes:
 * `npx node adapters/cloud-tasks/emulator/main.ts --port 8123 [--rest-port 8124]`.
 * Stops cleanly on SIGINT / SIGTERM.
 */
import { runEmulatorCli } from './cli.ts';

process.exitCode = await runEmulatorCli(process.argv.slice(2));
