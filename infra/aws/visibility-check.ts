/**
 * The synth-time guard of the stack: reads the values the resources will be created with (not
 * the settings they came from), so an edit of the stack or an escape-hatch override that
 * breaks AWS's visibility rule still fails `cdk synth` with a clear message.
 */
import { Token } from 'aws-cdk-lib';
import { minimumVisibilitySeconds } from '../limits.ts';

export interface VisibilityFacts {
  queueName: string;
  visibilityTimeoutSeconds: number | undefined;
  functionTimeoutSeconds: number | undefined;
  maxBatchingWindowSeconds: number | undefined;
}

export function visibilityProblems(facts: VisibilityFacts): string[] {
  const { queueName, visibilityTimeoutSeconds: visibility, functionTimeoutSeconds: timeout } = facts;
  const window = facts.maxBatchingWindowSeconds ?? 0;
  const unknown = [visibility, timeout, window].some((v) => v === undefined || Token.isUnresolved(v));
  if (unknown) {
    // SQS's default visibility (30 s) and Lambda's default timeout (3 s) are never what a job
    // queue wants: both must be set, as literal numbers, for the rule to be checked.
    return [
      `[infra] aws: the visibility rule cannot be checked for queue ${queueName}: set the queue's visibility timeout, the function timeout and the batching window as numbers (got ${String(visibility)}, ${String(timeout)}, ${String(window)})`,
    ];
  }
  const minimum = minimumVisibilitySeconds(timeout!, window);
  if (visibility! >= minimum) return [];
  return [
    `[infra] aws: queue ${queueName} has a visibility timeout of ${visibility} s, below 6 x the function timeout (${timeout} s) + the batching window (${window} s) = ${minimum} s (AWS's guidance for Lambda SQS event sources): records would be delivered again while an invocation still runs them`,
  ];
}
