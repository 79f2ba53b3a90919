/**
 * The Google SDK, loaded lazily and once per process: `@google-cloud/tasks` and `google-gax`
 * are optional peers, and a push handler that never buries a job never loads them.
 *
 * Every client gets an explicit auth client (the caller's, a PassThroughClient for emulators,
 * or a GoogleAuth built here for the cloud-platform scope), so the SDK never goes looking for
 * credentials on its own (which probes the cloud metadata server).
 */
import { lazyModule } from '../../src/lazy-client.ts';
import type { ClientOptions } from 'google-gax';
import type { v2, v2beta2 } from '@google-cloud/tasks';
import { ConfigError } from '../../src/errors.ts';
import type { CloudTasksSettings } from './options.ts';

export type V2Client = v2.CloudTasksClient;
export type V2beta2Client = v2beta2.CloudTasksClient;

type Sdk = typeof import('@google-cloud/tasks');
type Gax = typeof import('google-gax');

const missing = (name: string, error: unknown) =>
  new ConfigError([`cloud-tasks: could not load ${name} (an optional peer dependency: npm install ${name}): ${error instanceof Error ? error.message : String(error)}`], {
    adapter: 'cloud-tasks',
    cause: error,
  });

export const loadSdk = lazyModule<Sdk>(() => import('@google-cloud/tasks'), (error) => missing('@google-cloud/tasks', error));

export const loadGax = lazyModule<Gax>(() => import('google-gax'), (error) => missing('google-gax', error));

export interface ClientSource {
  readonly authClient?: unknown;
  readonly client?: object;
  readonly pullClient?: object;
}

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Client options for `new v2.CloudTasksClient(...)` / `new v2beta2.CloudTasksClient(...)`. */
export async function clientOptions(settings: CloudTasksSettings, source: ClientSource): Promise<ClientOptions> {
  const g = await loadGax();
  const options: ClientOptions & Record<string, unknown> = {};
  if (source.authClient !== undefined) options.authClient = source.authClient as ClientOptions['authClient'];
  else if (settings.credentials === 'none') options.authClient = new g.googleAuthLibrary.PassThroughClient();
  else options.auth = new g.googleAuthLibrary.GoogleAuth({ scopes: [SCOPE] });
  if (settings.endpoint !== undefined) {
    options.apiEndpoint = settings.endpoint.host;
    options.port = settings.endpoint.port;
  }
  if (settings.fallback) {
    options.fallback = 'rest';
    if (settings.insecure) options.protocol = 'http';
  } else if (settings.insecure) {
    options.sslCreds = g.grpc.credentials.createInsecure();
  }
  return options;
}

/** The v2 client (push queues), built once per service at the first call. */
export function lazyV2(settings: CloudTasksSettings, source: ClientSource): () => Promise<V2Client> {
  let client: Promise<V2Client> | undefined;
  return () => {
    client ??= (async () => {
      if (source.client !== undefined) return source.client as V2Client;
      const [{ v2: api }, options] = await Promise.all([loadSdk(), clientOptions(settings, source)]);
      return new api.CloudTasksClient(options);
    })().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
}

/** The v2beta2 client (pull queues and their dead-letter queue), built once per service. */
export function lazyV2beta2(settings: CloudTasksSettings, source: ClientSource): () => Promise<V2beta2Client> {
  let client: Promise<V2beta2Client> | undefined;
  return () => {
    client ??= (async () => {
      if (source.pullClient !== undefined) return source.pullClient as V2beta2Client;
      const [{ v2beta2: api }, options] = await Promise.all([loadSdk(), clientOptions(settings, source)]);
      return new api.CloudTasksClient(options);
    })().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
}
