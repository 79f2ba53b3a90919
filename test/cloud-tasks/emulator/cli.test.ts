/** The command-line emulator, started as a child process and used from this process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { v2, v2beta2 } from '@google-cloud/tasks';
import { grpc, googleAuthLibrary } from 'google-gax';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEmulatorCli } from '../../../adapters/cloud-tasks/testing.ts';
import { call, failure, startTarget, type Target } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../../../adapters/cloud-tasks/emulator/main.ts', import.meta.url));
const QUEUE = 'projects/cli-project/locations/europe-west1/queues/cli-push';
const PULL = 'projects/cli-project/locations/europe-west1/queues/cli-pull';

interface Ready {
  grpc: string;
  rest: string;
  jwksUrl: string;
  issuer: string;
}

let child: ChildProcess;
let ready: Ready;
let output = '';
let target: Target;

beforeAll(async () => {
  target = await startTarget();
  child = spawn(process.execPath, [MAIN, '--port', '0', '--issuer', 'https://issuer.example', '--queue', QUEUE, '--pull-queue', PULL], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${output}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes('"emulator.ready"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Ready);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}:\n${output}`)));
  });
});

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await target.close();
});

function options(endpoint: string) {
  const [host, port] = endpoint.split(':');
  return { apiEndpoint: host!, port: Number(port), sslCreds: grpc.credentials.createInsecure(), authClient: new googleAuthLibrary.PassThroughClient() };
}

describe('cloud-tasks emulator command line', () => {
  it('prints its endpoints and serves the queues it was told to create', async () => {
    expect(ready.grpc).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(ready.rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.jwksUrl).toBe(`${ready.rest}/.well-known/jwks.json`);
    expect(ready.issuer).toBe('https://issuer.example');
    expect(output).toContain(`gRPC:   ${ready.grpc}`);
    const client = new v2.CloudTasksClient(options(ready.grpc));
    const beta = new v2beta2.CloudTasksClient(options(ready.grpc));
    try {
      const [queue] = await client.getQueue({ name: QUEUE }, call);
      expect(queue.state).toBe('RUNNING');
      expect((await beta.getQueue({ name: PULL }, call))[0].pullTarget).toEqual({});
      await client.createTask({ parent: QUEUE, task: { httpRequest: { url: target.url, body: Buffer.from('from another process') } } }, call);
      await target.waitFor(1);
      expect(target.received[0]!.body).toBe('from another process');
      expect(target.received[0]!.headers['x-cloudtasks-queuename']).toBe('cli-push');
      const jwks = (await (await fetch(ready.jwksUrl)).json()) as { keys: Array<{ kty: string; alg: string }> };
      expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
      expect((await failure(client.getQueue({ name: `${QUEUE}-none` }, call))).code).toBe(5);
    } finally {
      await Promise.all([client.close(), beta.close()]);
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"emulator.stopped"');
  });
});

describe('runEmulatorCli', () => {
  it('refuses a bad port with a clear message and exit code 2', async () => {
    const errors: string[] = [];
    const code = await runEmulatorCli(['--port', 'eighty'], { out: () => {}, err: (l) => errors.push(l) });
    expect(code).toBe(2);
    expect(errors[0]).toBe('[cloud-tasks-emulator] invalid --port: "eighty" is not a port number (0-65535)');
  });

  it('refuses an unknown option', async () => {
    const errors: string[] = [];
    expect(await runEmulatorCli(['--prot', '1'], { out: () => {}, err: (l) => errors.push(l) })).toBe(2);
    expect(errors[0]).toMatch(/--prot/);
  });

  it('runs in-process until its signal aborts', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const done = runEmulatorCli(['--port', '0'], { out: (l) => lines.push(l), onReady: () => stop.abort(), signal: stop.signal });
    expect(await done).toBe(0);
    expect(lines.some((l) => l.includes('"emulator.ready"'))).toBe(true);
    expect(lines.at(-1)).toBe('{"event":"emulator.stopped"}');
  });
});
