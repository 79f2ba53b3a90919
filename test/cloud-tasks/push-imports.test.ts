/**
 * The push entry's cold start: importing jobferry/cloud-tasks/push loads neither the Google
 * SDK (@google-cloud/tasks, google-gax, google-auth-library), nor node:http, nor the
 * configuration schema (zod). Checked in a fresh process with a resolve hook that records
 * every import.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = (path: string) => pathToFileURL(fileURLToPath(new URL(`../../adapters/cloud-tasks/${path}`, import.meta.url))).href;

function importsOf(url: string): { specifiers: string[]; builtins: string[] } {
  const script = `
    import { registerHooks } from 'node:module';
    const specifiers = [];
    registerHooks({ resolve(specifier, context, next) { specifiers.push(specifier); return next(specifier, context); } });
    await import(${JSON.stringify(url)});
    const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
    process.stdout.write(JSON.stringify({ specifiers, builtins }));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  if (child.status !== 0) throw new Error(`the import failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { specifiers: string[]; builtins: string[] };
}

describe('jobferry/cloud-tasks/push imports', () => {
  it('loads no Google SDK, no node:http and no zod', () => {
    const { specifiers, builtins } = importsOf(entry('push.ts'));
    expect(specifiers.some((s) => s.includes('push-auth.ts')), 'the hook saw the entry load its own modules').toBe(true);
    expect(specifiers.some((s) => s.startsWith('jose/'))).toBe(true);
    const forbidden = specifiers.filter((s) => /^(@google-cloud\/tasks|google-gax|google-auth-library|@grpc\/|zod)(\/|$)|^(node:)?https?$/.test(s));
    expect(forbidden).toEqual([]);
    expect(builtins.filter((b) => b === 'http' || b === 'https' || b === '_http_server')).toEqual([]);
  });

  it('the service entry also loads no SDK until its first call', () => {
    const { specifiers } = importsOf(entry('index.ts'));
    expect(specifiers.filter((s) => /^(@google-cloud\/tasks|google-gax|google-auth-library|@grpc\/)/.test(s))).toEqual([]);
  });
});
