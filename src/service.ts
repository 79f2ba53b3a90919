/**
 * The JobService contract: what every transport (memory, sqs, cloud-tasks, ...) implements.
 * An adapter is a factory that returns this object. Pull abilities and admin abilities are
 * optional members; the core throws an UnsupportedError naming the adapter and the ability
 * where one is missing. Flags in `features` and `limits` are facts, not operations.
 *
 * All job semantics (decoding, validation, attempts, backoff, burying poison) live in the
 * pipeline (src/pipeline.ts); a JobService only moves bodies.
 */

/** A job on its way into a transport: the encoded envelope plus transport hints. */
export interface OutgoingJob {
  /** Envelope id. */
  readonly id: string;
  /** Job name (for transports that label messages). */
  readonly name: string;
  /** The encoded envelope. */
  readonly body: string;
  /** Delay before the job is ready, 0..limits.maxDelayMs (the producer hops longer delays). */
  readonly delayMs: number;
  readonly dedupeKey?: string | undefined;
  readonly groupKey?: string | undefined;
  /** Lower runs first. Only where features.priority. */
  readonly priority?: number | undefined;
}

export type EnqueueResult =
  | { readonly id: string; readonly ok: true; readonly transportId?: string; readonly deduplicated?: boolean }
  | { readonly id: string; readonly ok: false; readonly error: Error };

/** A job handed out by reserve(), under a lease. */
export interface ReservedJob {
  readonly body: string | Uint8Array;
  /** Opaque handle for touch / release / complete / bury (SQS receipt handle, lease token, ...). */
  readonly receipt: string;
  /** 1-based number of this delivery, as counted by the transport. */
  readonly attempt: number;
  /** The transport's id for the message (SQS MessageId, task name, ...). */
  readonly transportId: string;
  /** Epoch ms when the lease ends unless touched. */
  readonly leaseExpiresAt?: number;
  /** Epoch ms of the first delivery (SQS caps visibility 12 h from it). */
  readonly firstReceivedAt?: number;
  /** Epoch ms when the transport accepted the job. */
  readonly enqueuedAt?: number;
  readonly groupKey?: string;
}

export interface ReserveOptions {
  /** At most this many jobs. */
  max: number;
  /** Lease (visibility timeout) for the reserved jobs. */
  leaseMs: number;
  /** Long-poll up to this long when nothing is ready. 0 = return at once. */
  waitMs?: number;
  /** Ends a long poll early (worker shutdown); resolves with what was reserved, usually []. */
  signal?: AbortSignal;
}

/** Why and when a job was buried: kept with the job in the dead-letter store. */
export interface BuryInfo {
  /** Stable reason code: `invalid-payload`, `attempts-exhausted`, `permanent-error`, ... */
  readonly reason: string;
  /** Human-readable detail (schema issues, the last error's message). Secrets redacted. */
  readonly detail: string;
  readonly attempt: number;
}

export interface BuriedJob {
  readonly transportId: string;
  readonly body: string;
  readonly reason: string;
  readonly detail: string;
  readonly attempt: number;
  /** Epoch ms. */
  readonly buriedAt: number;
  readonly sourceQueue: string;
}

export interface QueueStats {
  readonly ready: number;
  readonly delayed: number;
  readonly reserved: number;
  readonly buried: number;
  /** True where the transport only gives estimates (SQS Approximate*). */
  readonly approximate: boolean;
}

export interface ServiceLimits {
  /** Largest body accepted; larger bodies are rejected before parsing. */
  readonly maxBodyBytes: number;
  /** Longest delay the transport carries natively; longer delays hop through `notBefore`. */
  readonly maxDelayMs: number;
  /** Longest lease reserve()/touch() accept (Infinity where unbounded). */
  readonly maxLeaseMs: number;
  /** Most jobs per enqueue() call the transport takes at once (the producer chunks). */
  readonly maxBatchSize: number;
}

export interface ServiceFeatures {
  /** Transport-level deduplication of `dedupeKey` (else it only travels in the envelope). */
  readonly dedupe: boolean;
  /** Ordered groups by `groupKey`. */
  readonly groups: boolean;
  readonly priority: boolean;
}

export interface JobService {
  /** Adapter name for logs and errors: `memory`, `sqs`, `cloud-tasks`. */
  readonly adapter: string;
  /** Queue name for logs. */
  readonly queue: string;
  readonly limits: ServiceLimits;
  readonly features: ServiceFeatures;

  /** Sends jobs; one result per job, in order. Rejects only when nothing could be attempted. */
  enqueue(jobs: readonly OutgoingJob[]): Promise<EnqueueResult[]>;

  reserve?(options: ReserveOptions): Promise<ReservedJob[]>;
  /** Extends the lease to `leaseMs` from now. */
  touch?(job: ReservedJob, leaseMs: number): Promise<void>;
  /** Gives the job back, ready again after `delayMs`; the next delivery counts one more attempt. */
  release?(job: ReservedJob, delayMs: number): Promise<void>;
  /** Removes a job that succeeded. */
  complete?(job: ReservedJob): Promise<void>;
  /** Moves the job to the dead-letter store with the reason, then removes it from the live queue. */
  bury?(job: ReservedJob, info: BuryInfo): Promise<void>;
  /** Moves up to `max` buried jobs back to ready; resolves to how many moved. */
  kick?(options?: { max?: number }): Promise<number>;
  stats?(): Promise<QueueStats>;
  listBuried?(options?: { max?: number }): Promise<BuriedJob[]>;
  /** Releases clients, timers and sockets. */
  close?(): Promise<void>;
}

/** A JobService that supports pull delivery. */
export type PullService = JobService & Required<Pick<JobService, 'reserve' | 'release' | 'complete' | 'bury'>>;

export type JobServiceFactory<Options> = (options: Options) => JobService;
