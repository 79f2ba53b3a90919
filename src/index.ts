/**
 * jobferry: background jobs for serverless workers.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createQueue, createWorker, defineJob } from 'jobferry';
 * import { createMemoryService } from 'jobferry/memory';
 *
 * const resize = defineJob({
 *   name: 'resize-image',
 *   schema: z.object({ key: z.string() }),
 *   async handler({ key }, ctx) { await resizeImage(key, { signal: ctx.signal }); },
 * });
 * const service = createMemoryService();
 * await createQueue({ service }).enqueue(resize, { key: 'cat.png' });
 * await createWorker({ service, jobs: [resize] }).start();
 * ```
 */
export { defineJob, jobRegistry } from './job.ts';
export type { AnyJob, JobContext, JobDefinition, JobHandler, JobInput, JobOptions, JobPolicy } from './job.ts';
export { backoffDelayMs, DEFAULT_BACKOFF } from './backoff.ts';
export type { Backoff } from './backoff.ts';
export { checkEnvelope, createEnvelope, decodeEnvelope, encodeEnvelope, ENVELOPE_VERSION } from './envelope.ts';
export type { DecodeFailureReason, DecodeResult, Envelope } from './envelope.ts';
export { MAX_JSON_DEPTH } from './json-guard.ts';
export {
  ConfigError,
  describeError,
  JobferryError,
  PermanentError,
  RetryLaterError,
  TimeoutError,
  TransportError,
  UnsupportedError,
  ValidationError,
} from './errors.ts';
export { classifyError } from './classify.ts';
export type { BuryReason, ErrorInfo, Outcome, OutcomeType } from './outcome.ts';
export { createPipeline } from './pipeline.ts';
export type { Delivery, Pipeline, PipelineOptions } from './pipeline.ts';
export { applyOutcome } from './apply-outcome.ts';
export { createQueue } from './queue.ts';
export type { EnqueueItem, EnqueueManyOptions, EnqueueOptions, Queue, QueueOptions } from './queue.ts';
export { createWorker } from './worker.ts';
export type { StopReport, Worker, WorkerOptions } from './worker.ts';
export { createJsonLogger, createMemoryLogger, guardLogger, silentLogger, withFields } from './logger.ts';
export type { JsonLoggerOptions, Logger, LogLevel, LogLevelSetting, LogRecord } from './logger.ts';
export { fromPino, fromPowertools } from './logger-adapters.ts';
export type { PinoLike, PowertoolsLoggerLike } from './logger-adapters.ts';
export { isSecretKey, REDACTED, sanitize } from './redact.ts';
export { configSchema, parseConfig } from './config.ts';
export type { AdapterName, CloudTasksConfig, JobferryConfig, JobferryConfigInput, MemoryConfig, SqsConfig } from './config.ts';
export { CLOUD_RUNTIME_VARIABLES, detectCloudRuntime, envName, loadConfig } from './env.ts';
export { createService, isJobService } from './registry.ts';
export { formatIssues, isStandardSchema, validate } from './schema.ts';
export type { StandardSchemaV1 } from './schema.ts';
export type {
  BuriedJob,
  BuryInfo,
  EnqueueResult,
  JobService,
  JobServiceFactory,
  OutgoingJob,
  PullService,
  QueueStats,
  ReservedJob,
  ReserveOptions,
  ServiceFeatures,
  ServiceLimits,
} from './service.ts';
export {
  canonicalJson,
  claimProblem,
  createMemoryIdempotencyStore,
  DEFAULT_CLAIM_MARGIN_MS,
  DEFAULT_RETENTION_SECONDS,
  fingerprintOf,
  forgetInDoubt,
  IdempotencyError,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_RESULT_BYTES,
  MIN_IN_PROGRESS_DELAY_MS,
  sha256Hex,
} from './idempotency/index.ts';
export type {
  ClaimOptions,
  ClaimResult,
  ClaimStatus,
  CompleteOptions,
  ForgetReport,
  IdempotencyKeyContext,
  IdempotencyOptions,
  IdempotencySettings,
  IdempotencyStore,
  MemoryIdempotencyStore,
  MemoryIdempotencyStoreOptions,
} from './idempotency/index.ts';
// Batches, continuations and exclusive jobs: each folder's index is its public surface.
export * from './batch/index.ts';
export * from './continuation/index.ts';
export * from './exclusive/index.ts';
