import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../functions/jobs.ts';
import { staleTerraformFiles, TERRAFORM_DIRECTORY } from '../../infra/gcp/generate.ts';
import { terraformDocuments } from '../../infra/gcp/terraform.ts';
import type { InfraSettings } from '../../infra/settings.ts';
import { loadConfig } from '../../src/env.ts';
import { settingsWith, withExamples } from './fixtures.ts';

type Block = Record<string, any>;
const FILES = ['versions.tf.json', 'variables.tf.json', 'main.tf.json', 'outputs.tf.json'];
const committed = (name: string): Block => JSON.parse(readFileSync(join(TERRAFORM_DIRECTORY, name), 'utf8'));
const seconds = (duration: string) => {
  expect(duration).toMatch(/^\d+s$/);
  return Number(duration.slice(0, -1));
};

describe('GCP Terraform (committed *.tf.json)', () => {
  let settings: InfraSettings;
  let main: Block;
  let resources: Block;

  beforeAll(() => {
    settings = settingsWith({}, ['gcp']);
    main = committed('main.tf.json');
    resources = main.resource;
  });

  it('is what infra/gcp/generate.ts writes from the current settings and jobs', async () => {
    const stale = await staleTerraformFiles();

    expect(stale, `out of date: ${stale.join(', ')}: run npx node infra/gcp/generate.ts and commit the files`).toEqual([]);
  });

  it('retries on the queue up to a cap above the largest maxAttempts of the jobs, with its backoff', () => {
    const largest = Math.max(...jobs.map((j) => j.maxAttempts));
    const retry = resources.google_cloud_tasks_queue.jobs.retry_config;

    expect(retry.max_attempts).toBeGreaterThan(largest);
    expect(retry.max_attempts).toBe(largest + settings.safetyNetAttempts);
    expect(seconds(retry.min_backoff)).toBe(settings.minBackoffSeconds);
    expect(seconds(retry.max_backoff)).toBe(settings.maxBackoffSeconds);
    expect(retry.max_doublings).toBe(settings.maxDoublings);
    // Doubling from the minimum reaches the maximum.
    expect(settings.minBackoffSeconds * 2 ** retry.max_doublings).toBeGreaterThanOrEqual(settings.maxBackoffSeconds);
  });

  it('caps concurrent dispatches at the concurrency setting, and the dispatch rate', () => {
    expect(resources.google_cloud_tasks_queue.jobs.rate_limits).toEqual({
      max_concurrent_dispatches: settings.concurrency,
      max_dispatches_per_second: settings.maxDispatchesPerSecond,
    });
  });

  it('maps another concurrency setting to max_concurrent_dispatches', () => {
    const documents = terraformDocuments(settingsWith({ concurrency: 37 }, ['gcp'])) as Record<string, Block>;

    expect(documents['main.tf.json']!.resource.google_cloud_tasks_queue.jobs.rate_limits.max_concurrent_dispatches).toBe(37);
  });

  it('creates the dead-letter queue paused', () => {
    const dead = resources.google_cloud_tasks_queue.dead_letter;

    expect(dead.name).toBe(settings.deadLetterQueueName);
    expect(dead.desired_state).toBe('PAUSED');
    expect(committed('versions.tf.json').terraform.required_providers.google.version).toMatch(/^>= 7\./);
  });

  it('runs the Cloud Run service as the runtime account, internal-only, with a timeout of at least the longest job', () => {
    const service = resources.google_cloud_run_v2_service.app;
    const longest = Math.max(...jobs.map((j) => j.timeoutMs));

    expect(service.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(service.template.service_account).toBe('${google_service_account.runtime.email}');
    expect(seconds(service.template.timeout) * 1000).toBeGreaterThanOrEqual(longest);
    expect(service.template.containers).toHaveLength(1);
    expect(service.template.containers[0].image).toBe('${var.image}');
    expect(service.template.containers[0].resources.limits.memory).toBe(`${settings.memoryMiB}Mi`);
  });

  it('gives the container the JOBFERRY_* environment jobferry loads its Cloud Tasks configuration from', () => {
    const env = Object.fromEntries(
      (resources.google_cloud_run_v2_service.app.template.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, withExamples(e.value, main.locals)]),
    );

    const config = loadConfig(env);

    expect(config).toMatchObject({
      adapter: 'cloud-tasks',
      queue: settings.queueName,
      project: 'example-project',
      location: 'europe-west1',
      queueId: settings.queueName,
      deadLetterQueueId: settings.deadLetterQueueName,
      handlerUrl: `https://${settings.serviceName}-123456789012.europe-west1.run.app${settings.handlerPath}`,
      serviceAccountEmail: 'jobferry-reference-oidc@example-project.iam.gserviceaccount.com',
      audience: `https://${settings.serviceName}-123456789012.europe-west1.run.app`,
      queueMaxAttempts: settings.queueMaxAttempts,
    });
    // The push handler's retry cap is the queue's own: a task is buried on its last attempt, never dropped.
    expect(config.adapter === 'cloud-tasks' && config.queueMaxAttempts).toBe(resources.google_cloud_tasks_queue.jobs.retry_config.max_attempts);
    expect(env.PORT, 'Cloud Run sets PORT itself').toBeUndefined();
    // Cloud Run stops the container 10 s after SIGTERM: the grace period must end before that.
    expect(config.shutdownGraceMs).toBeLessThan(10_000);
  });

  it('grants exactly: invoker on the service to the tokens account; enqueuer on both queues and actAs on the tokens account to the runtime', () => {
    const iamTypes = Object.keys(resources).filter((type) => type.includes('iam'));
    expect(iamTypes.sort()).toEqual(['google_cloud_run_v2_service_iam_member', 'google_cloud_tasks_queue_iam_member', 'google_service_account_iam_member']);
    const runtime = 'serviceAccount:${google_service_account.runtime.email}';

    expect(resources.google_cloud_run_v2_service_iam_member).toEqual({
      tasks_invoker: {
        project: '${google_cloud_run_v2_service.app.project}',
        location: '${google_cloud_run_v2_service.app.location}',
        name: '${google_cloud_run_v2_service.app.name}',
        role: 'roles/run.invoker',
        member: 'serviceAccount:${google_service_account.tasks_oidc.email}',
      },
    });
    const queueGrants = Object.values(resources.google_cloud_tasks_queue_iam_member as Record<string, Block>);
    expect(queueGrants.map((g) => [g.name, g.role, g.member]).sort()).toEqual([
      ['${google_cloud_tasks_queue.dead_letter.name}', 'roles/cloudtasks.enqueuer', runtime],
      ['${google_cloud_tasks_queue.jobs.name}', 'roles/cloudtasks.enqueuer', runtime],
    ]);
    expect(resources.google_service_account_iam_member).toEqual({
      runtime_acts_as_tasks_oidc: { service_account_id: '${google_service_account.tasks_oidc.name}', role: 'roles/iam.serviceAccountUser', member: runtime },
    });
    // Nothing granted at the project level.
    expect(Object.keys(resources).some((type) => type.startsWith('google_project_iam'))).toBe(false);
  });

  it('names two distinct service accounts within the 30-character limit', () => {
    const accounts = resources.google_service_account;

    expect(Object.keys(accounts).sort()).toEqual(['runtime', 'tasks_oidc']);
    for (const account of Object.values(accounts as Record<string, Block>)) expect(account.account_id).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    expect(accounts.runtime.account_id).not.toBe(accounts.tasks_oidc.account_id);
  });

  it('refers only to variables, locals, resources and data sources it declares', () => {
    const documents = Object.fromEntries(FILES.map((f) => [f, committed(f)]));
    const variables = new Set(Object.keys(documents['variables.tf.json']!.variable));
    const locals = new Set(Object.keys(main.locals));
    const declared = new Set(Object.entries(resources).flatMap(([type, byName]) => Object.keys(byName as Block).map((name) => `${type}.${name}`)));
    const data = new Set(Object.entries(main.data as Block).flatMap(([type, byName]) => Object.keys(byName as Block).map((name) => `data.${type}.${name}`)));
    const unknown: string[] = [];
    const visit = (value: unknown, key?: string): void => {
      if (typeof value === 'string') {
        const references = key === 'depends_on-item' ? [value] : [...value.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!);
        for (const reference of references) {
          const parts = reference.split('.');
          const ok =
            parts[0] === 'var' ? variables.has(parts[1]!) : parts[0] === 'local' ? locals.has(parts[1]!) : parts[0] === 'data' ? data.has(parts.slice(0, 3).join('.')) : declared.has(parts.slice(0, 2).join('.'));
          if (!ok) unknown.push(reference);
        }
      } else if (Array.isArray(value)) {
        for (const item of value) visit(item, key === 'depends_on' ? 'depends_on-item' : undefined);
      } else if (value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) visit(v, k);
      }
    };

    for (const document of Object.values(documents)) visit(document);

    expect(unknown).toEqual([]);
    expect(declared.size).toBeGreaterThanOrEqual(10);
  });

  it('declares the project, region and image variables the README asks for', () => {
    const variables = committed('variables.tf.json').variable;

    expect(Object.keys(variables).sort()).toEqual(['image', 'project', 'region']);
    expect(variables.project.default).toBeUndefined();
    expect(variables.image.default).toBeUndefined();
  });
});

