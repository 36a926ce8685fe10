/**
 * ThreadQueue: an intrusive, doubly linked wait queue of threads, in wake order.
 *
 * Interface: enqueue, popFront, remove, contains, toArray; head is the next to wake.
 * Invariants: a thread is in at most one wait queue at a time, which its `qowner` field
 * records (a runnable thread is in none: the run queue links it through `qnext` alone);
 * `length` equals the number of linked threads; the queue is sorted by priority, highest
 * first, and FIFO among equal priorities (the wake order of every primitive); an element's
 * priority does not change while it is queued (reprioritize in waits.ts takes it out and puts
 * it back).
 * Every operation is O(1) and allocates nothing in the common case, where all waiters share one
 * priority: enqueue appends at the tail. Only when priorities mix does the queue keep the last
 * element of each priority level (an array of PRIORITY_LEVELS slots and a bitmap of the levels
 * present), so that an insertion finds its place in O(1) too; the array is dropped when the
 * queue empties. Draining n waiters is therefore O(n), where scanning for the top waiter on
 * every wake was O(n²) (100,000 waiters: 427 s).
 */
import { assert } from './assert.ts';

/** Priorities are integers in [0, PRIORITY_LEVELS); higher runs first. */
export const PRIORITY_LEVELS = 32;

/** What a queue needs of its elements: the intrusive links and a priority. */
export interface Linked {
  qnext: Linked | null;
  qprev: Linked | null;
  qowner: ThreadQueue<Linked> | null;
  readonly priority: number;
}

/** An intrusive queue ordered by priority. Elements carry their own links, so no operation allocates. */
export class ThreadQueue<T extends Linked> {
  head: T | null = null;
  tail: T | null = null;
  length = 0;
  /** Last element of each level while priorities are mixed; null while all share one. */
  private levelTails: (T | null)[] | null = null;
  /** Bit p set ⇔ levelTails[p] !== null (meaningful only while levelTails exists). */
  private levels = 0;

  /**
   * Inserts `item` (which must not be in any queue) after every element of its priority or
   * higher: it is woken after them and before every lower-priority element.
   *
   * @example
   * const q = new ThreadQueue<Thread>();
   * q.enqueue(thread);
   */
  enqueue(item: T): void {
    assert(item.qowner === null, 'enqueue: item is already in a queue');
    const tail = this.tail;
    const p = item.priority;
    assert(p >= 0 && p < PRIORITY_LEVELS, 'enqueue: priority in range');
    if (tail === null || (this.levelTails === null && tail.priority === p)) {
      // The common case, all waiters of one priority: append (the block path of every primitive).
      item.qowner = this as ThreadQueue<Linked>;
      item.qprev = tail;
      if (tail === null) this.head = item;
      else tail.qnext = item;
      this.tail = item;
      this.length++;
      return;
    }
    const tails = this.levelTails ?? this.splitLevels(tail);
    // The lowest level at or above p that is present: insert after its last element.
    const atOrAbove = this.levels & ~((1 << p) - 1);
    const after = atOrAbove === 0 ? null : tails[31 - Math.clz32(atOrAbove & -atOrAbove)]!;
    this.linkAfter(item, after);
    tails[p] = item;
    this.levels |= 1 << p;
  }

  /**
   * Removes and returns the first element (the next to wake), or null when empty.
   *
   * @example
   * const next = q.popFront();
   */
  popFront(): T | null {
    const item = this.head;
    if (item !== null) this.remove(item);
    return item;
  }

  /**
   * Unlinks `item`, which must be in this queue. O(1).
   *
   * @example
   * q.remove(thread); // e.g. its wait timed out
   */
  remove(item: T): void {
    assert(item.qowner === (this as ThreadQueue<Linked>), 'remove: item is not in this queue');
    const prev = item.qprev as T | null;
    const next = item.qnext as T | null;
    if (prev === null) this.head = next;
    else prev.qnext = next;
    if (next === null) this.tail = prev;
    else next.qprev = prev;
    item.qnext = null;
    item.qprev = null;
    item.qowner = null;
    this.length--;
    assert(this.length >= 0, 'queue length went negative');
    const tails = this.levelTails;
    if (tails === null) return;
    if (this.length === 0) {
      this.levelTails = null; // one priority again: give the array back
      this.levels = 0;
      return;
    }
    const p = item.priority;
    if (tails[p] === item) {
      const stillThere = prev !== null && prev.priority === p;
      tails[p] = stillThere ? prev : null;
      if (!stillThere) this.levels &= ~(1 << p);
    }
  }

  /**
   * True when `item` is linked into this queue.
   *
   * @example
   * if (q.contains(t)) q.remove(t);
   */
  contains(item: T): boolean {
    return item.qowner === (this as ThreadQueue<Linked>);
  }

  /**
   * The elements in wake order, as a new array (for reports; not for hot paths).
   *
   * @example
   * q.toArray().map((t) => t.name);
   */
  toArray(): T[] {
    const out: T[] = [];
    for (let item = this.head; item !== null; item = item.qnext as T | null) out.push(item);
    return out;
  }

  /** Links `item` after `prev` (at the head when prev is null). */
  private linkAfter(item: T, prev: T | null): void {
    const next = (prev === null ? this.head : prev.qnext) as T | null;
    item.qowner = this as ThreadQueue<Linked>;
    item.qprev = prev;
    item.qnext = next;
    if (prev === null) this.head = item;
    else prev.qnext = item;
    if (next === null) this.tail = item;
    else next.qprev = item;
    this.length++;
  }

  /** Priorities start to mix: every element so far has the tail's priority. */
  private splitLevels(tail: T): (T | null)[] {
    const tails = new Array<T | null>(PRIORITY_LEVELS).fill(null);
    tails[tail.priority] = tail;
    this.levels = 1 << tail.priority;
    this.levelTails = tails;
    return tails;
  }
}
