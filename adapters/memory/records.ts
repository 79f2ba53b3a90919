/**
 * The shapes the memory store keeps. A queued job costs one JobRecord: seven fields, all small
 * integers or shared strings, no closures and no timer. Times are milliseconds relative to the
 * store's creation, so they stay small integers (V8 Smis, stored inline) instead of boxed
 * doubles; past ~24 days of uptime they become doubles, which costs memory, not correctness.
 */
export const DELAYED = 0;
export const READY = 1;
export const RESERVED = 2;
export const BURIED = 3;
export const DONE = 4;
export type JobState = typeof DELAYED | typeof READY | typeof RESERVED | typeof BURIED | typeof DONE;

/** One job. A class, so every record shares one hidden class with in-object fields. */
export class JobRecord {
  readonly body: string;
  /** Store-wide sequence number: the transport id, and the tie-break that keeps FIFO order. */
  readonly seq: number;
  /** State in the low 3 bits, deliveries so far above them: one field instead of two. */
  bits: number;
  readonly priority: number;
  readonly group: string | undefined;
  /** While delayed: when the job becomes ready (relative ms). */
  due: number;
  readonly enqueuedAt: number;

  constructor(body: string, seq: number, priority: number, group: string | undefined, enqueuedAt: number) {
    this.body = body;
    this.seq = seq;
    this.bits = READY;
    this.priority = priority;
    this.group = group;
    this.due = 0;
    this.enqueuedAt = enqueuedAt;
  }

  get state(): JobState {
    return (this.bits & 7) as JobState;
  }

  /** Deliveries so far: the next reservation is attempt + 1. */
  get attempt(): number {
    return this.bits >>> 3;
  }

  set attempt(value: number) {
    this.bits = (value << 3) | (this.bits & 7);
  }
}

/**
 * One reservation of a record. Leases exist only for reserved jobs (bounded by the consumers'
 * concurrency), so what a reservation needs lives here, not on every queued record.
 */
export class Lease {
  readonly record: JobRecord;
  /** The receipt: unique in the process, never reused. Also the heap tie-break. */
  readonly seq: number;
  /** When the lease ends (relative ms). */
  due: number;
  heapIndex: number;

  constructor(record: JobRecord, token: number, due: number) {
    this.record = record;
    this.seq = token;
    this.due = due;
    this.heapIndex = -1;
  }
}

export class BuriedEntry {
  readonly record: JobRecord;
  readonly reason: string;
  readonly detail: string;
  readonly attempt: number;
  /** Epoch ms. */
  readonly buriedAt: number;

  constructor(record: JobRecord, reason: string, detail: string, attempt: number, buriedAt: number) {
    this.record = record;
    this.reason = reason;
    this.detail = detail;
    this.attempt = attempt;
    this.buriedAt = buriedAt;
  }
}
