/**
 * The emulator's command line: `npx node adapters/cloud-tasks/emulator/main.ts --port 8123`.
 * `runEmulatorCli` is what `jobferry emulator cloud-tasks` calls too.
 */
import { parseArgs } from 'node:util';
import { startCloudTasksEmulator, type CloudTasksEmulator } from './emulator.ts';

export interface EmulatorCliOptions {
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  /** Stops the emulator when aborted (besides SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  /** Called once the emulator listens. */
  readonly onReady?: (emulator: CloudTasksEmulator) => void;
}

const USAGE = `Usage: cloud-tasks-emulator [options]

  --port <n>            gRPC port on 127.0.0.1 (default 8123; 0 picks a free one)
  --rest-port <n>       HTTP port of the REST API and JWKS (default: gRPC port + 1; 0 picks one)
  --issuer <url>        iss of the OIDC tokens (default https://accounts.google.com)
  --queue <name>        create this push queue at start (repeatable)
  --pull-queue <name>   create this pull queue (v2beta2) at start (repeatable)
  --no-dispatch         do not dispatch push tasks by schedule (RunTask still does)
  --help                print this help
`;

function portOf(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`[cloud-tasks-emulator] invalid ${flag}: "${value}" is not a port number (0-65535)`);
  }
  return port;
}

/** Runs the emulator until SIGINT, SIGTERM or `options.signal`; resolves with an exit code. */
export async function runEmulatorCli(argv: readonly string[], options: EmulatorCliOptions = {}): Promise<number> {
  const out = options.out ?? ((line) => process.stdout.write(`${line}\n`));
  const err = options.err ?? ((line) => process.stderr.write(`${line}\n`));
  let emulator: CloudTasksEmulator;
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        port: { type: 'string' },
        'rest-port': { type: 'string' },
        issuer: { type: 'string' },
        queue: { type: 'string', multiple: true },
        'pull-queue': { type: 'string', multiple: true },
        'no-dispatch': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) {
      out(USAGE);
      return 0;
    }
    const port = portOf(values.port, '--port', 8123);
    const restPort = portOf(values['rest-port'], '--rest-port', port === 0 ? 0 : port + 1);
    emulator = await startCloudTasksEmulator({
      port,
      restPort,
      ...(values.issuer ? { issuer: values.issuer } : {}),
      dispatch: !values['no-dispatch'],
    });
    await createQueues(emulator, values.queue ?? [], values['pull-queue'] ?? []);
  } catch (error) {
    err(error instanceof Error ? error.message : String(error));
    err(USAGE);
    return 2;
  }

  out(`Cloud Tasks emulator listening`);
  out(`  gRPC:   ${emulator.grpcEndpoint}`);
  out(`  REST:   ${emulator.restUrl}`);
  out(`  JWKS:   ${emulator.jwksUrl}`);
  out(`  issuer: ${emulator.issuer}`);
  out(JSON.stringify({ event: 'emulator.ready', grpc: emulator.grpcEndpoint, rest: emulator.restUrl, jwksUrl: emulator.jwksUrl, issuer: emulator.issuer }));
  options.onReady?.(emulator);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    options.signal?.addEventListener('abort', stop);
    if (options.signal?.aborted) stop();
  });
  await emulator.close();
  out(JSON.stringify({ event: 'emulator.stopped' }));
  return 0;
}

async function createQueues(emulator: CloudTasksEmulator, push: readonly string[], pull: readonly string[]): Promise<void> {
  const { v2, v2beta2 } = await import('@google-cloud/tasks');
  const parentOf = (name: string) => name.split('/queues/')[0] ?? '';
  const callOptions = { retry: null, timeout: 5000 } as never;
  if (push.length > 0) {
    const client = new v2.CloudTasksClient(emulator.clientOptions());
    try {
      for (const name of push) await client.createQueue({ parent: parentOf(name), queue: { name } }, callOptions);
    } finally {
      await client.close();
    }
  }
  if (pull.length > 0) {
    const client = new v2beta2.CloudTasksClient(emulator.clientOptions());
    try {
      for (const name of pull) await client.createQueue({ parent: parentOf(name), queue: { name, pullTarget: {} } }, callOptions);
    } finally {
      await client.close();
    }
  }
}
