/**
 * Suite "capacity": how many blocked greenkernel threads fit in one process (target
 * 1,000,000), each blocked in Semaphore.down() 3 frames deep — and whether they can then all be
 * released one at a time.
 *
 * Interface: runCapacity(method, progress) -> CapacityResult.
 * Invariants: runs under `--expose-gc` with whatever heap limit the parent chose (it prints
 * it); the heap figure is read after forced collections, with every thread verified blocked;
 * the threads are then released one at a time (a releaser thread up()s the semaphore once and
 * yields, so each woken thread finishes before the next wake), within
 * method.capacityDrainBudgetSeconds, and whatever the budget left is released at once; an
 * out-of-memory crash ends the process, which the parent reports as "does not fit" and
 * retries with a larger explicit heap. The kernel is the blocker's (default options: deadlock
 * detection on), as in the memory suite, and the drain follows the forced GCs of the heap
 * reading: its time answers "does it finish", the drain suite measures the rate.
 */
import { getHeapStatistics } from 'node:v8';
import { BLOCKERS } from '../memory/blockers.ts';
import { forceGc } from '../memory/measure.ts';
import type { Method } from '../method.ts';
import type { CapacityResult } from '../types.ts';

const DEPTH = 3;

/**
 * Blocks method.capacityThreads greenkernel threads, reports the heap they take, then releases
 * them one at a time and reports how long that took.
 *
 * @example
 * const c = await runCapacity(methodFor(true), console.error); c.verifiedBlocked; // 10,000
 */
export async function runCapacity(
  method: Method,
  progress: (line: string) => void,
): Promise<CapacityResult> {
  const blocker = BLOCKERS['greenkernel-semaphore-down']!;
  const threads = method.capacityThreads;
  forceGc();
  const heapBeforeBytes = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const held = blocker.block(threads, DEPTH);
  const seconds = (performance.now() - t0) / 1000;
  forceGc();
  const mem = process.memoryUsage();
  const verifiedBlocked = held.blocked();
  progress(
    `  ${verifiedBlocked} threads blocked ${DEPTH} frames deep in ${seconds.toFixed(2)} s, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
  const budget = method.capacityDrainBudgetSeconds;
  const drain = held.releaseOneByOne!(budget);
  progress(
    `  released one at a time: ${drain.released} of ${verifiedBlocked} in ${drain.seconds.toFixed(2)} s` +
      `${drain.complete ? '' : ` (budget ${budget} s ran out; the rest released at once)`}`,
  );
  await held.release();
  return {
    threads,
    verifiedBlocked,
    depth: DEPTH,
    heapBeforeBytes,
    heapUsedBytes: mem.heapUsed,
    heapLimitBytes: getHeapStatistics().heap_size_limit,
    rssBytes: mem.rss,
    seconds,
    drained: drain.released,
    drainSeconds: drain.seconds,
    drainComplete: drain.complete,
    drainBudgetSeconds: budget,
  };
}
