/**
 * The push entry's cold start: importing jobferry/cloud-tasks/push loads neither the Google
 * SDK (@google-cloud/tasks, google-gax, google-auth-library) nor node:http, and its own
 * modules do not load the configuration schema. Checked in a fresh process with a resolve
 * hook that records every import and who made it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = (path: string) => pathToFileURL(fileURLToPath(new URL(`../../adapters/cloud-tasks/${path}`, import.meta.url))).href;

interface Imported {
  readonly specifier: string;
  /** The importing module's URL. */
  readonly parent: string;
}

function importsOf(url: string): { imports: Imported[]; builtins: string[] } {
  const script = `
    import { registerHooks } from 'node:module';
    const imports = [];
    registerHooks({ resolve(specifier, context, next) { imports.push({ specifier, parent: context.parentURL ?? '' }); return next(specifier, context); } });
    await import(${JSON.stringify(url)});
    const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
    process.stdout.write(JSON.stringify({ imports, builtins }));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  if (child.status !== 0) throw new Error(`the import failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { imports: Imported[]; builtins: string[] };
}

const GOOGLE = /^(@google-cloud\/tasks|google-gax|google-auth-library|@grpc\/)(\/|$)/;
const HTTP = /^(node:)?https?$/;
const fromAdapter = (i: Imported) => i.parent.includes('/adapters/cloud-tasks/');

describe('jobferry/cloud-tasks/push imports', () => {
  it('loads no Google SDK and no node:http; its own modules import no zod', () => {
    const { imports, builtins } = importsOf(entry('push.ts'));
    const specifiers = imports.map((i) => i.specifier);
    expect(specifiers.some((s) => s.includes('push-auth.ts')), 'the hook saw the entry load its own modules').toBe(true);
    expect(specifiers.some((s) => s.startsWith('jose/'))).toBe(true);
    expect(specifiers.filter((s) => GOOGLE.test(s) || HTTP.test(s))).toEqual([]);
    expect(builtins.filter((b) => b === 'http' || b === 'https' || b === '_http_server')).toEqual([]);
    // The configuration schema (zod) is loaded only when verification is off (src/env.ts, lazily).
    expect(imports.filter((i) => fromAdapter(i) && /^zod(\/|$)|config\.ts$|env\.ts$/.test(i.specifier))).toEqual([]);
  });

  it('the service entry also loads no SDK until its first call', () => {
    const { imports } = importsOf(entry('index.ts'));
    expect(imports.map((i) => i.specifier).filter((s) => GOOGLE.test(s))).toEqual([]);
  });
});
