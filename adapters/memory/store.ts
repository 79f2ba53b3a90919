/**
 * The memory store: the job state machine, synchronous and clock-free. Times are passed in
 * (relative ms); the service owns the clock, timers, waiting reservers and errors.
 *
 *   delayed --due--> ready --take--> reserved --finish--> (gone)
 *                      ^                 |---release----> ready / delayed
 *                      |                 |---lease ends--> ready (attempt kept)
 *                      +------kick------ buried <--bury--+
 *
 * Ready jobs wait in one FIFO line per priority (lowest number first). A job with a group key
 * also waits in its group's line, in enqueue order, and only the group's head may enter a
 * priority line: so while the head is reserved or delayed, the rest of its group waits,
 * and a released or redelivered head keeps its place (SQS FIFO message-group semantics).
 */
import { Deque } from './deque.ts';
import { BURIED, BuriedEntry, DELAYED, DONE, JobRecord, Lease, READY, RESERVED, type JobState } from './records.ts';
import { TimeHeap } from './time-heap.ts';

interface Level {
  readonly priority: number;
  readonly line: Deque<JobRecord>;
}

// Receipts are unique across every memory store in the process: a receipt from one queue
// can never settle a job of another.
let lastToken = 0;

export type Store = ReturnType<typeof createStore>;

