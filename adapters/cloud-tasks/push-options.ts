/**
 * Options of the Cloud Tasks push handler, checked once, at creation: a wrong option fails
 * with a ConfigError that names it.
 */
import { ConfigError } from '../../src/errors.ts';
import type { AnyJob } from '../../src/job.ts';
import type { Logger } from '../../src/logger.ts';
import type { Pipeline } from '../../src/pipeline.ts';
import type { JobService } from '../../src/service.ts';
import { GOOGLE_ISSUERS, GOOGLE_JWKS_URL, type VerifierSettings } from './push-auth.ts';

export interface PushAuthenticationOptions {
  /** The service account whose OIDC token the tasks carry (the task's `oidcToken.serviceAccountEmail`). */
  serviceAccountEmail: string | readonly string[];
  /**
   * Accepted `aud` values (the task's `oidcToken.audience`). Default: the URL the request was
   * sent to, as received and with `https:`, with and without its query. Set it in production.
   */
  audience?: string | readonly string[];
  /** Where the signing keys are. Default Google's: https://www.googleapis.com/oauth2/v3/certs. */
  jwksUrl?: string;
  /** Accepted `iss` values. Default `https://accounts.google.com` and `accounts.google.com`. */
  issuer?: string | readonly string[];
  /** Default ['RS256'], what Google signs with. */
  algorithms?: readonly string[];
  /** Clock skew allowed on `exp` and `iat`. Default 10. */
  clockToleranceSeconds?: number;
  /** Oldest `iat` accepted. Default 3600 (Google's tokens live one hour). */
  maxTokenAgeSeconds?: number;
  /** Fetched keys are used this long before they are fetched again. Default 600000. */
  jwksCacheMaxAgeMs?: number;
  /** Timeout of a key fetch. Default 5000. */
  jwksTimeoutMs?: number;
  /** Verified tokens remembered until they expire (Cloud Tasks reuses tokens). Default 1000; 0: off. */
  tokenCacheSize?: number;
}

/** A JobService that stores buried jobs and re-creates tasks, or a factory called at the first need. */
export type PushServiceSource = JobService | (() => JobService | Promise<JobService>);

export interface PushHandlerOptions {
  jobs: Iterable<AnyJob> | Record<string, AnyJob>;
  /**
   * The Cloud Tasks service (createCloudTasksService) that buries jobs in the dead-letter queue
   * and re-creates tasks (hops, `retryBy: 'job'`). A factory keeps the Google SDK unloaded
   * until a job must be buried or re-created.
   */
  service: PushServiceSource;
  /**
   * OIDC verification of every request, before its body is read. `false` turns it off: for a
   * developer machine only; it logs a warning at every start and is refused where a cloud
   * runtime is detected (K_SERVICE, FUNCTION_TARGET, AWS_LAMBDA_FUNCTION_NAME, ...).
   */
  authentication: PushAuthenticationOptions | false;
  /**
   * The queue's `retryConfig.maxAttempts` (-1: unlimited). Cloud Tasks drops a task after its
   * last attempt, so the handler buries a job that fails on it instead of answering 503.
   */
  queueMaxAttempts: number;
  /**
   * `queue` (default): a retryable failure answers 503 with Retry-After, and the queue's
   * RetryConfig schedules the next attempt. `job`: the handler creates a new task delayed by
   * the job's own backoff and answers 200 (for jobs whose backoff differs from the queue's).
   */
  retryBy?: 'queue' | 'job';
  /** Largest body accepted; larger ones get 413 before they are read. Default 1048576 (1 MiB, the task size limit). */
  maxBodyBytes?: number;
  /** Queue name for log lines. Default: the service's queue. */
  queue?: string;
  /** The time a job may run, for its deadline: the task's dispatch deadline. Default 600000 (Cloud Tasks' default). */
  dispatchDeadlineMs?: number;
  logger?: Logger;
  /** Environment variables, for the cloud-runtime check. Default: process.env (read by src/env.ts). */
  env?: Record<string, string | undefined>;
  /** Reuse a pipeline (shares its job map and logger). */
  pipeline?: Pipeline;
  now?: () => number;
}

export interface PushSettings {
  readonly verifier: VerifierSettings | undefined;
  readonly audiences: readonly string[] | undefined;
  readonly queueMaxAttempts: number;
  readonly retryBy: 'queue' | 'job';
  readonly maxBodyBytes: number;
  readonly dispatchDeadlineMs: number;
}

const list = (value: string | readonly string[] | undefined): string[] | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? [value] : [...value];

