/**
 * RunQueue: the runnable threads of one kernel, by priority.
 *
 * Interface: enqueue, dequeueNext (strict priority, FIFO or seeded-random among equals), remove.
 * Invariants: bit p of `nonEmpty` is set ⇔ level p has a thread; `size` is the sum of levels;
 * every queued thread has state RUNNABLE. Levels are intrusive lists, so nothing allocates.
 */
import { assert } from './assert.ts';
import { ThreadQueue } from './queue.ts';
import type { SeededRandom } from './random.ts';
import { S_RUNNABLE, type Thread } from './thread.ts';

/** Priorities are integers in [0, PRIORITY_LEVELS); higher runs first. */
export const PRIORITY_LEVELS = 32;

export class RunQueue {
  private readonly levels: ThreadQueue<Thread>[] = [];
  private nonEmpty = 0;
  size = 0;

  constructor(private readonly random: SeededRandom | null) {
    for (let p = 0; p < PRIORITY_LEVELS; p++) this.levels.push(new ThreadQueue<Thread>());
  }

  /** Appends `t` at the tail of its priority level. */
  enqueue(t: Thread): void {
    assert(t.state === S_RUNNABLE, 'only runnable threads are queued');
    this.levels[t.priority]!.pushBack(t);
    this.nonEmpty |= 1 << t.priority;
    this.size++;
  }

  /** Removes and returns the thread to run next, or null when none is runnable. */
  dequeueNext(): Thread | null {
    if (this.nonEmpty === 0) return null;
    const p = 31 - Math.clz32(this.nonEmpty);
    const level = this.levels[p]!;
    let t: Thread;
    if (this.random === null || level.length === 1) {
      t = level.head!;
    } else {
      let pick = this.random.below(level.length);
      t = level.head!;
      while (pick-- > 0) t = t.qnext as Thread;
    }
    this.remove(t);
    return t;
  }

  /** Unlinks a queued thread (its priority is about to change, or it is being killed). */
  remove(t: Thread): void {
    const level = this.levels[t.priority]!;
    level.remove(t);
    if (level.length === 0) this.nonEmpty &= ~(1 << t.priority);
    this.size--;
    assert(this.size >= 0, 'run queue size went negative');
  }

  /** The queued threads, highest priority first (for reports). */
  toArray(): Thread[] {
    const out: Thread[] = [];
    for (let p = PRIORITY_LEVELS - 1; p >= 0; p--) out.push(...this.levels[p]!.toArray());
    return out;
  }
}
