import type { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../functions/jobs.ts';
import { SQS_MAX_MESSAGE_BYTES } from '../../infra/aws/stack.ts';
import type { InfraSettings } from '../../infra/settings.ts';
import { ConfigError } from '../../src/errors.ts';
import { loadConfig } from '../../src/env.ts';
import { awsStack, settingsWith, synthesize } from './fixtures.ts';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

const one = (template: Template, type: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type)) as [string, Resource][];
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0]!;
};

const queue = (template: Template, id: string): Resource => {
  const found = (template.findResources('AWS::SQS::Queue') as Record<string, Resource>)[id];
  expect(found, `queue ${id}`).toBeDefined();
  return found!;
};

describe('AWS stack (synthesized offline)', () => {
  let settings: InfraSettings;
  let template: Template;
  let queueId: string;
  let deadLetterId: string;

  beforeAll(() => {
    settings = settingsWith();
    ({ template } = synthesize(settings));
    const queues = template.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    queueId = Object.keys(queues).find((id) => queues[id]!.Properties.QueueName === settings.queueName)!;
    deadLetterId = Object.keys(queues).find((id) => queues[id]!.Properties.QueueName === settings.deadLetterQueueName)!;
    expect(queueId).toBeDefined();
    expect(deadLetterId).toBeDefined();
  });

  it('sets MaximumMessageSize to 1 MiB explicitly on both queues', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    for (const id of [queueId, deadLetterId]) {
      expect(queue(template, id).Properties.MaximumMessageSize).toBe(1_048_576);
    }
    expect(SQS_MAX_MESSAGE_BYTES).toBe(1_048_576);
  });

  it('redrives to the dead-letter queue above the largest maxAttempts of the jobs', () => {
    const largest = Math.max(...jobs.map((j) => j.maxAttempts));
    const main = queue(template, queueId);

    expect(main.Properties.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [deadLetterId, 'Arn'] });
    expect(main.Properties.RedrivePolicy.maxReceiveCount).toBeGreaterThan(largest);
    expect(main.Properties.RedrivePolicy.maxReceiveCount).toBe(settings.maxReceiveCount);
  });

  it('runs the Lambda on nodejs24.x with the settings and the handler of the bundle', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: settings.functionTimeoutSeconds,
      MemorySize: settings.memoryMiB,
      RecursiveLoop: 'Allow',
    });
  });

  it('gives the handler the environment jobferry loads its SQS configuration from', () => {
    const [, fn] = one(template, 'AWS::Lambda::Function');
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(variables).toEqual({
      JOBFERRY_ADAPTER: 'sqs',
      JOBFERRY_QUEUE: settings.queueName,
      JOBFERRY_SQS_QUEUE_URL: { Ref: queueId },
      JOBFERRY_SQS_DEAD_LETTER_QUEUE_URL: { Ref: deadLetterId },
    });
    // What CloudFormation resolves the references to, then the app's own loader.
    const urls: Record<string, string> = {
      [queueId]: `https://sqs.eu-west-1.amazonaws.com/123456789012/${settings.queueName}`,
      [deadLetterId]: `https://sqs.eu-west-1.amazonaws.com/123456789012/${settings.deadLetterQueueName}`,
    };
    const env = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : urls[(v as { Ref: string }).Ref]!]));
    const config = loadConfig(env);

    expect(config).toMatchObject({ adapter: 'sqs', queue: settings.queueName, queueUrl: urls[queueId], deadLetterQueueUrl: urls[deadLetterId] });
  });

  it('maps the queue with ReportBatchItemFailures, the concurrency cap, the batch size and window', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: settings.concurrency },
      BatchSize: settings.batchSize,
      MaximumBatchingWindowInSeconds: settings.maxBatchingWindowSeconds,
    });
  });

  it('maps another concurrency setting to MaximumConcurrency', () => {
    const { template: other } = synthesize(settingsWith({ concurrency: 37 }));

    other.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 37 } });
  });

  it('has a visibility timeout of at least 6 x the function timeout + the batching window', () => {
    const main = queue(template, queueId);
    const [, fn] = one(template, 'AWS::Lambda::Function');
    const [, mapping] = one(template, 'AWS::Lambda::EventSourceMapping');

    expect(main.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout + mapping.Properties.MaximumBatchingWindowInSeconds);
  });

  it('grants the function exactly: consume the queue, re-send to it, send to the dead-letter queue, write its logs', () => {
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    const [logGroupId] = one(template, 'AWS::Logs::LogGroup');
    const [policyId, policy] = one(template, 'AWS::IAM::Policy');

    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ConsumeJobs',
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      },
      { Sid: 'DeferJobs', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      { Sid: 'BuryJobs', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [deadLetterId, 'Arn'] } },
      { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
    ]);
    // No managed policy (AWSLambdaBasicExecutionRole grants logs on every group) and no inline extras.
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent(), Policies: Match.absent() });
    // Lambda validates the role's permissions when the mapping is created: the policy comes first.
    const [, mapping] = one(template, 'AWS::Lambda::EventSourceMapping');
    expect(mapping.DependsOn).toContain(policyId);
  });

  it('encrypts both queues and refuses non-TLS access to them', () => {
    for (const id of [queueId, deadLetterId]) {
      expect(queue(template, id).Properties.SqsManagedSseEnabled).toBe(true);
    }
    template.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('outputs the queue URLs producers and the CLI need', () => {
    template.hasOutput('QueueUrl', { Value: { Ref: queueId } });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: deadLetterId } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/jobferry/${settings.queueName}`, RetentionInDays: 14 });
  });
});

describe('AWS stack: refusals', () => {
  it('refuses settings past a Lambda limit at construction, naming the option', () => {
    // Resolved for GCP only, so the stack's own check is the one that speaks.
    const settings = settingsWith({ concurrency: 1 }, ['gcp']);

    expect(() => awsStack(settings)).toThrow(ConfigError);
    expect(() => awsStack(settings)).toThrow(/concurrency: the Lambda event source mapping's maximum concurrency .*must be 2-1000, got 1/);
  });

  it('refuses a too-short visibility timeout at construction', () => {
    const settings = settingsWith({ functionTimeoutSeconds: 200, visibilityTimeoutSeconds: 900 }, ['gcp']);

    expect(() => awsStack(settings)).toThrow(/visibilityTimeoutSeconds: must be at least 6 x functionTimeoutSeconds \+ maxBatchingWindowSeconds = 6 x 200 \+ 1 = 1201/);
  });

  it('fails synth when the resources themselves break the visibility rule', () => {
    const stack = awsStack();
    // An edit that bypasses the settings (an escape hatch on the queue's L1 resource).
    (stack.queue.node.defaultChild as CfnQueue).visibilityTimeout = 60;

    expect(() => (stack.node.root as App).synth()).toThrow(
      /queue jobferry-reference has a visibility timeout of 60 s, below 6 x the function timeout \(150 s\) \+ the batching window \(1 s\) = 901 s/,
    );
  });
});
