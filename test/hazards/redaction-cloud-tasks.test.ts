/**
 * Redaction on Cloud Tasks pull (jobferry's emulator, the real @google-cloud/tasks client): jobs
 * with secrets in their payload are buried (permanent, exhausted, invalid) by a pull worker into
 * the paused dead-letter queue; the line of facts each dead-letter task starts with (reason,
 * detail, attempt, source) and every log line hold no secret, and the body after it arrives
 * unchanged, so a kick runs the job again.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../../src/worker.ts';
import { CALL, startEmulatorRig, type EmulatorRig } from '../cloud-tasks/helpers/emulator.ts';
import { runs, tally } from './figures.ts';
import { capturingLogger, crashTrap } from './helpers.ts';
import { redactionJobs, sent, type Mode } from './redaction-jobs.ts';
import { casesLeaking, leaked, payloadWithSecrets } from './secrets.ts';

let rig: EmulatorRig;
beforeAll(async () => {
  rig = await startEmulatorRig();
});
afterAll(() => rig.close());

const BURIED_MODES = ['permanent', 'exhaust', 'invalid'] as const satisfies readonly Mode[];

describe('cloud-tasks pull dead-letter redaction (emulator)', () => {
  it('property: a pull worker buries jobs with secrets; the dead-letter tasks\' line of facts and the logs hold none, the body is kept', async () => {
    const queues = await rig.queues('pull');
    const logger = capturingLogger();
    const count = tally('redaction', 'cloud-tasks-pull', { text: logger.text, crashes: crashTrap().crashes });
    const service = rig.service({ mode: 'pull', ...queues, pollIntervalMs: 50 });
    const samples = fc.sample(payloadWithSecrets(BURIED_MODES), { numRuns: runs(12), seed: 11 });
    const secrets = samples.flatMap((s) => s.secrets);
    Object.assign(count, { cases: samples.length, secrets: secrets.length }); // counted before any assertion
    const bodies = samples.map(({ payload, mode }) => JSON.stringify({ v: 1, id: crypto.randomUUID(), name: 'pay', createdAt: '2030-01-01T00:00:00.000Z', payload: sent(payload, mode) }));
    const sentAll = await service.enqueue(bodies.map((body, i) => ({ id: `redact-${i}`, name: 'pay', body, delayMs: 0 })));
    expect(sentAll.every((r) => r.ok)).toBe(true);

    const worker = createWorker({ service, jobs: redactionJobs(), concurrency: 4, waitMs: 500, handleSignals: false, logger });
    await worker.start();
    await logger.waitFor(() => logger.count('job.buried') + logger.count('job.invalid') === samples.length);
    await worker.stop();
    const [tasks] = await rig.adminBeta.listTasks({ parent: service.deadLetterQueuePath!, responseView: 'FULL' }, CALL as never);
    const dead = tasks.map((task) => {
      const [facts, ...body] = Buffer.from(task.pullMessage!.payload as Uint8Array).toString('utf8').split('\n');
      return { facts: facts!, body: body.join('\n') };
    });

    const found = { deadLetter: leaked(dead.map((d) => d.facts).join('\n'), secrets), logs: leaked(logger.text(), secrets) };
    count.failures = casesLeaking(samples, [...found.deadLetter, ...found.logs]);
    expect(dead.map((d) => d.body).sort()).toEqual([...bodies].sort());
    expect(dead.every((d) => d.facts.startsWith('jobferry-buried {"reason":'))).toBe(true);
    expect(found).toEqual({ deadLetter: [], logs: [] });
  });
});
