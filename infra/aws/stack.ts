/**
 * The reference app on AWS: an SQS queue and its dead-letter queue, the Lambda of
 * functions/aws-lambda.ts, and the event source mapping between them, all sized by
 * infra/settings.ts.
 *
 * - Both queues take 1 MiB messages, SQS's largest, set explicitly rather than left to a default.
 * - The redrive policy's maxReceiveCount sits above the jobs' largest maxAttempts: jobferry
 *   buries poison and exhausted jobs itself, with a reason; the redrive only catches records
 *   a crashed invocation never answered.
 * - The role may consume the queue, re-send a job that is not due yet to it, and send to the
 *   dead-letter queue; nothing else (no managed policy, no wildcard resource).
 * - At synth time the stack refuses a queue whose visibility timeout is below 6 x the function
 *   timeout + the batching window, as configured on the resources themselves.
 *
 * @example
 * ```ts
 * const app = new App();
 * new JobferryAwsStack(app, 'JobferryReference', { settings: resolveInfraSettings(), code: Code.fromAsset(bundle.directory) });
 * ```
 */
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ConfigError } from '../../src/errors.ts';
import { configEnvironment, configVariable } from '../env-names.ts';
import { platformProblems } from '../limits.ts';
import type { InfraSettings } from '../settings.ts';
import { visibilityProblems } from './visibility-check.ts';

/** SQS's largest message, set on both queues. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

export interface JobferryAwsStackProps extends StackProps {
  settings: InfraSettings;
  /** The Lambda's code: the directory bundleLambda wrote, through `Code.fromAsset`. */
  code: lambda.Code;
}

export class JobferryAwsStack extends Stack {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly function: lambda.Function;
  readonly mapping: lambda.EventSourceMapping;

  constructor(scope: Construct, id: string, props: JobferryAwsStackProps) {
    super(scope, id, props);
    const s = props.settings;
    const problems = platformProblems('aws', s);
    if (problems.length > 0) throw new ConfigError(problems.map((p) => `infra settings: ${p}`));

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: s.deadLetterQueueName,
      maxMessageSizeBytes: SQS_MAX_MESSAGE_BYTES,
      // Buried jobs wait for a person to read and kick them: keep them as long as SQS allows.
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: s.queueName,
      maxMessageSizeBytes: SQS_MAX_MESSAGE_BYTES,
      visibilityTimeout: Duration.seconds(s.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: s.maxReceiveCount },
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    const logGroup = new logs.LogGroup(this, 'FunctionLogs', {
      logGroupName: `/jobferry/${s.queueName}`,
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the jobferry Lambda of ${s.queueName}: consume its queue, bury into its dead-letter queue, write its logs`,
    });
    const policy = new iam.Policy(this, 'FunctionPolicy', {
      statements: [
        // Lambda's poller receives, deletes and reads the queue's attributes; jobferry sets a
        // retried record's visibility to the job's backoff.
        new iam.PolicyStatement({
          sid: 'ConsumeJobs',
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
          resources: [this.queue.queueArn],
        }),
        // A job due later than SQS's 15-minute delay comes back early and is re-sent, delayed.
        new iam.PolicyStatement({ sid: 'DeferJobs', actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
        new iam.PolicyStatement({ sid: 'BuryJobs', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
        new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      ],
    });
    policy.attachToRole(role);

    this.function = new lambda.Function(this, 'Function', {
      description: `jobferry reference app: runs the jobs of ${s.queueName}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: props.code,
      memorySize: s.memoryMiB,
      timeout: Duration.seconds(s.functionTimeoutSeconds),
      role,
      logGroup,
      // Re-sending a job that is not due yet to its own queue is a loop by design (one hop per
      // 15 minutes of delay): Lambda's loop detection would drop such a job after 16 hops.
      recursiveLoop: lambda.RecursiveLoop.ALLOW,
      environment: configEnvironment('sqs', {
        queue: s.queueName,
        queueUrl: this.queue.queueUrl,
        deadLetterQueueUrl: this.deadLetterQueue.queueUrl,
      }),
    });
    this.function.node.addDependency(policy);

    this.mapping = new lambda.EventSourceMapping(this, 'JobsMapping', {
      target: this.function,
      eventSourceArn: this.queue.queueArn,
      batchSize: s.batchSize,
      maxBatchingWindow: Duration.seconds(s.maxBatchingWindowSeconds),
      // jobferry answers { batchItemFailures }: only the failed records come back.
      reportBatchItemFailures: true,
      // The per-queue cap: at most this many invocations at once, whatever the backlog.
      maxConcurrency: s.concurrency,
    });
    // Lambda checks the role's permissions when the mapping is created.
    this.mapping.node.addDependency(policy);

    const queueResource = this.queue.node.defaultChild as sqs.CfnQueue;
    const functionResource = this.function.node.defaultChild as lambda.CfnFunction;
    const mappingResource = this.mapping.node.defaultChild as lambda.CfnEventSourceMapping;
    this.node.addValidation({
      validate: () =>
        visibilityProblems({
          queueName: s.queueName,
          visibilityTimeoutSeconds: queueResource.visibilityTimeout,
          functionTimeoutSeconds: functionResource.timeout,
          maxBatchingWindowSeconds: mappingResource.maximumBatchingWindowInSeconds,
        }),
    });

    new CfnOutput(this, 'QueueUrl', { value: this.queue.queueUrl, description: `${configVariable('sqs', 'queueUrl')} for producers and the CLI` });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl, description: configVariable('sqs', 'deadLetterQueueUrl') });
    new CfnOutput(this, 'FunctionName', { value: this.function.functionName });
    new CfnOutput(this, 'LogGroupName', { value: logGroup.logGroupName, description: 'The JSON log lines of the jobs' });
    new CfnOutput(this, 'ProducerEnvironment', {
      description: 'Environment of a producer or of the jobferry CLI for this queue',
      value: Fn.join(' ', [
        'JOBFERRY_ADAPTER=sqs',
        Fn.join('', [`${configVariable('sqs', 'queueUrl')}=`, this.queue.queueUrl]),
        Fn.join('', [`${configVariable('sqs', 'deadLetterQueueUrl')}=`, this.deadLetterQueue.queueUrl]),
      ]),
    });
  }
}
