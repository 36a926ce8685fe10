/**
 * The scheduling-strategy hook: lets a tool (the schedule explorer, lib/explore/) decide at
 * every scheduling point which runnable thread runs next.
 *
 * Interface: SchedulingStrategy (one method, `next`), installed as `kernel.strategy`.
 * Invariants: the kernel asks only among the threads of the highest runnable priority level, in
 * FIFO order, so a strategy never breaks strict priority: index 0 is exactly what the kernel
 * would run without a strategy (FIFO), any other index is what a preemptive scheduler could
 * have done at that point (the thread that just yielded included). It is asked at every
 * dispatch while installed, even with one candidate, so it sees every step. Without a strategy
 * the switch path is unchanged but for one null test of a local per dispatch.
 */
import type { KernelCore } from './kernel.ts';
import type { Thread } from './thread.ts';

/** Decides, at every scheduling point, which runnable thread runs next. */
export interface SchedulingStrategy {
  /**
   * The index in `runnable` (highest priority level, FIFO order, at least one thread; the
   * array is reused: copy it to keep it) of the thread to dispatch now. Index 0 is the
   * kernel's own choice. An error thrown here fails the run (it is kept as the kernel's fatal
   * error and thrown by run()/runSync()).
   *
   * @example
   * const roundRobinBackwards: SchedulingStrategy = { next: (runnable) => runnable.length - 1 };
   * kernel.strategy = roundRobinBackwards;
   */
  next(runnable: readonly Thread[], kernel: KernelCore): number;
}
