/**
 * The continuation scenario (scenario.ts) on the Cloud Tasks push path: the emulator's
 * dispatcher sends each task over HTTP with an OIDC token to the push handler
 * (createNodePushHandler on node:http), which verifies it and runs the pipeline. Each hand-over
 * is a new task the handler creates (a hop of the deferred outcome); a thrown crash answers 503
 * and the queue retries; a "killed" link is a request that freezes mid-link (the job's timeout
 * answers it, once the link's lease ends the queue retries); lost hand-overs (a hop that the
 * handler's service drops) are restarted by the health check. CI runs 3,000 items.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createNodePushHandler } from '../../adapters/cloud-tasks/push.ts';
import type { JobService, OutgoingJob } from '../../src/service.ts';
import { startEmulatorRig, type EmulatorRig } from '../cloud-tasks/helpers/emulator.ts';
import { startHandlerServer, type HandlerServer } from '../cloud-tasks/helpers/server.ts';
import type { PatternTransport } from '../patterns/transports.ts';
import { runChainScenario, type ChainRunner } from './scenario.ts';

const ITEMS = Number(process.env.CHAIN_ITEMS ?? 3_000);
const SA = 'chains@jobferry-test.iam.gserviceaccount.com';
const RETRY = { maxAttempts: 20, minBackoff: { nanos: 100_000_000 }, maxBackoff: { seconds: 1 }, maxDoublings: 1 };

let rig: EmulatorRig;
let server: HandlerServer;
beforeAll(async () => {
  rig = await startEmulatorRig();
  server = await startHandlerServer();
});
afterAll(async () => {
  await server?.close();
  await rig?.close();
});

async function pushTransport(): Promise<PatternTransport> {
  const { queueId, deadLetterQueueId } = await rig.queues('push', RETRY);
  const connect = () => rig.service({ queueId, deadLetterQueueId, handlerUrl: server.url, serviceAccountEmail: SA });
  return { label: 'cloud-tasks push', service: connect(), connect, worker: {}, delayGrainMs: 1, close: async () => undefined };
}

function pushRunner(transport: PatternTransport): ChainRunner {
  return {
    async start(world) {
      // The handler's service creates the hops: the hand-overs.
      const base = transport.connect();
      const service = Object.create(base) as JobService;
      service.enqueue = (jobs: readonly OutgoingJob[]) => (world.loseHandOver() ? Promise.resolve(jobs.map((j) => ({ id: j.id, ok: true as const }))) : base.enqueue(jobs));
      const { emulator } = rig;
      server.use(
        createNodePushHandler({
          jobs: [world.job({})],
          service,
          authentication: { serviceAccountEmail: SA, audience: server.url, jwksUrl: emulator.jwksUrl, issuer: emulator.issuer },
          queueMaxAttempts: RETRY.maxAttempts,
        }),
      );
    },
    describe: () => `${rig.emulator.dispatched.length} dispatches (${rig.emulator.dispatched.filter((d) => d.status !== 200).length} not 200)`,
    async stop() {
      server.use((_req, res) => res.writeHead(503).end());
    },
  };
}

describe('continuation on the Cloud Tasks push path', () => {
  it(`processes ${ITEMS} items once each through a crashed link, a frozen request and lost hand-overs`, async () => {
    const transport = await pushTransport();
    await runChainScenario({
      transport,
      runner: pushRunner(transport),
      items: ITEMS,
      budgetMs: 3,
      timeoutMs: 500,
      leaseMarginMs: 100,
      stallAfterMs: 1_500,
      checkEveryMs: 100,
      faults: { throwAt: (link) => link === 2, stopAt: [], killAt: [5], lose: (n) => n === 3 },
      withinMs: Math.max(60_000, ITEMS * 5),
    });
  }, Math.max(90_000, ITEMS * 8));
});
