/**
 * Loads a jobs module for the CLI: every export that is a job definition, or arrays and
 * objects of them (`export const jobs = [a, b]`). Duplicate names are a configuration error.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jobRegistry, type AnyJob } from '../job.ts';
import { CliError } from './args.ts';

export function isJobDefinition(value: unknown): value is AnyJob {
  const v = value as Partial<AnyJob> | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.handler === 'function' && typeof v.maxAttempts === 'number' && typeof v.schema === 'object';
}

export async function loadJobs(path: string): Promise<Map<string, AnyJob>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`cannot load the jobs module ${path}: ${error instanceof Error ? error.message : String(error)}`, 2);
  }
  const found = new Set<AnyJob>();
  for (const value of Object.values(mod)) {
    const candidates = Array.isArray(value) ? value : isJobDefinition(value) ? [value] : typeof value === 'object' && value !== null ? Object.values(value) : [];
    for (const c of candidates) if (isJobDefinition(c)) found.add(c);
  }
  if (found.size === 0) throw new CliError(`the jobs module ${path} exports no job definitions (defineJob(...))`, 2);
  return jobRegistry(found);
}
