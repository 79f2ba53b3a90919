/**
 * Queues: create, read, list, update, delete, and the ~7 day wait before a deleted queue's
 * name can be used again.
 */
import type { EmulatorClock } from './clock.ts';
import { alreadyExists, failedPrecondition, invalid, notFound, QUEUE_NOT_FOUND } from './errors.ts';
import type { QueueKind, QueueRecord } from './model.ts';
import { checkLocationName, parseQueueName } from './names.ts';
import { page, type Page } from './paging.ts';
import { DEFAULT_RATE_LIMITS, DEFAULT_RETRY, resolveRateLimits, resolveRetry, type RateLimitInput, type RetryInput } from './queue-config.ts';

export interface QueueInput {
  readonly name: string | undefined;
  readonly kind: QueueKind;
  readonly rateLimits?: RateLimitInput | undefined;
  readonly retry?: RetryInput | undefined;
  readonly stackdriverSamplingRatio?: number | undefined;
}

/** Which parts of a queue an update changes (from the update mask; all when empty). */
export interface QueueUpdateFields {
  readonly rateLimits: ReadonlySet<string> | 'all';
  readonly retry: ReadonlySet<string> | 'all';
  readonly stackdriverSamplingRatio: boolean;
}

export interface QueueStoreOptions {
  /** How long a deleted queue's name stays taken. Real service: 7 days. */
  readonly queueRecreateDelayMs: number;
}

export interface QueueStore {
  create(parent: string | undefined, input: QueueInput): QueueRecord;
  get(name: string | undefined): QueueRecord;
  list(parent: string | undefined, request: { pageSize?: number | undefined; pageToken?: string | undefined }): Page<QueueRecord>;
  update(input: QueueInput, fields: QueueUpdateFields): QueueRecord;
  delete(name: string | undefined): QueueRecord;
  all(): Iterable<QueueRecord>;
  reset(): void;
}

export function createQueueStore(clock: EmulatorClock, options: QueueStoreOptions): QueueStore {
  const queues = new Map<string, QueueRecord>();
  const deletedUntil = new Map<string, number>();

  const build = (name: string, input: QueueInput): QueueRecord => ({
    name,
    kind: input.kind,
    state: 'RUNNING',
    rateLimits: resolveRateLimits(input.rateLimits),
    retry: resolveRetry(input.retry),
    purgeTimeMs: undefined,
    stackdriverSamplingRatio: checkSampling(input.stackdriverSamplingRatio),
    createTimeMs: clock.now(),
  });

  const takeName = (name: string): void => {
    const until = deletedUntil.get(name);
    if (until !== undefined && until > clock.now()) {
      throw failedPrecondition('The queue cannot be created because a queue with this name existed too recently.');
    }
    deletedUntil.delete(name);
  };

  const store: QueueStore = {
    create(parent, input) {
      checkLocationName(parent);
      const parts = parseQueueName(input.name);
      if (parts.parent !== parent) {
        throw invalid(`The queue name "${input.name}" must be a child of the parent "${parent}".`);
      }
      // The request is checked before the state: a bad config is INVALID_ARGUMENT even for a taken name.
      const record = build(input.name!, input);
      if (queues.has(record.name)) throw alreadyExists('Queue already exists');
      takeName(record.name);
      queues.set(record.name, record);
      return record;
    },
    get(name) {
      parseQueueName(name);
      const queue = queues.get(name!);
      if (!queue) throw notFound(QUEUE_NOT_FOUND);
      return queue;
    },
    list(parent, request) {
      checkLocationName(parent);
      const prefix = `${parent}/queues/`;
      const mine = [...queues.values()].filter((q) => q.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : 1));
      return page(mine, (q) => q.name, { ...request, scope: `queues:${parent}`, maxPageSize: 9800 });
    },
    update(input, fields) {
      parseQueueName(input.name);
      const existing = queues.get(input.name!);
      if (!existing) {
        // UpdateQueue creates the queue when it does not exist.
        const record = build(input.name!, input);
        takeName(record.name);
        queues.set(record.name, record);
        return record;
      }
      if (input.kind !== existing.kind && (fields.rateLimits === 'all' || fields.retry === 'all')) {
        throw invalid(`The queue's target type cannot be changed (the queue is a ${existing.kind} queue).`);
      }
      const rateLimits = pick(input.rateLimits, fields.rateLimits, DEFAULT_RATE_LIMITS);
      const retry = pick(input.retry, fields.retry, DEFAULT_RETRY);
      // Validate the whole result before changing anything, so a bad update changes nothing.
      const nextRate = rateLimits ? resolveRateLimits(rateLimits, existing.rateLimits) : existing.rateLimits;
      const nextRetry = retry ? resolveRetry(retry, existing.retry) : existing.retry;
      const sampling = fields.stackdriverSamplingRatio ? checkSampling(input.stackdriverSamplingRatio) : existing.stackdriverSamplingRatio;
      existing.rateLimits = nextRate;
      existing.retry = nextRetry;
      existing.stackdriverSamplingRatio = sampling;
      return existing;
    },
    delete(name) {
      parseQueueName(name);
      const queue = queues.get(name!);
      if (!queue) throw notFound();
      queues.delete(queue.name);
      deletedUntil.set(queue.name, clock.now() + options.queueRecreateDelayMs);
      return queue;
    },
    all: () => queues.values(),
    reset() {
      queues.clear();
      deletedUntil.clear();
    },
  };
  return store;
}

/**
 * The fields an update mask selects: all given ones for `'all'`, else only the named ones;
 * a named field the caller left unset goes back to its default.
 */
function pick<T extends object>(input: T | undefined, fields: ReadonlySet<string> | 'all', defaults: object): T | undefined {
  if (fields === 'all') return input ?? ({} as T);
  if (fields.size === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of fields) {
    out[key] = (input as Record<string, unknown> | undefined)?.[key] ?? (defaults as Record<string, unknown>)[key];
  }
  return out as T;
}

function checkSampling(ratio: number | undefined): number | undefined {
  if (ratio === undefined) return undefined;
  if (!(ratio >= 0 && ratio <= 1)) throw invalid('StackdriverLoggingConfig.samplingRatio must be between 0.0 and 1.0 inclusive.');
  return ratio;
}
