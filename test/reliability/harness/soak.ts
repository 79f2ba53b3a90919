/**
 * The soak: a worker child long-polling an empty queue for a long time (full run: 30 minutes
 * or more), its heap sampled after a full GC. The figure is the slope of heapUsed over time
 * (least squares, after the warm-up), in MB per hour; a leak per poll shows up as a positive
 * slope that does not flatten.
 */
import type { Child } from './child.ts';
import type { ChildMessage } from './child-config.ts';
import { createLedgerReader } from './ledger.ts';
import { countLedger } from './ledger-figures.ts';
import { sleep, within } from './wait.ts';

export interface SoakRig {
  readonly name: string;
  readonly ledgerDir: string;
  /** A worker child on an empty queue, started with --expose-gc and heap sampling every `sampleMs`. */
  spawnWorker(label: string, sampleMs: number): Child;
  close(): Promise<void>;
}

export interface SoakOptions {
  durationMs: number;
  sampleMs: number;
  /** Samples in the first warmUpMs are left out of the slope. */
  warmUpMs: number;
  /** The target: the slope stays under this (MB per hour). */
  limitMbPerHour: number;
}

export interface SoakFigures {
  readonly transport: string;
  readonly durationMs: number;
  readonly polls: number;
  readonly samples: number;
  readonly samplesInSlope: number;
  readonly heapStartMb: number;
  readonly heapEndMb: number;
  readonly slopeMbPerHour: number;
  readonly rssSlopeMbPerHour: number;
  readonly limitMbPerHour: number;
  readonly underLimit: boolean;
  readonly unhandled: number;
}

const MB = 1024 * 1024;

export async function runSoak(rig: SoakRig, options: SoakOptions): Promise<SoakFigures> {
  const child = rig.spawnWorker(`${rig.name.replace(/\W+/g, '-')}-soak`, options.sampleMs);
  const samples: Array<{ at: number; heapUsed: number; rss: number }> = [];
  child.onMessage((m: ChildMessage) => {
    if (m.type === 'heap') samples.push({ at: m.at, heapUsed: m.heapUsed, rss: m.rss });
  });
  try {
    await within(child.ready, 30_000, `${rig.name}: the soak worker starting`);
    const startedAt = Date.now();
    await sleep(options.durationMs);
    const stopped = child.next('stopped', 30_000);
    child.kill('SIGTERM');
    await stopped;
    await within(child.exited, 10_000, `${rig.name}: the soak worker exiting`);
    const reader = createLedgerReader(rig.ledgerDir);
    reader.poll();
    const polls = reader.entries.filter((e) => e.kind === 'reserve-call').length;
    const { unhandled } = countLedger([], reader.entries, []);
    const steady = samples.filter((s) => s.at >= startedAt + options.warmUpMs);
    const slopeMbPerHour = slope(steady.map((s) => [s.at, s.heapUsed]));
    return {
      transport: rig.name,
      durationMs: Date.now() - startedAt,
      polls,
      samples: samples.length,
      samplesInSlope: steady.length,
      heapStartMb: round((steady[0]?.heapUsed ?? 0) / MB),
      heapEndMb: round((steady.at(-1)?.heapUsed ?? 0) / MB),
      slopeMbPerHour: round(slopeMbPerHour),
      rssSlopeMbPerHour: round(slope(steady.map((s) => [s.at, s.rss]))),
      limitMbPerHour: options.limitMbPerHour,
      underLimit: steady.length >= 3 && slopeMbPerHour < options.limitMbPerHour,
      unhandled,
    };
  } finally {
    child.kill('SIGKILL');
    await rig.close().catch(() => {});
  }
}

/** Least-squares slope of bytes over epoch ms, in MB per hour (NaN with fewer than 2 points). */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) * (x - mx);
  }
  return den === 0 ? Number.NaN : (num / den) * 3_600_000 / MB;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
