/**
 * ThreadQueue: an intrusive, doubly linked FIFO of threads.
 *
 * Interface: pushBack, popFront, remove, has-style checks through `contains`.
 * Invariants: a thread is in at most one queue at a time (run queue or one wait queue), which
 * its `qowner` field records; `length` equals the number of linked threads. The links live in
 * the thread itself, so enqueueing and dequeueing allocate nothing — these are the hot paths of
 * block and wake.
 */
import { assert } from './assert.ts';

/** What a queue needs of its elements: the intrusive links. */
export interface Linked {
  qnext: Linked | null;
  qprev: Linked | null;
  qowner: ThreadQueue<Linked> | null;
}

/** An intrusive FIFO. Elements carry their own links, so no operation allocates. */
export class ThreadQueue<T extends Linked> {
  head: T | null = null;
  tail: T | null = null;
  length = 0;

  /**
   * Appends `item`, which must not be in any queue.
   *
   * @example
   * const q = new ThreadQueue<Thread>();
   * q.pushBack(thread);
   */
  pushBack(item: T): void {
    assert(item.qowner === null, 'pushBack: item is already in a queue');
    item.qowner = this as ThreadQueue<Linked>;
    item.qnext = null;
    item.qprev = this.tail;
    if (this.tail === null) this.head = item;
    else this.tail.qnext = item;
    this.tail = item;
    this.length++;
  }

  /**
   * Removes and returns the first element, or null when empty.
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
   * The elements in order, as a new array (for reports; not for hot paths).
   *
   * @example
   * q.toArray().map((t) => t.name);
   */
  toArray(): T[] {
    const out: T[] = [];
    for (let item = this.head; item !== null; item = item.qnext as T | null) out.push(item);
    return out;
  }
}
