/**
 * Cold start of the Lambda wrapper, in a fresh process: importing it and handling a batch that
 * succeeds loads neither @aws-sdk/client-sqs nor node:http; the first record that needs an SQS
 * call loads the SDK, once.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('the Lambda wrapper loads the SQS SDK only when a record needs a call, and then once', () => {
  const script = fileURLToPath(new URL('./fixtures/cold-start.ts', import.meta.url));
  const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 });
  expect(child.stderr).toBe('');
  const seen = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, unknown> & { wrapperModules: string[] };

  expect(seen.okFailures).toBe(0);
  expect(seen.sdkBeforeNeed, 'SDK modules loaded before any SQS call was needed').toBe(0);
  expect(seen.httpBeforeNeed, 'node:http(s) loaded before any SQS call was needed').toBe(0);
  expect(seen.failingFailures).toBe(2);
  expect(seen.sdkImportsAfterNeed, 'the SDK entry is resolved once for two invocations that need it').toBe(1);
  // The wrapper's own graph: core modules and the adapter's, nothing from Google, no node:http.
  expect(seen.wrapperModules.filter((u) => /google|cloud-tasks|node:http/.test(u))).toEqual([]);
});
