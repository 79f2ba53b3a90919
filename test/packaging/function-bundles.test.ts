/**
 * Each deployable entry of functions/ bundled with esbuild, every reachable module included
 * (one file, nothing external, so the check sees the SDKs too): an AWS entry must carry no
 * Google code and a Google entry no AWS code, judged by the inputs that land in the output
 * (metafile, bytesInOutput > 0), the external imports and marker strings in the text.
 * The pull worker chooses its transport at run time, so it carries both: the same check must
 * find both there, which shows it finds what it looks for.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../infra/package/build.ts';
import { bundleEntry, cloudCodeIn } from '../../infra/package/entry-bundle.ts';

/** Every file of functions/ but the shared jobs module is an entry, and must be listed here. */
const ENTRIES: Record<string, 'aws' | 'google' | 'any'> = {
  'aws-lambda.ts': 'aws',
  'cloud-run.ts': 'google',
  'worker.ts': 'any',
};

describe('function entry bundles', () => {
  it('list every entry of functions/ (a new entry must say which cloud it is for)', () => {
    const files = readdirSync(join(REPOSITORY_ROOT, 'functions')).filter((f) => f.endsWith('.ts') && f !== 'jobs.ts');
    expect(files.sort()).toEqual(Object.keys(ENTRIES).sort());
  });

  it.each(Object.entries(ENTRIES).filter(([, cloud]) => cloud === 'aws'))('%s (AWS) carries no Google code', async (file) => {
    const bundle = await bundleEntry(`functions/${file}`);
    expect(bundle.inputs.has(`functions/${file}`)).toBe(true);
    const found = cloudCodeIn(bundle);
    expect(found.aws.length, 'the AWS code it needs is there').toBeGreaterThan(0);
    expect(found.google, 'Google code in an AWS entry').toEqual([]);
  });

  it.each(Object.entries(ENTRIES).filter(([, cloud]) => cloud === 'google'))('%s (Google) carries no AWS code', async (file) => {
    const bundle = await bundleEntry(`functions/${file}`);
    expect(bundle.inputs.has(`functions/${file}`)).toBe(true);
    const found = cloudCodeIn(bundle);
    expect(found.google.length, 'the Google code it needs is there').toBeGreaterThan(0);
    expect(found.aws, 'AWS code in a Google entry').toEqual([]);
  });

  it('the pull worker, whose transport is configuration, carries both, and the check finds both', async () => {
    const found = cloudCodeIn(await bundleEntry('functions/worker.ts'));
    expect(found.aws).toEqual(expect.arrayContaining(['input adapters/sqs/service.ts', 'text "AmazonSQS"']));
    expect(found.google).toEqual(expect.arrayContaining(['input adapters/cloud-tasks/service.ts', 'text "google.cloud.tasks"']));
    expect(found.aws.some((f) => f.startsWith('input node_modules/@aws-sdk/'))).toBe(true);
    expect(found.google.some((f) => f.startsWith('input node_modules/@google-cloud/tasks/'))).toBe(true);
  });
});
