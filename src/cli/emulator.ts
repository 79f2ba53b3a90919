/**
 * `jobferry emulator sqs | cloud-tasks`: starts a local emulator for other processes, on
 * 127.0.0.1, until SIGINT / SIGTERM. The emulators live with their adapters and are loaded
 * only by this command.
 */
import { CliError, EXIT, intOption, parse } from './args.ts';

const untilSignal = () =>
  new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

async function sqs(args: readonly string[], help: () => number): Promise<number> {
  const { values } = parse('emulator', args, { port: { type: 'string' }, queue: { type: 'string', multiple: true }, region: { type: 'string' } }, { min: 0, max: 0 });
  if (values.help) return help();
  const { startSqsEmulator } = await import('../../adapters/sqs/testing.ts');
  const emulator = await startSqsEmulator({ port: intOption(values, 'port', 9324, 0, 65_535), ...(typeof values.region === 'string' ? { region: values.region } : {}) });
  const queues: Record<string, { queueUrl: string; deadLetterQueueUrl?: string }> = {};
  for (const name of (values.queue as unknown as string[] | undefined) ?? []) {
    const queue = await emulator.createQueue(name, { deadLetter: true });
    queues[name] = { queueUrl: queue.queueUrl, ...(queue.deadLetterQueueUrl ? { deadLetterQueueUrl: queue.deadLetterQueueUrl } : {}) };
  }
  process.stdout.write(`SQS emulator (fauxqs) listening on ${emulator.endpoint}, region ${emulator.region}\n`);
  for (const [name, q] of Object.entries(queues)) process.stdout.write(`  queue ${name}: ${q.queueUrl}${q.deadLetterQueueUrl ? ` (dead letters: ${q.deadLetterQueueUrl})` : ''}\n`);
  process.stdout.write(`${JSON.stringify({ event: 'emulator.ready', endpoint: emulator.endpoint, region: emulator.region, queues })}\n`);
  await untilSignal();
  await emulator.stop();
  return EXIT.ok;
}

async function cloudTasks(args: readonly string[]): Promise<number> {
  const { runEmulatorCli } = await import('../../adapters/cloud-tasks/testing.ts');
  return runEmulatorCli(args);
}

export async function emulatorCommand(args: readonly string[], help: () => number): Promise<number> {
  const [kind, ...rest] = args;
  if (kind === undefined || kind === '--help' || kind === '-h') return help();
  if (kind === 'sqs') return sqs(rest, help);
  if (kind === 'cloud-tasks') return cloudTasks(rest);
  throw new CliError(`emulator: unknown emulator ${JSON.stringify(kind)} (sqs or cloud-tasks)`, EXIT.usage);
}
