/**
 * greenkernel drain workloads: n threads blocked on one primitive, then released one at a time,
 * timed as two phases (block, then release).
 *
 * Interface: semaphoreDrain(n, options) -> DrainRun, mutexDrain(n, options) -> DrainRun,
 * runWithin(kernel, deadline) -> idle?, DRAIN_KERNEL_OPTIONS.
 * Invariants:
 *  - every drain is on a fresh kernel with `detection: false` (deadlock detection has its own
 *    benchmark), strict priority, every thread at priority 0;
 *  - block phase: n threads are spawned and run until none is runnable; it ends with all n
 *    blocked on the primitive (entered === n and released === 0 when the kernel is idle prove
 *    it: a thread cannot pass its wait without incrementing released);
 *  - release phase: one thread at a time is woken and runs to its end before the next is woken
 *    (semaphore: a releaser thread up()s once and yields; mutex: each waiter unlocks, handing
 *    the mutex to the next, a chain of n hand-offs). One wake = one thread released and finished;
 *  - the release phase stops at the first slice boundary (SLICE_STEPS dispatches) at or after
 *    `budgetSeconds`: the run is then stopped (partial) and counts only the threads that finished;
 *  - `betweenPhases` (e.g. a minor GC) runs after the block phase, outside both timings;
 *  - a run that was not stopped but is not complete is a broken workload: the caller fails.
 *  - with a probe, each thread logs its spawn index when it is released: a complete drain logs
 *    0, 1, ..., n-1 (FIFO among equal priorities). Timed runs pass no probe (one never-taken
 *    branch per wake).
 */
import { Kernel, Mutex, Semaphore, type KernelOptions, type Routine } from '../../lib/index.ts';
import type { Probe } from '../types.ts';

/** Dispatches between two looks at the clock in the release phase (~2-20 µs at O(1) wakes). */
const SLICE_STEPS = 64;

export const DRAIN_KERNEL_OPTIONS: KernelOptions = { name: 'bench-drain', detection: false };

export interface DrainOptions {
  /** Seconds the release phase may take (Infinity: no limit). */
  readonly budgetSeconds: number;
  readonly probe: Probe | null;
  /** Runs between the two phases, untimed. */
  readonly betweenPhases?: () => void;
}

/** What one drain of n did and how long each phase took. */
export interface DrainRun {
  readonly n: number;
  /** Threads that reached the wait in the block phase (n). */
  readonly entered: number;
  /** Threads released and finished in the release phase (n when complete). */
  readonly released: number;
  readonly blockSeconds: number;
  readonly releaseSeconds: number;
  /** The budget ran out before the kernel went idle: released < n. */
  readonly stopped: boolean;
  /** Every thread released and finished, the primitive left free, no thread left alive. */
  readonly complete: boolean;
}

/**
 * Runs `kernel` until nothing is runnable or `deadline` (performance.now() ms) has passed,
 * looking at the clock every SLICE_STEPS dispatches; true when the kernel went idle.
 *
 * @example
 * const idle = runWithin(kernel, performance.now() + 15_000);
 */
export function runWithin(kernel: Kernel, deadline: number): boolean {
  for (;;) {
    if (kernel.runUntilIdle(SLICE_STEPS) < SLICE_STEPS) return true;
    if (performance.now() >= deadline) return false;
  }
}

interface Counts {
  entered: number;
  released: number;
}

/** Spawns n copies of `body` and runs them until they all wait; returns the seconds it took. */
function blockPhase(kernel: Kernel, n: number, body: () => Routine<void>, counts: Counts): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) kernel.spawn(body);
  kernel.runUntilIdle();
  const seconds = (performance.now() - t0) / 1000;
  if (counts.entered !== n || counts.released !== 0) {
    throw new Error(
      `drain: block phase left ${counts.entered} of ${n} threads waiting, ${counts.released} already released`,
    );
  }
  return seconds;
}

/** Runs the release phase under the budget; returns the seconds it took and whether it ended. */
function releasePhase(kernel: Kernel, budgetSeconds: number): { seconds: number; idle: boolean } {
  const t0 = performance.now();
  const idle = runWithin(kernel, t0 + budgetSeconds * 1000);
  return { seconds: (performance.now() - t0) / 1000, idle };
}

function result(
  n: number,
  counts: Counts,
  blockSeconds: number,
  release: { seconds: number; idle: boolean },
  free: boolean,
  kernel: Kernel,
): DrainRun {
  const complete = release.idle && counts.released === n && free && kernel.liveCount === 0;
  return {
    n,
    entered: counts.entered,
    released: counts.released,
    blockSeconds,
    releaseSeconds: release.seconds,
    stopped: !release.idle,
    complete,
  };
}

/**
 * n threads blocked in `down()` on one Semaphore(0); a releaser thread then does `up(); yield`
 * n times, so each woken thread runs to its end before the next wake.
 *
 * @example
 * const r = semaphoreDrain(1000, { budgetSeconds: 15, probe: null }); r.released; // 1000
 */
export function semaphoreDrain(n: number, options: DrainOptions): DrainRun {
  const probe = options.probe;
  const kernel = new Kernel(DRAIN_KERNEL_OPTIONS);
  const sem = new Semaphore(0, 'drain.gate');
  const counts: Counts = { entered: 0, released: 0 };
  function* waiter(): Routine<void> {
    const id = counts.entered++;
    yield* sem.down();
    if (probe !== null) probe.log.push(id);
    counts.released++;
  }
  const blockSeconds = blockPhase(kernel, n, waiter, counts);
  kernel.spawn(function* releaser(): Routine<void> {
    for (let i = 0; i < n; i++) {
      sem.up();
      yield;
    }
  });
  options.betweenPhases?.();
  const release = releasePhase(kernel, options.budgetSeconds);
  return result(n, counts, blockSeconds, release, sem.waiting === 0 && sem.count === 0, kernel);
}

/**
 * One thread holds a Mutex while n threads block in `lock()`; released, the holder unlocks and
 * each waiter, handed the mutex, unlocks at once: a chain of n hand-offs.
 *
 * @example
 * const r = mutexDrain(1000, { budgetSeconds: 15, probe: null }); r.released; // 1000
 */
export function mutexDrain(n: number, options: DrainOptions): DrainRun {
  const probe = options.probe;
  const kernel = new Kernel(DRAIN_KERNEL_OPTIONS);
  const m = new Mutex('drain.lock');
  const go = new Semaphore(0, 'drain.go');
  const counts: Counts = { entered: 0, released: 0 };
  kernel.spawn(function* holder(): Routine<void> {
    yield* m.lock();
    yield* go.down();
    m.unlock();
  });
  kernel.runUntilIdle();
  if (m.owner === null) throw new Error('drain: the holder did not take the mutex');
  function* waiter(): Routine<void> {
    const id = counts.entered++;
    yield* m.lock();
    if (probe !== null) probe.log.push(id);
    counts.released++;
    m.unlock();
  }
  const blockSeconds = blockPhase(kernel, n, waiter, counts);
  go.up();
  options.betweenPhases?.();
  const release = releasePhase(kernel, options.budgetSeconds);
  return result(n, counts, blockSeconds, release, !m.locked, kernel);
}
