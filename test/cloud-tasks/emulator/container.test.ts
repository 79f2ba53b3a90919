/**
 * The portable conformance checks against a container Cloud Tasks emulator (the community
 * image ghcr.io/aertje/cloud-tasks-emulator), through testcontainers. Without a Docker engine
 * the suite is skipped, and says why.
 */
import { v2 } from '@google-cloud/tasks';
import { grpc, googleAuthLibrary } from 'google-gax';
import { GenericContainer, getContainerRuntimeClient, TestContainers, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checks, type CheckContext } from './conformance-checks.ts';
import { startTarget, type Target } from './helpers.ts';

const IMAGE = process.env.CLOUD_TASKS_EMULATOR_IMAGE ?? 'ghcr.io/aertje/cloud-tasks-emulator:latest';

/** Why the suite cannot run here, or undefined when a container runtime answers. */
async function dockerUnavailable(): Promise<string | undefined> {
  try {
    const client = await getContainerRuntimeClient();
    await client.info;
    return undefined;
  } catch (error) {
    return `no Docker engine reachable (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
}

const unavailable = await dockerUnavailable();
if (unavailable) console.warn(`[container.test] skipping the container Cloud Tasks emulator suite: ${unavailable}`);

describe.runIf(unavailable === undefined)(`portable conformance checks on ${IMAGE}`, () => {
  let container: StartedTestContainer;
  let target: Target;
  let client: v2.CloudTasksClient;
  let ctx: CheckContext;

  beforeAll(async () => {
    target = await startTarget();
    const targetPort = Number(new URL(target.url).port);
    // The container reaches the 127.0.0.1 target through testcontainers' host port tunnel.
    await TestContainers.exposeHostPorts(targetPort);
    container = await new GenericContainer(IMAGE)
      .withCommand(['-host', '0.0.0.0', '-port', '8123'])
      .withExposedPorts(8123)
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    client = new v2.CloudTasksClient({
      apiEndpoint: container.getHost(),
      port: container.getMappedPort(8123),
      sslCreds: grpc.credentials.createInsecure(),
      authClient: new googleAuthLibrary.PassThroughClient(),
    });
    ctx = { client, parent: 'projects/container/locations/here', target, targetUrl: `http://host.testcontainers.internal:${targetPort}/work` };
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await container?.stop();
    await target?.close();
  });

  for (const check of checks) it(check.name, () => check.run(ctx), 30_000);
});

describe.runIf(unavailable !== undefined)('container Cloud Tasks emulator', () => {
  it(`is skipped: ${unavailable ?? ''}`, (context) => {
    context.skip(unavailable);
  });
});
