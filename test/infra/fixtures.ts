/**
 * Factories for the infra tests: a placeholder Lambda asset (the stack's properties do not
 * depend on the code), a synthesized stack, job definitions with chosen policies, and a
 * resolver of Terraform `${...}` references to example values.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { z } from 'zod';
import { JobferryAwsStack } from '../../infra/aws/stack.ts';
import { REFERENCE_APP, resolveInfraSettings, type InfraSettings, type InfraSettingsOptions } from '../../infra/settings.ts';
import { defineJob, type AnyJob } from '../../src/index.ts';

let placeholder: string | undefined;

/** A directory holding a small index.mjs, made once per test file. */
export function placeholderAsset(): string {
  if (placeholder === undefined) {
    placeholder = mkdtempSync(join(tmpdir(), 'jobferry-infra-asset-'));
    writeFileSync(join(placeholder, 'index.mjs'), 'export const handler = async () => ({ batchItemFailures: [] });\n');
  }
  return placeholder;
}

export function settingsWith(overrides: InfraSettingsOptions = {}, platforms: ('aws' | 'gcp')[] = ['aws', 'gcp']): InfraSettings {
  return resolveInfraSettings({ ...REFERENCE_APP, ...overrides }, { platforms });
}

export function awsStack(settings: InfraSettings = settingsWith()): JobferryAwsStack {
  return new JobferryAwsStack(new App(), 'JobferryTest', { settings, code: Code.fromAsset(placeholderAsset()) });
}

export function synthesize(settings: InfraSettings = settingsWith()): { stack: JobferryAwsStack; template: Template } {
  const stack = awsStack(settings);
  return { stack, template: Template.fromStack(stack) };
}

/** A job with the given policy; the handler is never run by these tests. */
export function jobWith(name: string, policy: { maxAttempts?: number; timeoutMs?: number }): AnyJob {
  return defineJob({ name, schema: z.object({}), ...policy, handler: () => undefined });
}

const EXAMPLES: Record<string, string> = {
  'var.project': 'example-project',
  'var.region': 'europe-west1',
  'data.google_project.this.number': '123456789012',
  'google_cloud_tasks_queue.jobs.name': 'jobferry-reference',
  'google_cloud_tasks_queue.dead_letter.name': 'jobferry-reference-dead-letter',
  'google_service_account.tasks_oidc.email': 'jobferry-reference-oidc@example-project.iam.gserviceaccount.com',
};

/** Replaces `${...}` references by example values, resolving locals from `locals` first. */
export function withExamples(value: string, locals: Record<string, string>): string {
  return value.replace(/\$\{([^}]+)\}/g, (_, expression: string) => {
    if (expression.startsWith('local.')) {
      const local = locals[expression.slice('local.'.length)];
      if (local === undefined) throw new Error(`unknown local ${expression}`);
      return withExamples(local, locals);
    }
    const example = EXAMPLES[expression];
    if (example === undefined) throw new Error(`no example value for ${expression}`);
    return example;
  });
}