export function createStore() {
  let lastSeq = 0;
  const counts = [0, 0, 0, 0, 0]; // by JobState
  const delayed = new TimeHeap<JobRecord>({ indexed: false });
  const leases = new TimeHeap<Lease>({ indexed: true });
  const reserved = new Map<number, Lease>(); // receipt token -> lease
  const levels: Level[] = []; // ascending priority
  let level0: Level | undefined; // the usual case, without a search
  const groups = new Map<string, Deque<JobRecord>>();
  const buried = new Deque<BuriedEntry>();

  const setState = (record: JobRecord, state: JobState) => {
    counts[record.state]!--;
    counts[state]!++;
    record.bits = (record.bits & ~7) | state;
  };

  const levelFor = (priority: number): Level => {
    if (priority === 0 && level0 !== undefined) return level0;
    const found = levels.find((l) => l.priority === priority);
    if (found !== undefined) return found;
    // Drop empty lines first, so many one-off priorities cannot pile up.
    if (levels.length >= 16) {
      for (let j = levels.length - 1; j >= 0; j--) if (levels[j]!.line.size === 0 && levels[j] !== level0) levels.splice(j, 1);
    }
    const level: Level = { priority, line: new Deque<JobRecord>() };
    let i = 0;
    while (i < levels.length && levels[i]!.priority < priority) i++;
    levels.splice(i, 0, level);
    if (priority === 0) level0 = level;
    return level;
  };

  /** Marks a record ready; true when it can be taken now (not waiting behind its group). */
  const makeReady = (record: JobRecord): boolean => {
    setState(record, READY);
    if (record.group !== undefined && groups.get(record.group)!.peek() !== record) return false;
    levelFor(record.priority).line.push(record);
    return true;
  };

  /** The head of a group leaves it; true when the next of the group can be taken now. */
  const leaveGroup = (record: JobRecord): boolean => {
    if (record.group === undefined) return false;
    const line = groups.get(record.group)!;
    line.shift();
    const next = line.peek();
    if (next === undefined) {
      groups.delete(record.group);
      return false;
    }
    if (next.state !== READY) return false;
    levelFor(next.priority).line.push(next);
    return true;
  };

  const joinGroup = (record: JobRecord) => {
    if (record.group === undefined) return;
    let line = groups.get(record.group);
    if (line === undefined) groups.set(record.group, (line = new Deque<JobRecord>(1)));
    line.push(record);
  };

  /** Ends a reservation (settled or expired); the caller decides the next state. */
  const dropLease = (lease: Lease) => {
    leases.remove(lease);
    reserved.delete(lease.seq);
  };

  return {
    /** Jobs by state: [delayed, ready, reserved, buried, done]. Read only. */
    counts: counts as readonly number[],

    /** Adds a job; true when it can be taken now. */
    add(body: string, priority: number, group: string | undefined, delayMs: number, now: number): { record: JobRecord; takeable: boolean } {
      const record = new JobRecord(body, ++lastSeq, priority, group, now);
      counts[READY]!++;
      joinGroup(record);
      if (delayMs > 0) {
        setState(record, DELAYED);
        record.due = now + delayMs;
        delayed.push(record);
        return { record, takeable: false };
      }
      return { record, takeable: makeReady(record) };
    },

    /** Moves due delayed jobs to ready and ends due leases; true when any job can be taken now. */
    promote(now: number): boolean {
      let takeable = false;
      for (let top = delayed.peek(); top !== undefined && top.due <= now; top = delayed.peek()) {
        delayed.pop();
        if (makeReady(top)) takeable = true;
      }
      for (let top = leases.peek(); top !== undefined && top.due <= now; top = leases.peek()) {
        dropLease(top);
        if (makeReady(top.record)) takeable = true;
      }
      return takeable;
    },

    /** Reserves the next job (lowest priority number, then oldest) under a new lease. */
    take(now: number, leaseMs: number): Lease | undefined {
      let record: JobRecord | undefined;
      for (let i = 0; i < levels.length && record === undefined; i++) record = levels[i]!.line.shift();
      if (record === undefined) return undefined;
      setState(record, RESERVED);
      record.attempt += 1;
      const lease = new Lease(record, ++lastToken, now + leaseMs);
      leases.push(lease);
      reserved.set(lease.seq, lease);
      return lease;
    },

    hasTakeable(): boolean {
      for (const level of levels) if (level.line.size > 0) return true;
      return false;
    },

    /** The current lease of a receipt token, or undefined when it is stale. */
    lease(token: number): Lease | undefined {
      return reserved.get(token);
    },

    touch(lease: Lease, due: number): void {
      lease.due = due;
      leases.update(lease);
    },

    /** Completes the job; true when the next job of its group can be taken now. */
    finish(lease: Lease): boolean {
      dropLease(lease);
      setState(lease.record, DONE);
      return leaveGroup(lease.record);
    },

    /** Gives the job back; true when it can be taken now. */
    release(lease: Lease, now: number, delayMs: number): boolean {
      dropLease(lease);
      const record = lease.record;
      if (delayMs <= 0) return makeReady(record);
      setState(record, DELAYED);
      record.due = now + delayMs;
      delayed.push(record);
      return false;
    },

    /** Moves the job to the buried list; true when the next job of its group can be taken now. */
    bury(lease: Lease, reason: string, detail: string, attempt: number, buriedAt: number): boolean {
      dropLease(lease);
      setState(lease.record, BURIED);
      buried.push(new BuriedEntry(lease.record, reason, detail, attempt, buriedAt));
      return leaveGroup(lease.record);
    },

    /**
     * Moves up to `max` buried jobs (oldest first) back to ready. Their delivery count restarts
     * at 0, so the next delivery is attempt 1: a kicked job gets its full maxAttempts again,
     * as a redriven SQS message or a re-created Cloud Task would.
     */
    kick(max: number): { moved: number; takeable: boolean } {
      let moved = 0;
      let takeable = false;
      while (moved < max && buried.size > 0) {
        const record = buried.shift()!.record;
        record.attempt = 0;
        joinGroup(record); // at the end of its group: it left the group when it was buried
        if (makeReady(record)) takeable = true;
        moved++;
      }
      return { moved, takeable };
    },

    buried(max: number): BuriedEntry[] {
      const out: BuriedEntry[] = [];
      for (let i = 0; i < max && i < buried.size; i++) out.push(buried.at(i)!);
      return out;
    },

    /** The earliest time (relative ms) at which a delayed job or a lease falls due. */
    nextDue(): number {
      return Math.min(delayed.peek()?.due ?? Infinity, leases.peek()?.due ?? Infinity);
    },
  };
}
