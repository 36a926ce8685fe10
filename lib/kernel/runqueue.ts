/**
 * RunQueue: the runnable threads of one kernel, by priority.
 *
 * Interface: enqueue, dequeueNext (strict priority, FIFO or seeded-random among equals),
 * dequeueChosen (a SchedulingStrategy picks among the highest level), remove.
 * Invariants:
 *  - bit p of `nonEmpty` is set ⇔ level p holds a thread;
 *  - every queued thread is RUNNABLE, in no wait queue (qowner null), and in the level of its
 *    priority, linked through its own `qnext` from heads[p] to tails[p]; the tail's `qnext`,
 *    and that of every thread not queued here, is null.
 * The levels are intrusive FIFO lists through the thread's wait-queue link (a runnable thread
 * is in no wait queue, so the link is free): enqueue and dequeue are O(1), write only links,
 * and allocate nothing however many threads are runnable — they are the switch path. Only
 * the seeded-random policy, a strategy and `remove` (a priority change) walk one level.
 */
import { assert } from './assert.ts';
import { InvalidArgumentError } from './errors.ts';
import { PRIORITY_LEVELS } from './queue.ts';
import type { SeededRandom } from './random.ts';
import type { KernelCore } from './kernel.ts';
import type { SchedulingStrategy } from './strategy.ts';
import { S_RUNNABLE, type Thread } from './thread.ts';

export { PRIORITY_LEVELS };

export class RunQueue {
  private readonly heads: (Thread | null)[] = new Array<Thread | null>(PRIORITY_LEVELS).fill(null);
  private readonly tails: (Thread | null)[] = new Array<Thread | null>(PRIORITY_LEVELS).fill(null);
  private nonEmpty = 0;
  /** The candidates shown to a strategy (reused: no allocation per decision). */
  private readonly view: Thread[] = [];

  constructor(private readonly random: SeededRandom | null) {}

  /** Appends `t` at the tail of its priority level. */
  enqueue(t: Thread): void {
    const p = t.priority;
    const tail = this.tails[p] as Thread | null;
    // A thread queued twice would make its level a cycle: its link must be free and it must
    // not be the tail, whose link is null too.
    assert(
      t.state === S_RUNNABLE && t.qowner === null && t.qnext === null && tail !== t,
      'only runnable threads in no queue are queued',
    );
    if (tail === null) {
      this.heads[p] = t;
      this.nonEmpty |= 1 << p;
    } else {
      tail.qnext = t;
    }
    this.tails[p] = t;
  }

  /** True when no thread is runnable. */
  get empty(): boolean {
    return this.nonEmpty === 0;
  }

  /** Number of runnable threads, counted by walking the levels: O(runnable), for reports. */
  get size(): number {
    let n = 0;
    for (let p = 0; p < PRIORITY_LEVELS; p++) n += this.levelLength(p);
    return n;
  }

  /** Removes and returns the thread to run next, or null when none is runnable. */
  dequeueNext(): Thread | null {
    const bits = this.nonEmpty;
    if (bits === 0) return null;
    const p = 31 - Math.clz32(bits);
    const t = this.heads[p]!;
    const next = t.qnext as Thread | null;
    // The random policy draws only when there is a choice, so a seed's schedule does not
    // depend on how often a thread ran alone.
    if (next !== null && this.random !== null)
      return this.unlinkAt(p, this.random.below(this.levelLength(p)));
    this.heads[p] = next;
    if (next === null) {
      this.tails[p] = null;
      this.nonEmpty = bits & ~(1 << p);
    } else {
      t.qnext = null;
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
    const view = this.view;
    for (let t = this.heads[p]; t !== null; t = t.qnext as Thread | null) view.push(t);
    const n = view.length;
    let i: number;
    try {
      i = strategy.next(view, k);
    } finally {
      view.length = 0;
    }
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw new InvalidArgumentError(
        `scheduling strategy chose ${String(i)} of ${n} runnable threads (0..${n - 1})`,
      );
    return this.unlinkAt(p, i);
  }

  /** Unlinks a queued thread (its priority is about to change). O(threads at its level). */
  remove(t: Thread): void {
    const p = t.priority;
    let prev: Thread | null = null;
    let at = this.heads[p] as Thread | null;
    while (at !== null && at !== t) {
      prev = at;
      at = at.qnext as Thread | null;
    }
    assert(at === t, 'remove: thread is not in the run queue');
    this.unlink(p, prev, t);
  }

  /** The queued threads, highest priority first (for reports). */
  toArray(): Thread[] {
    const out: Thread[] = [];
    for (let p = PRIORITY_LEVELS - 1; p >= 0; p--)
      for (let t = this.heads[p]; t !== null; t = t.qnext as Thread | null) out.push(t);
    return out;
  }

  private levelLength(p: number): number {
    let n = 0;
    for (let t = this.heads[p]; t !== null; t = t.qnext as Thread | null) n++;
    return n;
  }

  /** Removes and returns the thread at position `i` (0 = head) of level `p`, keeping the order. */
  private unlinkAt(p: number, i: number): Thread {
    let prev: Thread | null = null;
    let t = this.heads[p]!;
    for (let j = 0; j < i; j++) {
      prev = t;
      t = t.qnext as Thread;
    }
    this.unlink(p, prev, t);
    return t;
  }

  /** Unlinks `t` from level `p`, where `prev` is the thread before it (null: it is the head). */
  private unlink(p: number, prev: Thread | null, t: Thread): void {
    const next = t.qnext as Thread | null;
    if (prev === null) this.heads[p] = next;
    else prev.qnext = next;
    if (next === null) this.tails[p] = prev;
    t.qnext = null;
    if (this.heads[p] === null) this.nonEmpty &= ~(1 << p);
  }
}
