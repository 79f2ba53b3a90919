/**
 * What the parent tells a worker child: passed as JSON in RELIABILITY_CHILD, checked on the
 * child's side before anything starts (a wrong config fails the child at once, with the reason).
 */
import type { LedgerJobOptions } from './jobs.ts';

export type TransportConfig =
  | { kind: 'memory'; queue: string; /** Jobs the child enqueues into its own queue at start, work spread over [min, max] ms. */ seed?: { count: number; workMs: readonly [number, number] } }
  | { kind: 'sqs'; endpoint: string; region: string; queueUrl: string; deadLetterQueueUrl?: string; waitTimeSeconds?: number }
  | { kind: 'cloud-tasks'; /** `host:port` of the emulator (or a fault proxy in front of it). */ endpoint: string; project: string; location: string; queueId: string; deadLetterQueueId: string; pollIntervalMs?: number };

export interface WorkerSettings {
  concurrency: number;
  leaseMs?: number;
  waitMs: number;
  batchSize?: number;
  pollers?: number;
  shutdownGraceMs?: number;
  errorBackoff?: { minMs?: number; maxMs?: number };
}

export interface IdempotencyConfig {
  /** DynamoDB store (dynalite in the parent), shared by every child. */
  endpoint: string;
  table: string;
  /** The job's ifAbandoned: 'bury' is at most once (a killed run's job is buried in doubt). Default 'run'. */
  ifAbandoned?: 'run' | 'bury';
}

export interface PullChildConfig {
  label: string;
  ledgerDir: string;
  transport: TransportConfig;
  worker: WorkerSettings;
  job?: LedgerJobOptions;
  idempotency?: IdempotencyConfig;
  /** Soak: sample the heap (after a full GC) this often and report it. */
  heapSampleMs?: number;
  /** Log lines at this level and above go to stderr (the parent keeps the tail). Default warn. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export interface LambdaChildConfig {
  label: string;
  ledgerDir: string;
  sqs: { endpoint: string; region: string; queueUrl: string; deadLetterQueueUrl: string };
  job?: LedgerJobOptions;
  idempotency?: IdempotencyConfig;
  concurrency?: number;
}

export const CONFIG_ENV = 'RELIABILITY_CHILD';

export function readChildConfig<T extends { label: string; ledgerDir: string }>(): T {
  const raw = process.env[CONFIG_ENV];
  if (raw === undefined) throw new Error(`reliability child: ${CONFIG_ENV} is not set (the parent passes the config as JSON)`);
  let config: unknown;
  try {
    config = JSON.parse(raw);
  } catch (error) {
    throw new Error(`reliability child: ${CONFIG_ENV} is not JSON: ${(error as Error).message}`);
  }
  const c = config as Partial<T>;
  if (typeof c?.label !== 'string' || typeof c.ledgerDir !== 'string') throw new Error(`reliability child: ${CONFIG_ENV} needs label and ledgerDir strings`);
  return config as T;
}

/** Messages a child sends to the parent over IPC. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'status'; inFlight: number; counts: Record<string, number>; events: Record<string, number> }
  | { type: 'stopped'; report: { inFlightAtStop: number; finished: number; released: number; durationMs: number }; counts: Record<string, number>; events: Record<string, number>; signalAt?: number }
  | { type: 'heap'; at: number; heapUsed: number; rss: number }
  | { type: 'result'; id: number; response: unknown }
  | { type: 'failed'; id: number; error: string };

/** Messages the parent sends to a child. */
export type ParentMessage =
  | { type: 'status' }
  | { type: 'stop' }
  | { type: 'invoke'; id: number; event: unknown; remainingMs: number };