describe('GCP Dockerfile', () => {
  const dockerfile = readFileSync(join(TERRAFORM_DIRECTORY, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+ /.test(line));

  it('builds on Node 24, installs production dependencies only, and runs functions/cloud-run.ts', () => {
    expect(instructions[0]).toMatch(/^FROM node:24(-[a-z]+)?$/);
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
    expect(instructions.at(-1)).toBe('CMD ["node", "functions/cloud-run.ts"]');
    expect(instructions).toContain('COPY functions ./functions');
    expect(instructions).toContain('USER node');
  });

  it('installs the Google SDK peers at versions package-lock.json has', () => {
    const lock = JSON.parse(readFileSync(join(TERRAFORM_DIRECTORY, '..', '..', 'package-lock.json'), 'utf8')).packages as Record<string, { version?: string }>;
    const peers = [...dockerfile.matchAll(/pin\('([^']+)'\)/g)].map((m) => m[1]!);

    expect(peers.sort()).toEqual(['@google-cloud/tasks', 'google-auth-library']);
    for (const peer of peers) expect(lock[`node_modules/${peer}`]?.version, peer).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('keeps src, adapters and functions in the build context', () => {
    const ignored = readFileSync(join(TERRAFORM_DIRECTORY, 'Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));

    for (const needed of ['src', 'adapters', 'functions', 'package.json', 'package-lock.json']) expect(ignored).not.toContain(needed);
    expect(ignored).toContain('**/node_modules');
  });
});
