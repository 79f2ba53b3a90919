/**
 * Shared helpers of the benchmarks: interleaved rounds (A, B, A, B, ...) so that a noisy
 * neighbour slows every contender alike, medians, targets and the final JSON line.
 *
 * A benchmark measures, prints what it measured, and says whether each target was met.
 * It never asserts: a missed target is a figure to report, not a test failure.
 */

export const quick = process.argv.includes('--quick');

/** A contender: `run(n)` does n units of work and resolves when they are done. */
export interface Contender {
  readonly name: string;
  run(n: number): Promise<void> | void;
}

export interface Measured {
  readonly name: string;
  /** Median units per second over the rounds. */
  readonly perSecond: number;
  /** Median nanoseconds per unit. */
  readonly nsPerOp: number;
  readonly rounds: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs each contender `rounds` times on `n` units, interleaved, after one warm-up round each,
 * and returns the median throughput of each.
 */
export async function compare(contenders: readonly Contender[], options: { n: number; rounds: number }): Promise<Measured[]> {
  const { n, rounds } = options;
  for (const c of contenders) await c.run(Math.max(1, Math.floor(n / 4)));
  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    // Alternate the order too, so no contender always runs right after a GC-heavy one.
    const order = r % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      (globalThis as { gc?: () => void }).gc?.();
      const t0 = process.hrtime.bigint();
      await c.run(n);
      const ns = Number(process.hrtime.bigint() - t0);
      times.get(c.name)!.push(ns);
    }
  }
  return contenders.map((c) => {
    const ns = median(times.get(c.name)!);
    return { name: c.name, perSecond: (n * 1e9) / ns, nsPerOp: ns / n, rounds };
  });
}

export interface Target {
  /** What is compared, e.g. `pipeline / bare loop`. */
  readonly what: string;
  readonly value: number;
  /** `<=` or `>=`. */
  readonly op: '<=' | '>=';
  readonly limit: number;
}

export function target(what: string, value: number, op: '<=' | '>=', limit: number): Target & { met: boolean } {
  const met = op === '<=' ? value <= limit : value >= limit;
  return { what, value: round(value), op, limit, met };
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function printTable(rows: readonly Measured[]): void {
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    console.log(`  ${r.name.padEnd(width)}  ${Math.round(r.perSecond).toLocaleString('en-US').padStart(12)} /s  ${r.nsPerOp.toFixed(0).padStart(8)} ns/op`);
  }
}

export function printTargets(targets: ReadonlyArray<Target & { met: boolean }>): void {
  for (const t of targets) console.log(`  target ${t.what} ${t.op} ${t.limit}: ${t.value} -> ${t.met ? 'met' : 'MISSED'}`);
}

/** The last line of every benchmark: one JSON object with its figures. */
export function printResult(name: string, figures: Record<string, unknown>, targets: ReadonlyArray<Target & { met: boolean }>): void {
  console.log(JSON.stringify({ bench: name, quick, node: process.version, ...figures, targets }));
}