export function checkPushOptions(options: PushHandlerOptions): PushSettings {
  const problems: string[] = [];
  const where = (p: string) => problems.push(p);
  if (options === null || typeof options !== 'object') throw new ConfigError(['cloud-tasks push handler: options must be an object']);
  if (options.jobs === undefined && options.pipeline === undefined) where('jobs: required (the job definitions this handler runs)');
  if (options.service === undefined || (typeof options.service !== 'function' && typeof (options.service as JobService).enqueue !== 'function')) {
    where('service: required: a JobService (createCloudTasksService) or a function returning one');
  }
  const queueMaxAttempts = options.queueMaxAttempts;
  if (!Number.isSafeInteger(queueMaxAttempts) || (queueMaxAttempts < 1 && queueMaxAttempts !== -1)) {
    where(`queueMaxAttempts: must be the queue's retryConfig.maxAttempts, an integer >= 1 or -1 for unlimited, got ${String(queueMaxAttempts)}`);
  }
  const retryBy = options.retryBy ?? 'queue';
  if (retryBy !== 'queue' && retryBy !== 'job') where(`retryBy: must be 'queue' or 'job', got ${String(retryBy)}`);
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) where(`maxBodyBytes: must be an integer >= 1, got ${String(maxBodyBytes)}`);
  const dispatchDeadlineMs = options.dispatchDeadlineMs ?? 600_000;
  if (!(dispatchDeadlineMs > 0) || !Number.isFinite(dispatchDeadlineMs)) where(`dispatchDeadlineMs: must be a number of ms > 0, got ${String(dispatchDeadlineMs)}`);

  let verifier: VerifierSettings | undefined;
  let audiences: string[] | undefined;
  const auth = options.authentication;
  if (auth === undefined) {
    where('authentication: required: { serviceAccountEmail, audience } (or false on a developer machine only)');
  } else if (auth !== false) {
    const accounts = list(auth.serviceAccountEmail) ?? [];
    if (accounts.length === 0 || accounts.some((e) => typeof e !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(e))) {
      where('authentication.serviceAccountEmail: must be the service account email (or a list) the tasks carry');
    }
    audiences = list(auth.audience);
    if (audiences !== undefined && (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === ''))) where('authentication.audience: must be a non-empty string or list');
    const jwksUrl = auth.jwksUrl ?? GOOGLE_JWKS_URL;
    if (!isHttpUrl(jwksUrl)) where(`authentication.jwksUrl: must be an http(s) URL, got ${String(jwksUrl)}`);
    const issuers = list(auth.issuer) ?? [...GOOGLE_ISSUERS];
    if (issuers.length === 0 || issuers.some((i) => typeof i !== 'string' || i === '')) where('authentication.issuer: must be a non-empty string or list');
    const algorithms = [...(auth.algorithms ?? ['RS256'])];
    if (algorithms.length === 0 || algorithms.some((a) => typeof a !== 'string' || a === 'none' || /^HS/.test(a))) {
      where('authentication.algorithms: must list asymmetric JWS algorithms (RS256, ES256, ...); none and HS* are refused');
    }
    const seconds = (key: 'clockToleranceSeconds' | 'maxTokenAgeSeconds', fallback: number, max: number) => {
      const value = auth[key] ?? fallback;
      if (typeof value !== 'number' || !(value >= 0) || value > max) where(`authentication.${key}: must be a number from 0 to ${max}, got ${String(value)}`);
      return value;
    };
    const ms = (key: 'jwksCacheMaxAgeMs' | 'jwksTimeoutMs', fallback: number) => {
      const value = auth[key] ?? fallback;
      if (!Number.isSafeInteger(value) || value < 0) where(`authentication.${key}: must be an integer number of ms >= 0, got ${String(value)}`);
      return value;
    };
    const tokenCacheSize = auth.tokenCacheSize ?? 1000;
    if (!Number.isSafeInteger(tokenCacheSize) || tokenCacheSize < 0) where(`authentication.tokenCacheSize: must be an integer >= 0, got ${String(tokenCacheSize)}`);
    verifier = {
      jwksUrl,
      issuers,
      serviceAccounts: accounts,
      algorithms,
      clockToleranceSeconds: seconds('clockToleranceSeconds', 10, 300),
      maxTokenAgeSeconds: seconds('maxTokenAgeSeconds', 3600, 86_400),
      jwksCacheMaxAgeMs: ms('jwksCacheMaxAgeMs', 600_000),
      jwksTimeoutMs: ms('jwksTimeoutMs', 5_000),
      tokenCacheSize,
    };
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `cloud-tasks push handler: ${p}`), { adapter: 'cloud-tasks' });
  return { verifier, audiences, queueMaxAttempts, retryBy, maxBodyBytes, dispatchDeadlineMs };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The default audiences: the request URL as received and with https:, each with and without its query. */
export function requestAudiences(url: string): string[] {
  const out = new Set<string>([url]);
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    const variants = [parsed.href];
    if (parsed.protocol === 'http:') {
      parsed.protocol = 'https:';
      variants.push(parsed.href);
    }
    for (const v of variants) {
      out.add(v);
      const q = v.indexOf('?');
      if (q !== -1) out.add(v.slice(0, q));
    }
  } catch {
    // An unparsable URL only matches itself.
  }
  return [...out];
}
