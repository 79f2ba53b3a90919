/**
 * Error normalisation: real errors from fauxqs (whose names carry an `AWS.SimpleQueueService.`
 * prefix AWS does not use), a real network failure, and AWS-shaped service errors, all reduced
 * to one TransportError code with the kind's retryability.
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient, SQSServiceException, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { sqsErrorCode, sqsErrorKind, toTransportError } from '../../adapters/sqs/errors.ts';
import { TransportError } from '../../src/errors.ts';
import { freshQueue, sharedEmulator } from './helpers.ts';

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

function awsError(name: string, fault: 'client' | 'server', status: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new SQSServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} happened` }), extra);
}

describe('sqs error normalisation', () => {
  it('a missing queue (fauxqs) is QueueDoesNotExist, not retryable', async () => {
    const sqs = await sharedEmulator();
    const client = new SQSClient(sqs.clientConfig);
    const error = await thrown(client.send(new ReceiveMessageCommand({ QueueUrl: `${sqs.endpoint}/000000000000/missing` })));
    const e = toTransportError(error, 'reserve', 'missing');
    expect(e).toBeInstanceOf(TransportError);
    expect(e).toMatchObject({ code: 'QueueDoesNotExist', retryable: false, adapter: 'sqs', queue: 'missing' });
    expect(e.message).toMatch(/^\[sqs\] reserve failed: QueueDoesNotExist: /);
    expect(e.cause).toBe(error);
  });

  it('a prefixed emulator name (AWS.SimpleQueueService.InvalidParameterValue) becomes InvalidParameterValue', async () => {
    const sqs = await sharedEmulator();
    const queue = await freshQueue('errors', { fifo: true });
    const client = new SQSClient(sqs.clientConfig);
    const error = await thrown(client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })));
    expect((error as Error).name).toBe('AWS.SimpleQueueService.InvalidParameterValue');
    expect(toTransportError(error, 'enqueue', queue.name)).toMatchObject({ code: 'InvalidParameterValue', retryable: false });
  });

  it('an action the endpoint lacks (StartMessageMoveTask on fauxqs) is InvalidAction', async () => {
    const sqs = await sharedEmulator();
    const client = new SQSClient(sqs.clientConfig);
    const error = await thrown(client.send(new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:us-east-1:000000000000:x' })));
    expect(sqsErrorCode(error)).toBe('InvalidAction');
    expect(sqsErrorKind(error)).toBe('invalid-input');
  });

  it('a refused connection is a retryable network error', async () => {
    const client = new SQSClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    const error = await thrown(client.send(new ReceiveMessageCommand({ QueueUrl: 'http://127.0.0.1:9/000000000000/q' })));
    expect(sqsErrorKind(error)).toBe('network');
    expect(toTransportError(error, 'reserve', 'q').retryable).toBe(true);
  });

  it.each([
    ['ThrottlingException', 'client', 400, 'ThrottlingException', 'throttled', true],
    ['RequestThrottled', 'client', 403, 'RequestThrottled', 'throttled', true],
    ['AWS.SimpleQueueService.OverLimit', 'client', 403, 'OverLimit', 'throttled', true],
    ['InternalError', 'server', 500, 'InternalError', 'server', true],
    ['ServiceUnavailable', 'server', 503, 'ServiceUnavailable', 'server', true],
    ['AccessDenied', 'client', 403, 'AccessDenied', 'access-denied', false],
    ['InvalidClientTokenId', 'client', 403, 'InvalidClientTokenId', 'access-denied', false],
    ['AWS.SimpleQueueService.NonExistentQueue', 'client', 400, 'QueueDoesNotExist', 'missing-queue', false],
    ['ReceiptHandleIsInvalid', 'client', 400, 'ReceiptHandleIsInvalid', 'invalid-input', false],
    ['com.amazonaws.sqs#InvalidMessageContents', 'client', 400, 'InvalidMessageContents', 'invalid-input', false],
  ] as const)('%s (%s %i) -> %s, %s, retryable %s', (name, fault, status, code, kind, retryable) => {
    const error = awsError(name, fault, status);
    expect(sqsErrorCode(error)).toBe(code);
    expect(sqsErrorKind(error)).toBe(kind);
    expect(toTransportError(error, 'op', 'q')).toMatchObject({ code, retryable });
  });

  it('the legacy query code of a modeled error gives the same code as its modern name', () => {
    const legacy = awsError('QueueDoesNotExist', 'client', 400, { Code: 'AWS.SimpleQueueService.NonExistentQueue' });
    expect(sqsErrorCode(legacy)).toBe('QueueDoesNotExist');
  });
});
