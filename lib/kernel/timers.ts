/**
 * TimerHeap: a binary min-heap of threads with an armed timer, ordered by (deadline, timerSeq).
 *
 * Each thread has at most one timer (its sleep or its wait timeout), stored in its own fields,
 * so arming and cancelling allocate nothing. `timerSeq` breaks ties in arming order, which keeps
 * wake-ups deterministic. Invariant: heap[i].heapIndex === i for every i.
 */
import { assert } from './assert.ts';
import type { Thread } from './thread.ts';

export class TimerHeap {
  private readonly heap: Thread[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Deadline of the earliest timer, or Infinity. */
  nextDeadline(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0]!.deadline;
  }

  /** Arms `t`'s timer for `deadline`. */
  arm(t: Thread, deadline: number): void {
    assert(t.heapIndex === -1, 'a thread has at most one armed timer');
    t.deadline = deadline;
    t.timerSeq = this.seq++;
    t.heapIndex = this.heap.length;
    this.heap.push(t);
    this.siftUp(t.heapIndex);
  }

  /** Disarms `t`'s timer if armed. */
  cancel(t: Thread): void {
    const i = t.heapIndex;
    if (i < 0) return;
    assert(this.heap[i] === t, 'timer heap index out of sync');
    const last = this.heap.pop()!;
    t.heapIndex = -1;
    if (last !== t) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.siftDown(i);
      this.siftUp(last.heapIndex);
    }
  }

  /** Removes and returns the earliest thread if its deadline is <= now, else null. */
  popDue(now: number): Thread | null {
    if (this.heap.length === 0 || this.heap[0]!.deadline > now) return null;
    const t = this.heap[0]!;
    this.cancel(t);
    return t;
  }

  private less(a: Thread, b: Thread): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.timerSeq < b.timerSeq);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    const t = h[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(t, h[parent]!)) break;
      h[i] = h[parent]!;
      h[i]!.heapIndex = i;
      i = parent;
    }
    h[i] = t;
    t.heapIndex = i;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const t = h[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(h[right]!, h[left]!) ? right : left;
      if (!this.less(h[child]!, t)) break;
      h[i] = h[child]!;
      h[i]!.heapIndex = i;
      i = child;
    }
    h[i] = t;
    t.heapIndex = i;
  }
}
