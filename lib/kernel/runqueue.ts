/**
 * RunQueue: the runnable threads of one kernel, by priority.
 *
 * Interface: enqueue, dequeueNext (strict priority, FIFO or seeded-random among equals),
 * dequeueChosen (a SchedulingStrategy picks among the highest level), remove.
 * Invariants: bit p of `nonEmpty` is set ⇔ level p holds a thread; every queued thread has state RUNNABLE and sits in the level of its priority.
 * Each level is a ring buffer that grows to the most threads runnable at that level at once and
 * shrinks when a large one empties, so enqueue and dequeue allocate nothing in steady state —
 * they are the switch path.
 */
import { assert } from './assert.ts';
import { InvalidArgumentError } from './errors.ts';
import { PRIORITY_LEVELS } from './queue.ts';
import type { SeededRandom } from './random.ts';
import type { KernelCore } from './kernel.ts';
import type { SchedulingStrategy } from './strategy.ts';
import { S_RUNNABLE, type Thread } from './thread.ts';

export { PRIORITY_LEVELS };

const INITIAL_CAPACITY = 16; // a power of two: indices wrap with a mask
// A level that once held many threads gives its slots back when it empties (a burst of a
// million spawns must not keep 8 MB of slots for ever); small rings are kept, so the switch
// path never reallocates.
const SHRINK_ABOVE = 1024;

/** A FIFO ring of threads; head and tail only grow, positions are taken modulo capacity. */
class Ring {
  slots: (Thread | undefined)[] = new Array<Thread | undefined>(INITIAL_CAPACITY).fill(undefined);
  mask = INITIAL_CAPACITY - 1;
  head = 0;
  tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(t: Thread): void {
    if (this.tail - this.head > this.mask) this.grow();
    this.slots[this.tail & this.mask] = t;
    this.tail++;
  }

  shift(): Thread {
    const i = this.head & this.mask;
    const t = this.slots[i]!;
    this.slots[i] = undefined;
    this.head++;
    return t;
  }

  /** Removes the element at logical position k (0 = head), keeping the order. O(length). */
  removeAt(k: number): Thread {
    const mask = this.mask;
    const t = this.slots[(this.head + k) & mask]!;
    for (let j = this.head + k; j > this.head; j--)
      this.slots[j & mask] = this.slots[(j - 1) & mask];
    this.slots[this.head & mask] = undefined;
    this.head++;
    return t;
  }

  indexOf(t: Thread): number {
    for (let k = 0; k < this.tail - this.head; k++)
      if (this.slots[(this.head + k) & this.mask] === t) return k;
    return -1;
  }

  at(k: number): Thread {
    return this.slots[(this.head + k) & this.mask]!;
  }

  /** Back to the initial capacity; only when empty. */
  reset(): void {
    this.slots = new Array<Thread | undefined>(INITIAL_CAPACITY).fill(undefined);
    this.mask = INITIAL_CAPACITY - 1;
    this.head = 0;
    this.tail = 0;
  }

  private grow(): void {
    const n = this.tail - this.head;
    const slots = new Array<Thread | undefined>((this.mask + 1) * 2).fill(undefined);
    for (let k = 0; k < n; k++) slots[k] = this.slots[(this.head + k) & this.mask];
    this.slots = slots;
    this.mask = slots.length - 1;
    this.head = 0;
    this.tail = n;
  }
}

export class RunQueue {
  private readonly levels: Ring[] = [];
  private nonEmpty = 0;
  /** The candidates shown to a strategy (reused: no allocation per decision). */
  private readonly view: Thread[] = [];

  constructor(private readonly random: SeededRandom | null) {
    for (let p = 0; p < PRIORITY_LEVELS; p++) this.levels.push(new Ring());
  }

  /** Appends `t` at the tail of its priority level. */
  enqueue(t: Thread): void {
    assert(t.state === S_RUNNABLE, 'only runnable threads are queued');
    const p = t.priority;
    this.levels[p]!.push(t);
    this.nonEmpty |= 1 << p;
  }

  /** True when no thread is runnable. */
  get empty(): boolean {
    return this.nonEmpty === 0;
  }

  /** Number of runnable threads (counted: for reports, not for the switch path). */
  get size(): number {
    let n = 0;
    for (const level of this.levels) n += level.length;
    return n;
  }

  /** Removes and returns the thread to run next, or null when none is runnable. */
  dequeueNext(): Thread | null {
    const bits = this.nonEmpty;
    if (bits === 0) return null;
    const p = 31 - Math.clz32(bits);
    const level = this.levels[p]!;
    const n = level.tail - level.head;
    // The random policy draws only when there is a choice, so a seed's schedule does not
    // depend on how often a thread ran alone.
    const t =
      this.random === null || n === 1 ? level.shift() : level.removeAt(this.random.below(n));
    if (level.tail === level.head) {
      this.nonEmpty = bits & ~(1 << p);
      if (level.mask >= SHRINK_ABOVE) level.reset();
    }
    return t;
  }

  /**
   * Like dequeueNext, but `strategy` picks among the threads of the highest level (FIFO order,
   * so index 0 is dequeueNext's own choice under FIFO). Only used while a strategy is installed.
   */
  dequeueChosen(strategy: SchedulingStrategy, k: KernelCore): Thread | null {
    const bits = this.nonEmpty;
    if (bits === 0) return null;
    const p = 31 - Math.clz32(bits);
    const level = this.levels[p]!;
    const n = level.length;
    const view = this.view;
    view.length = n;
    for (let i = 0; i < n; i++) view[i] = level.at(i);
    const i = strategy.next(view, k);
    view.length = 0;
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw new InvalidArgumentError(
        `scheduling strategy chose ${String(i)} of ${n} runnable threads (0..${n - 1})`,
      );
    const t = level.removeAt(i);
    if (level.tail === level.head) this.nonEmpty = bits & ~(1 << p);
    return t;
  }

  /** Unlinks a queued thread (its priority is about to change). O(threads at its level). */
  remove(t: Thread): void {
    const level = this.levels[t.priority]!;
    const k = level.indexOf(t);
    assert(k >= 0, 'remove: thread is not in the run queue');
    level.removeAt(k);
    if (level.length === 0) this.nonEmpty &= ~(1 << t.priority);
  }

  /** The queued threads, highest priority first (for reports). */
  toArray(): Thread[] {
    const out: Thread[] = [];
    for (let p = PRIORITY_LEVELS - 1; p >= 0; p--) {
      const level = this.levels[p]!;
      for (let k = 0; k < level.length; k++) out.push(level.at(k));
    }
    return out;
  }
}
