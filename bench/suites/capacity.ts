/**
 * Suite "capacity": how many blocked greenkernel threads fit in one process (target
 * 1,000,000), each blocked on a Completion 3 frames deep.
 *
 * Interface: runCapacity(method, progress) -> CapacityResult.
 * Invariants: runs under `--expose-gc` with whatever heap limit the parent chose (it prints
 * it); the heap figure is read after forced collections, with every thread verified blocked;
 * an out-of-memory crash ends the process, which the parent reports as "does not fit" and
 * retries with a larger explicit heap.
 */
import { getHeapStatistics } from 'node:v8';
import { BLOCKERS } from '../memory/blockers.ts';
import { forceGc } from '../memory/measure.ts';
import type { Method } from '../method.ts';
import type { CapacityResult } from '../types.ts';

const DEPTH = 3;

/**
 * Blocks method.capacityThreads greenkernel threads and reports the heap they take.
 *
 * @example
 * const c = await runCapacity(methodFor(true), console.error); c.verifiedBlocked; // 10,000
 */
export async function runCapacity(method: Method, progress: (line: string) => void): Promise<CapacityResult> {
  const blocker = BLOCKERS['greenkernel-completion']!;
  const threads = method.capacityThreads;
  forceGc();
  const heapBeforeBytes = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const held = blocker.block(threads, DEPTH);
  const seconds = (performance.now() - t0) / 1000;
  forceGc();
  const mem = process.memoryUsage();
  const verifiedBlocked = held.blocked();
  progress(`  ${verifiedBlocked} threads blocked ${DEPTH} frames deep in ${seconds.toFixed(2)} s, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
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
  };
}
