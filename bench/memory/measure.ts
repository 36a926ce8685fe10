/**
 * Heap cost of blocked threads: the heap delta, after forced full collections, of leaving
 * `count` threads blocked, divided by `count`.
 *
 * Interface: forceGc(), measureBlocked(contender, count, depth) -> MemoryResult.
 * Invariants: needs `--expose-gc` (throws without it: an uncollected heap would make the figure
 * meaningless); the "before" reading is taken after the blocker's code has been loaded and run
 * once on a few threads, so compiled code and feedback vectors are not counted; the threads are
 * verified blocked after the "after" reading and released before returning, so measurements of
 * different contenders in one process do not see each other's threads.
 */
import type { MemoryResult } from '../types.ts';
import { BLOCKERS } from './blockers.ts';

const WARM_THREADS = 64;

/**
 * Runs full garbage collections until the heap stops shrinking (at most 6).
 *
 * @example
 * forceGc(); const used = process.memoryUsage().heapUsed;
 */
export function forceGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('memory measurements need node --expose-gc');
  let last = Infinity;
  for (let i = 0; i < 6; i++) {
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used >= last - 1024) break;
    last = used;
  }
}

/**
 * Measures bytes per thread for `count` threads of `contender` blocked `depth` frames deep.
 *
 * @example
 * const r = await measureBlocked('greenkernel-completion', 100_000, 3);
 * r.median; // bytes per blocked thread
 */
export async function measureBlocked(
  contender: string,
  count: number,
  depth: number,
  workload: string,
): Promise<MemoryResult> {
  const blocker = BLOCKERS[contender];
  if (blocker === undefined) throw new Error(`no blocker for contender ${contender}`);
  const warm = blocker.block(WARM_THREADS, depth);
  await warm.release();
  forceGc();
  const before = process.memoryUsage().heapUsed;
  const held = blocker.block(count, depth);
  forceGc();
  const after = process.memoryUsage().heapUsed;
  const verifiedBlocked = held.blocked();
  await held.release();
  forceGc();
  const delta = after - before;
  return {
    workload,
    contender,
    unit: 'bytes/thread',
    depth,
    threads: count,
    verifiedBlocked,
    heapDeltaBytes: delta,
    median: delta / count,
    note: blocker.label,
  };
}
