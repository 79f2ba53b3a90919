import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleLambda, LAMBDA_ENTRY, REPOSITORY_ROOT, type LambdaBundle } from '../../infra/aws/bundle.ts';

const GOOGLE_INPUT = /(^|\/)(adapters\/cloud-tasks\/|node_modules\/(@google-cloud|google-gax|google-auth-library|gcp-metadata|gtoken|@grpc)\/)/;
const GOOGLE_TEXT = ['@google-cloud/', 'google-gax', 'google-auth-library', 'cloudtasks.googleapis.com'];

/** Runs the bundle in a fresh Node (the project's Node 24) the way the Lambda runtime would: import, then one empty batch. */
function invoke(bundle: LambdaBundle): { status: number | null; stdout: string; stderr: string } {
  const script = [
    'const m = await import(process.argv[1]);',
    "if (typeof m.handler !== 'function') throw new Error('index.mjs exports no handler function');",
    'const out = await m.handler({ Records: [] }, { getRemainingTimeInMillis: () => 10000, functionName: "jobferry-test", awsRequestId: "test" });',
    'process.stdout.write(JSON.stringify(out));',
  ].join('\n');
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    JOBFERRY_ADAPTER: 'sqs',
    JOBFERRY_SQS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobferry-reference',
    JOBFERRY_SQS_DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobferry-reference-dead-letter',
  };
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(bundle.file).href], { env, encoding: 'utf8', timeout: 15_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the Lambda bundle of functions/aws-lambda.ts', () => {
  it('bundles the real entry: ESM, @aws-sdk left to the runtime, no Google code, and it answers an empty batch', async () => {
    // No skip: a missing entry fails here with bundleLambda's message naming it.
    const bundle = await bundleLambda({ outdir: join(REPOSITORY_ROOT, 'infra', 'aws', '.build', 'test-lambda') });
    const text = readFileSync(bundle.file, 'utf8');

    expect(readdirSync(bundle.directory)).toEqual(['index.mjs']);
    expect(bundle.inputs).toContain('functions/aws-lambda.ts');
    expect(bundle.inputs.filter((input) => GOOGLE_INPUT.test(input)), 'Google code in the AWS bundle').toEqual([]);
    for (const marker of GOOGLE_TEXT) expect(text.includes(marker), `the bundle mentions ${marker}`).toBe(false);
    expect(bundle.inputs.some((input) => input.includes('node_modules/@aws-sdk/')), '@aws-sdk must stay external').toBe(false);
    const run = invoke(bundle);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ batchItemFailures: [] });
  });

  // A child process that loads aws-cdk-lib and synthesizes: ~5 s of CPU, more on a busy machine.
  it('synthesizes the CDK app end to end, offline (npx node infra/aws/app.ts)', { timeout: 90_000 }, () => {
    expect(existsSync(LAMBDA_ENTRY), `${LAMBDA_ENTRY} is missing: the CDK app bundles it`).toBe(true);
    const outdir = mkdtempSync(join(tmpdir(), 'jobferry-cdk-out-'));

    const result = spawnSync(process.execPath, [join(REPOSITORY_ROOT, 'infra', 'aws', 'app.ts')], {
      cwd: join(REPOSITORY_ROOT, 'infra', 'aws'),
      env: { PATH: process.env.PATH, CDK_OUTDIR: outdir },
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'JobferryReference.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => f.Properties.Runtime)).toEqual(['nodejs24.x']);
  });
});

describe('bundleLambda', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  // Inside the repository (infra/aws/.build is ignored by git), so that `zod` resolves.
  const fixtureEntry = (source: string) => {
    const build = join(REPOSITORY_ROOT, 'infra', 'aws', '.build');
    mkdirSync(build, { recursive: true });
    const dir = mkdtempSync(join(build, 'fixture-entry-'));
    made.push(dir);
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, source);
    return { entry, outdir: join(dir, 'out') };
  };

  it('writes one minified ESM file and leaves @aws-sdk/* external', async () => {
    const { entry, outdir } = fixtureEntry(
      [
        // The SQS wrapper, zod and the core's job definitions: what a Lambda entry is made of.
        `import { createSqsHandler } from ${JSON.stringify(join(REPOSITORY_ROOT, 'adapters', 'sqs', 'lambda.ts'))};`,
        `import { defineJob } from ${JSON.stringify(join(REPOSITORY_ROOT, 'src', 'job.ts'))};`,
        "import { z } from 'zod';",
        "const ping = defineJob({ name: 'ping', schema: z.object({ n: z.int() }), handler: () => undefined });",
        'export const handler = createSqsHandler({ jobs: [ping] });',
      ].join('\n'),
    );

    const bundle = await bundleLambda({ entry, outdir });
    const text = readFileSync(bundle.file, 'utf8');

    expect(readdirSync(outdir)).toEqual(['index.mjs']);
    expect(text).toMatch(/export\s*\{/);
    expect(text).toContain('@aws-sdk/client-sqs');
    expect(bundle.inputs.some((input) => input.includes('node_modules/@aws-sdk/'))).toBe(false);
    expect(bundle.inputs.some((input) => input.endsWith('adapters/sqs/lambda.ts'))).toBe(true);
    expect(bundle.inputs.filter((input) => GOOGLE_INPUT.test(input))).toEqual([]);
    // Minified: comments gone, module-level names mangled (lambda.ts declares VISIBILITY_CAP_SECONDS).
    expect(text).not.toContain('/**');
    expect(text).not.toContain('VISIBILITY_CAP_SECONDS');
    // It loads and answers like the deployed one would.
    const run = invoke(bundle);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ batchItemFailures: [] });
  });

  it('names a missing entry', async () => {
    const missing = join(tmpdir(), 'jobferry-no-such-entry', 'aws-lambda.ts');

    await expect(bundleLambda({ entry: missing, outdir: join(tmpdir(), 'jobferry-no-out') })).rejects.toThrow(
      /\[infra\] bundling the Lambda failed: its entry .*aws-lambda\.ts does not exist/,
    );
  });
});
