/**
 * Queue addresses: URLs (what the SQS API takes), ARNs (what Lambda events and redrive
 * policies carry) and names (what logs and dead-letter attributes show).
 */

export interface QueueAddress {
  readonly url: string;
  readonly name: string;
  /** FIFO queues' names end in `.fifo`: AWS enforces it, so the name decides. */
  readonly fifo: boolean;
  /** Present when the URL has the AWS form `https://sqs.<region>.amazonaws.com/<account>/<name>`. */
  readonly region?: string;
  readonly account?: string;
}

const NAME = /^[A-Za-z0-9_-]{1,75}(\.fifo)?$/;

/** Parses a queue URL; throws a TypeError naming what is wrong. */
export function parseQueueUrl(url: string, option = 'queueUrl'): QueueAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${option}: not a URL: ${JSON.stringify(String(url)).slice(0, 200)}`);
  }
  const parts = parsed.pathname.split('/').filter((p) => p !== '');
  const name = parts.at(-1) ?? '';
  if (parts.length < 2 || !NAME.test(name)) {
    throw new TypeError(`${option}: expected https://sqs.<region>.amazonaws.com/<account>/<queue-name>, got ${JSON.stringify(url)}`);
  }
  const region = /^sqs\.([a-z0-9-]+)\./.exec(parsed.hostname)?.[1];
  return { url, name, fifo: name.endsWith('.fifo'), region, account: parts.at(-2) };
}

export interface QueueArn {
  readonly arn: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  readonly fifo: boolean;
}

/** Parses `arn:<partition>:sqs:<region>:<account>:<name>`; undefined for anything else. */
export function parseQueueArn(arn: unknown): QueueArn | undefined {
  if (typeof arn !== 'string') return undefined;
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs') return undefined;
  const [, partition, , region, account, name] = parts as [string, string, string, string, string, string];
  if (!NAME.test(name) || region === '' || account === '') return undefined;
  return { arn, partition, region, account, name, fifo: name.endsWith('.fifo') };
}

/** The AWS URL of the queue an ARN names (the endpoint of a client may still point elsewhere). */
export function queueUrlOfArn(arn: QueueArn): string {
  const suffix = arn.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${arn.region}.${suffix}/${arn.account}/${arn.name}`;
}

/** A FIFO queue needs a FIFO dead-letter queue, and a standard one a standard queue (as in AWS). */
export function pairProblems(source: QueueAddress, deadLetter: QueueAddress): string[] {
  if (source.url === deadLetter.url) return ['deadLetterQueueUrl: must differ from queueUrl'];
  if (source.fifo !== deadLetter.fifo) {
    return [`deadLetterQueueUrl: ${source.fifo ? 'a FIFO queue needs a FIFO dead-letter queue (name ending in .fifo)' : 'a standard queue needs a standard dead-letter queue'}, got ${deadLetter.name}`];
  }
  return [];
}

/**
 * The dead-letter queue a redrive policy names, or why there is none. SQS requires it in the
 * source's account and region, so its URL is the source's with the name swapped: no lookup
 * call, and it holds on AWS and on emulators alike.
 */
export function redriveTarget(source: QueueAddress, policy: string | undefined): QueueAddress | string {
  if (policy === undefined || policy === '') return `${source.name} has no redrive policy`;
  let target: unknown;
  try {
    target = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
  } catch {
    return `the redrive policy of ${source.name} is not JSON`;
  }
  const arn = parseQueueArn(target);
  if (arn === undefined) return `the redrive policy of ${source.name} names no queue ARN (${JSON.stringify(target)})`;
  const url = new URL(source.url);
  url.pathname = url.pathname.replace(/[^/]+\/?$/, arn.name);
  const address = parseQueueUrl(url.href, 'the redrive policy target');
  const problems = pairProblems(source, address);
  return problems.length > 0 ? problems.join('; ') : address;
}
