/**
 * The jobferry CLI as a user runs it: a child process, its stdout, stderr and exit code, against
 * the reference app started in this test process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../functions/helpers.ts';
import { startReferenceApp, validCharge } from './helpers.ts';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}


describe('jobferry CLI', () => {
  // Seven CLI processes, started together: under a loaded CI machine each start can take seconds.
  it('prints help for the CLI and for every command, exit 0', { timeout: 60_000 }, async () => {
    const commands = ['dev', 'enqueue', 'stats', 'buried', 'kick', 'forget'];
    const [main, ...each] = await Promise.all([cli(['--help']), ...commands.map((command) => cli([command, '--help']))]);
    expect(main!.code).toBe(0);
    commands.forEach((command, i) => {
      expect(main!.stdout).toContain(command);
      expect([each[i]!.code, each[i]!.stdout.startsWith(`Usage: jobferry ${command}`)]).toEqual([0, true]);
    });
  });

  it('refuses an unknown command or flag with exit 2 and a message naming it', { timeout: 60_000 }, async () => {
    const unknown = await cli(['frobnicate']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown command "frobnicate"')]);
    const flag = await cli(['stats', '--frob']);
    expect([flag.code, flag.stderr]).toEqual([2, expect.stringContaining("'--frob'")]);
    const missing = await cli(['enqueue', 'send-welcome-email']);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('missing argument')]);
  });

  it('refuses an unknown job and an invalid payload with exit 3, before sending anything', { timeout: 60_000 }, async () => {
    // No server runs on this port: exit 3 (not 1) shows the input was refused before any send.
    const server = ['--server', `http://127.0.0.1:${await freePort()}`];
    const unknown = await cli(['enqueue', 'no-such-job', '{}', ...server]);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining('unknown job "no-such-job"')]);
    const invalid = await cli(['enqueue', 'charge-payment', '{"orderId":"x"}', ...server]);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/invalid payload for charge-payment, nothing was sent: orderId: /);
    const notJson = await cli(['enqueue', 'charge-payment', '{oops', ...server]);
    expect([notJson.code, notJson.stderr]).toEqual([3, expect.stringContaining('payload is not JSON')]);
  });

  it('reports an unreachable app with exit 1', async () => {
    const port = await freePort();
    const ran = await cli(['stats', '--server', `http://127.0.0.1:${port}`]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`cannot reach the jobferry app at http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('reports a bad configuration with exit 2, naming the variable', async () => {
    const ran = await cli(['stats'], { JOBFERRY_ADAPTER: 'carrier-pigeon' });
    expect([ran.code, ran.stderr]).toEqual([2, expect.stringContaining('JOBFERRY_ADAPTER: must be one of memory, sqs, cloud-tasks')]);
  });

  // Six CLI processes in a row: about 5 s on an idle machine, several times that beside the rest of the suite.
  it('enqueues one job, then a file of many in batches with a progress bar, and reads stats, buried and kick', { timeout: 60_000 }, async () => {
    const { app, logger } = await startReferenceApp();
    const server = ['--server', app.url];
    const one = await cli(['enqueue', 'charge-payment', JSON.stringify(validCharge), ...server]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ job: 'charge-payment', sent: 1, failed: [] });

    const dir = await mkdtemp(join(tmpdir(), 'jobferry-cli-'));
    const file = join(dir, 'users.ndjson');
    await writeFile(file, Array.from({ length: 1_200 }, (_, i) => JSON.stringify({ to: `u${i}@example.com`, name: `U${i}` })).join('\n'));
    const many = await cli(['enqueue', 'send-welcome-email', `@${file}`, ...server]);
    expect(many.code).toBe(0);
    expect(JSON.parse(many.stdout)).toMatchObject({ sent: 1_200, failed: [] });
    expect(many.stderr).toContain('1200/1200 100%');
    await logger.waitFor(() => logger.records.filter((r) => r.event === 'job.completed').length === 1_201);

    await cli(['enqueue', 'charge-payment', JSON.stringify({ ...validCharge, amountCents: 60_000_000 }), ...server]);
    await logger.waitFor((r) => r.event === 'job.buried');
    const stats = await cli(['stats', ...server]);
    expect(JSON.parse(stats.stdout)).toMatchObject({ adapter: 'memory', buried: 1, ready: 0 });
    const buried = await cli(['buried', ...server]);
    expect(JSON.parse(buried.stdout)).toEqual([expect.objectContaining({ job: 'charge-payment', reason: 'permanent-error' })]);
    const kicked = await cli(['kick', ...server]);
    expect(JSON.parse(kicked.stdout)).toEqual({ moved: 1 });
  });
});
