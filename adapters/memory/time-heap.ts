/**
 * A binary min-heap keyed by `due` (ties: lower `seq` first, so equal times keep their order).
 *
 * Indexed heaps write each entry's position into `heapIndex`, so an entry can be updated or
 * removed in O(log n) without a search (leases: touch, complete). Delayed jobs are only ever
 * popped, so their heap is not indexed and job records need no `heapIndex` field: one field
 * less on every queued job.
 */
export interface HeapEntry {
  due: number;
  seq: number;
  heapIndex?: number;
}

export class TimeHeap<T extends HeapEntry> {
  #items: T[] = [];
  readonly #indexed: boolean;

  constructor(options: { indexed: boolean }) {
    this.#indexed = options.indexed;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    this.#items.push(item);
    this.#up(this.#items.length - 1);
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    if (top === undefined) return undefined;
    const last = items.pop()!;
    if (this.#indexed) top.heapIndex = -1;
    if (last !== top) {
      items[0] = last;
      this.#down(0);
    }
    return top;
  }

  /** Removes `item` if it is in the heap (indexed heaps only). */
  remove(item: T): void {
    const i = item.heapIndex ?? -1;
    if (i < 0 || this.#items[i] !== item) return;
    item.heapIndex = -1;
    const last = this.#items.pop()!;
    if (last === item) return;
    this.#items[i] = last;
    this.#up(i);
    this.#down(last.heapIndex!);
  }

  /** Restores the order after `item.due` changed (indexed heaps only). */
  update(item: T): void {
    const i = item.heapIndex ?? -1;
    if (i < 0 || this.#items[i] !== item) return this.push(item);
    this.#up(i);
    this.#down(item.heapIndex!);
  }

  #place(i: number, item: T): void {
    this.#items[i] = item;
    if (this.#indexed) item.heapIndex = i;
  }

  #before(a: T, b: T): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #up(i: number): void {
    const items = this.#items;
    const item = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!this.#before(item, parent)) break;
      this.#place(i, parent);
      i = p;
    }
    this.#place(i, item);
  }

  #down(i: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.#before(items[c + 1]!, items[c]!)) c++;
      const child = items[c]!;
      if (!this.#before(child, item)) break;
      this.#place(i, child);
      i = c;
    }
    this.#place(i, item);
  }
}
