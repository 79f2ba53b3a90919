/**
 * The push handler's one flow, for every runtime adapter (Web Request, node:http, Cloud Run
 * functions):
 *
 *   authenticate (headers only) -> method -> Cloud Tasks headers -> size (413 before reading)
 *   -> read the body -> pipeline -> outcome -> answer (push-outcome.ts)
 *
 * Nothing before authentication touches the body, so an unauthenticated caller costs a header
 * check and never a read, a parse or a handler call.
 */
import { ConfigError, describeError } from '../../src/errors.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import { createPipeline, type Pipeline } from '../../src/pipeline.ts';
import { ATTEMPTS_BEFORE_HEADER } from './headers.ts';
import { createVerifier, type Verifier } from './push-auth.ts';
import { checkPushOptions, requestAudiences, type PushHandlerOptions } from './push-options.ts';
import { answerOutcome, createServiceGetter, json, type PushAnswer } from './push-outcome.ts';

export type { PushAnswer } from './push-outcome.ts';

/** What the core needs of a request, whatever the runtime. */
export interface PushRequest {
  readonly method: string;
  /** The absolute URL the request was sent to (the default audience). */
  readonly url: string;
  /**
   * A header by lower-case name. The core asks only for authorization, content-length, host,
   * x-cloudtasks-taskretrycount, x-cloudtasks-taskname and x-jobferry-attempts-before.
   */
  header(name: string): string | undefined;
  /** Reads the whole body, or resolves undefined as soon as it passes `maxBytes` (reading stops). */
  readBody(maxBytes: number): Promise<Uint8Array | undefined>;
}

export interface PushCore {
  handle(request: PushRequest): Promise<PushAnswer>;
  /** Settles once start-up checks are done; rejects when the handler refuses to run. */
  readonly ready: Promise<void>;
  readonly pipeline: Pipeline;
}

const RETRY_COUNT = 'x-cloudtasks-taskretrycount';
const TASK_NAME = 'x-cloudtasks-taskname';
const ATTEMPTS_BEFORE = ATTEMPTS_BEFORE_HEADER.toLowerCase();
const COUNT = /^\d{1,9}$/;
const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;

export function createPushCore(options: PushHandlerOptions): PushCore {
  const settings = checkPushOptions(options);
  const logger: Logger = options.logger ?? options.pipeline?.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const getService = createServiceGetter(options.service);
  const presetQueue = typeof options.service === 'object' ? options.service.queue : undefined;
  const queue = options.queue ?? presetQueue ?? 'cloud-tasks';
  const pipeline =
    options.pipeline ?? createPipeline({ jobs: options.jobs, adapter: 'cloud-tasks', queue, maxBodyBytes: settings.maxBodyBytes, logger, now });
  const verifier: Verifier | undefined = settings.verifier ? createVerifier(settings.verifier, now) : undefined;
  const ready = verifier ? Promise.resolve() : refuseInCloud(options.env, logger, queue);
  let started = verifier !== undefined;
  ready.then(
    () => (started = true),
    () => {},
  );
  const context = { settings, logger, queue, getService, now };

  const reject = (status: number, reason: string, extra: Record<string, unknown> = {}): PushAnswer => {
    if (logger.isEnabled('warn')) logger.log('warn', { event: 'push.rejected', adapter: 'cloud-tasks', queue, status, reason, ...extra });
    const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {};
    // The body of a refused request stays unread: close the connection rather than drain it.
    return { ...json(status, { error: reason }, headers), close: true };
  };

  const handle = async (request: PushRequest): Promise<PushAnswer> => {
    if (!started) {
      try {
        await ready;
      } catch (error) {
        return { ...json(500, { error: describeError(error).message }), close: true };
      }
    }
    if (verifier !== undefined) {
      const authorization = request.header('authorization');
      const audiences = settings.audiences ?? requestAudiences(request.url);
      // Cloud Tasks reuses a token for many tasks: a remembered one costs no promise.
      const verdict = verifier.remembered(authorization, audiences) ?? (await verifier.verify(authorization, audiences));
      if (!verdict.ok) {
        if (verdict.status === 503) {
          logger.log('error', { event: 'push.error', adapter: 'cloud-tasks', queue, detail: verdict.reason });
          return { ...json(503, { error: 'token verification is unavailable' }, { 'retry-after': '10' }), close: true };
        }
        return reject(verdict.status, verdict.reason);
      }
    }
    if (request.method !== 'POST') return { ...json(405, { error: 'only POST is accepted' }, { allow: 'POST' }), close: true };
    const retryCount = request.header(RETRY_COUNT);
    if (retryCount === undefined || !COUNT.test(retryCount)) return reject(400, 'missing or invalid X-CloudTasks-TaskRetryCount header');
    const before = request.header(ATTEMPTS_BEFORE) ?? '0';
    if (!COUNT.test(before)) return reject(400, `invalid ${ATTEMPTS_BEFORE_HEADER} header`);
    const taskName = request.header(TASK_NAME);
    if (taskName !== undefined && !TASK_ID.test(taskName)) return reject(400, 'invalid X-CloudTasks-TaskName header');
    const declared = request.header('content-length');
    if (declared !== undefined && !(Number(declared) <= settings.maxBodyBytes)) return tooLarge(taskName);
    let body: Uint8Array | undefined;
    try {
      body = await request.readBody(settings.maxBodyBytes);
    } catch (error) {
      return { ...json(400, { error: `the body could not be read: ${describeError(error).message}` }), close: true };
    }
    if (body === undefined) return tooLarge(taskName);
    const attemptsBefore = Number(before);
    const attempt = Number(retryCount) + 1 + attemptsBefore;
    const capped = settings.retryBy === 'queue' && settings.queueMaxAttempts !== -1;
    const outcome = await pipeline.run({
      body,
      attempt,
      transportId: taskName,
      deadline: now() + settings.dispatchDeadlineMs,
      // Cloud Tasks counts attempts per task: this task's last one is the queue's maxAttempts-th.
      maxAttempts: capped ? attemptsBefore + settings.queueMaxAttempts : undefined,
    });
    return answerOutcome(context, outcome, { body, attempt, taskName });
  };

  // A body over the limit is never read: Cloud Tasks retries the 413 until the queue drops it.
  const tooLarge = (taskName: string | undefined): PushAnswer => {
    logger.log('error', { event: 'push.too-large', adapter: 'cloud-tasks', queue, transportId: taskName, detail: `body is larger than ${settings.maxBodyBytes} bytes` });
    return { ...json(413, { error: `body is larger than ${settings.maxBodyBytes} bytes` }), close: true };
  };

  return { handle, ready, pipeline };
}

// Verification off: allowed on a developer machine only. The check reads the environment
// through src/env.ts, loaded only in this mode (it brings the configuration schema).
async function refuseInCloud(env: Record<string, string | undefined> | undefined, logger: Logger, queue: string): Promise<void> {
  const { detectCloudRuntime } = await import('../../src/env.ts');
  const found = env === undefined ? detectCloudRuntime() : detectCloudRuntime(env);
  if (found !== undefined) {
    const error = new ConfigError([`cloud-tasks push handler: authentication: false is refused here: ${found} is set, so this looks like a cloud runtime; configure { serviceAccountEmail, audience }`], { adapter: 'cloud-tasks' });
    logger.log('error', { event: 'push.refused', adapter: 'cloud-tasks', queue, error: describeError(error) });
    throw error;
  }
  logger.log('warn', { event: 'push.unverified', adapter: 'cloud-tasks', queue, detail: 'OIDC verification is off: any caller can run jobs (development only)' });
}
