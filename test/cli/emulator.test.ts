/**
 * `jobferry emulator sqs | cloud-tasks` as other processes use them: started as a child
 * process, reached with the real SDK clients through the endpoints it prints, stopped by SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it, onTestFinished } from 'vitest';

function start(args: string[]): { child: ChildProcess; ready: Promise<Record<string, unknown>>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'emulator', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => void child.kill('SIGKILL'));
  let out = '';
  let err = '';
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('"emulator.ready"'));
      if (line !== undefined) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`emulator exited (${String(code)}) before it was ready: ${err}`)));
  });
  ready.catch(() => undefined); // awaited by the tests that need it; the exit is checked on its own
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

describe('jobferry emulator', () => {
  it('sqs: serves the real SQS client on the printed endpoint, with the queues asked for', async () => {
    const { child, ready, exited } = await start(['sqs', '--port', '0', '--queue', 'jobs']);
    const info = (await ready) as { endpoint: string; region: string; queues: Record<string, { queueUrl: string; deadLetterQueueUrl: string }> };
    const client = new SQSClient({ endpoint: info.endpoint, region: info.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const { queueUrl } = info.queues.jobs!;
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));
    const got = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['hello']);
    const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
    expect(attrs.Attributes?.RedrivePolicy).toContain('jobs-dlq');
    client.destroy();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('cloud-tasks: prints its gRPC endpoint and JWKS URL, and stops on SIGINT', async () => {
    const { child, ready, exited } = await start(['cloud-tasks', '--port', '0', '--queue', 'projects/demo/locations/us-central1/queues/jobs']);
    const info = (await ready) as { grpc: string; jwksUrl: string };
    expect(info.grpc).toMatch(/^127\.0\.0\.1:\d+$/);
    const jwks = (await (await fetch(info.jwksUrl)).json()) as { keys: Array<{ kty: string }> };
    expect(jwks.keys[0]!.kty).toBe('RSA');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses an unknown emulator with exit 2', async () => {
    const { ready, exited } = start(['carrier-pigeon']);
    expect(await exited).toBe(2);
    await expect(ready).rejects.toThrow('unknown emulator "carrier-pigeon"');
  });
});
