/**
 * RingQueue: the FIFO run queue of the raw-generator contenders.
 *
 * Interface: push, shift, size.
 * Invariants: capacity is a power of two and grows by doubling; `size` items live at
 * [head, head + size) modulo capacity; shift() on an empty queue returns undefined. Pushing and
 * shifting allocate nothing once the queue has grown to its working size, as a real scheduler's
 * run queue would.
 */

export class RingQueue<T> {
  private items: (T | undefined)[];
  private mask: number;
  private head = 0;
  size = 0;

  /**
   * @example
   * const q = new RingQueue<Generator>(16);
   */
  constructor(capacity = 16) {
    let cap = 4;
    while (cap < capacity) cap *= 2;
    this.items = new Array<T | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  /**
   * Appends `item` at the tail.
   *
   * @example
   * q.push(g);
   */
  push(item: T): void {
    if (this.size > this.mask) this.grow();
    this.items[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  /**
   * Removes and returns the head, or undefined when empty.
   *
   * @example
   * const next = q.shift();
   */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return item;
  }

  private grow(): void {
    const old = this.items;
    const cap = old.length * 2;
    const items = new Array<T | undefined>(cap).fill(undefined);
    for (let i = 0; i < this.size; i++) items[i] = old[(this.head + i) & this.mask];
    this.items = items;
    this.mask = cap - 1;
    this.head = 0;
  }
}
