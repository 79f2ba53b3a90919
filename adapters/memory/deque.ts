/**
 * A FIFO on a ring buffer: O(1) push and shift with no allocation per item, so a queue of
 * 100k jobs costs one array slot per job. The buffer shrinks again after a burst drains.
 */
const MIN_CAPACITY = 8;

export class Deque<T> {
  #buffer: Array<T | undefined>;
  #mask: number;
  #head = 0;
  #size = 0;

  constructor(capacity = MIN_CAPACITY) {
    let c = MIN_CAPACITY;
    while (c < capacity) c *= 2;
    this.#buffer = new Array<T | undefined>(c);
    this.#mask = c - 1;
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#buffer.length) this.#resize(this.#buffer.length * 2);
    this.#buffer[(this.#head + this.#size) & this.#mask] = item;
    this.#size++;
  }

  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#buffer[this.#head];
    this.#buffer[this.#head] = undefined; // let the body be collected
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    const capacity = this.#buffer.length;
    if (capacity > MIN_CAPACITY * 4 && this.#size < capacity / 4) this.#resize(capacity / 2);
    return item;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#buffer[this.#head];
  }

  /** The item at `index` from the front (0 = next to shift). */
  at(index: number): T | undefined {
    return index < 0 || index >= this.#size ? undefined : this.#buffer[(this.#head + index) & this.#mask];
  }

  #resize(capacity: number): void {
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.#size; i++) next[i] = this.#buffer[(this.#head + i) & this.#mask];
    this.#buffer = next;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
