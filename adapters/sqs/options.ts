/**
 * Options of the SQS service, checked once at construction: a wrong option fails at start with
 * a message naming it. Units live in the names.
 */
import { ConfigError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';
import type { SQSClient, SQSClientConfig } from './sdk.ts';
import { DEAD_LETTER_RESERVE_BYTES, SQS_MAX_MESSAGE_BYTES, SQS_MAX_WAIT_SECONDS } from './limits.ts';
import { pairProblems, parseQueueUrl, type QueueAddress } from './queue-url.ts';

export interface SqsServiceOptions {
  /** `https://sqs.<region>.amazonaws.com/<account>/<name>`; a name ending in `.fifo` is a FIFO queue. */
  queueUrl: string;
  /**
   * Where bury() sends jobs. Default: the `deadLetterTargetArn` of the queue's redrive policy,
   * looked up on the first bury. A FIFO queue needs a FIFO dead-letter queue.
   */
  deadLetterQueueUrl?: string;
  /** Your own client (shared connection pool, custom credentials, tracing). Not destroyed by close(). */
  client?: SQSClient;
  /** Configuration of the client jobferry makes when none is given (region, endpoint, credentials). */
  clientConfig?: SQSClientConfig;
  /** Longest server-side long poll of a reserve, 0..20 s. Default 20. */
  waitTimeSeconds?: number;
  /**
   * Largest body enqueue accepts, in UTF-8 bytes. Default 1 MiB minus 8 KiB, so that a buried
   * job still fits with its dead-letter attributes. Lower it if the queue's MaximumMessageSize is lower.
   */
  maxBodyBytes?: number;
  /**
   * kick() without `max` may start a StartMessageMoveTask (moves everything server-side, the count
   * it returns is approximate). Where the API is missing (emulators) kick falls back to
   * receive, send, delete. Default false: always receive, send, delete (exact counts, honours max).
   */
  useMessageMoveTask?: boolean;
  /**
   * Message attributes a reserve asks SQS for (`['All']`, or names), so that a buried job keeps
   * them in the dead-letter queue. Default none: jobferry's own jobs carry no message attributes
   * (everything travels in the envelope), and asking for them costs every receive.
   */
  receiveMessageAttributeNames?: readonly string[];
  /** For the few things the service itself reports (a give-back that failed). Default: silent. */
  logger?: Logger;
}

export interface SqsSettings {
  readonly source: QueueAddress;
  readonly deadLetter: QueueAddress | undefined;
  readonly waitTimeSeconds: number;
  readonly maxBodyBytes: number;
  readonly useMessageMoveTask: boolean;
  readonly receiveMessageAttributeNames: readonly string[];
}

export function checkOptions(options: SqsServiceOptions): SqsSettings {
  const problems: string[] = [];
  const address = (value: unknown, name: string): QueueAddress | undefined => {
    if (typeof value !== 'string') {
      problems.push(`${name}: must be a queue URL string, got ${typeof value}`);
      return undefined;
    }
    try {
      return parseQueueUrl(value, name);
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const source = address(options?.queueUrl, 'queueUrl');
  const deadLetter = options?.deadLetterQueueUrl === undefined ? undefined : address(options.deadLetterQueueUrl, 'deadLetterQueueUrl');
  if (source && deadLetter) problems.push(...pairProblems(source, deadLetter));
  const waitTimeSeconds = options?.waitTimeSeconds ?? SQS_MAX_WAIT_SECONDS;
  if (!Number.isInteger(waitTimeSeconds) || waitTimeSeconds < 0 || waitTimeSeconds > SQS_MAX_WAIT_SECONDS) {
    problems.push(`waitTimeSeconds: must be an integer from 0 to ${SQS_MAX_WAIT_SECONDS}, got ${String(waitTimeSeconds)}`);
  }
  const maxBodyBytes = options?.maxBodyBytes ?? SQS_MAX_MESSAGE_BYTES - DEAD_LETTER_RESERVE_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1 || maxBodyBytes > SQS_MAX_MESSAGE_BYTES - DEAD_LETTER_RESERVE_BYTES) {
    problems.push(`maxBodyBytes: must be an integer from 1 to ${SQS_MAX_MESSAGE_BYTES - DEAD_LETTER_RESERVE_BYTES} (1 MiB less room for dead-letter attributes), got ${String(maxBodyBytes)}`);
  }
  const client = options?.client as { send?: unknown } | undefined;
  if (client !== undefined && typeof client?.send !== 'function') problems.push('client: must be an SQSClient (an object with send())');
  if (client !== undefined && options.clientConfig !== undefined) problems.push('clientConfig: give client or clientConfig, not both');
  const receiveMessageAttributeNames = options?.receiveMessageAttributeNames ?? [];
  if (!Array.isArray(receiveMessageAttributeNames) || !receiveMessageAttributeNames.every((n) => typeof n === 'string' && n.length > 0)) {
    problems.push(`receiveMessageAttributeNames: must be an array of attribute names (or ['All'])`);
  }
  if (problems.length > 0 || source === undefined) throw new ConfigError(problems.map((p) => `sqs.${p}`), { adapter: 'sqs' });
  return { source, deadLetter, waitTimeSeconds, maxBodyBytes, useMessageMoveTask: options.useMessageMoveTask === true, receiveMessageAttributeNames };
}
