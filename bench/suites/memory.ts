/**
 * Suite "memory": bytes per blocked thread, 3 frames deep and 1 frame deep, per contender.
 *
 * Interface: runMemory(method, progress) -> MemoryResult[].
 * Invariants: runs under `--expose-gc`; one contender at a time, each measured with
 * method.memoryThreads threads and released before the next; a result whose verified count
 * differs from the threads created fails the suite (the figure would be per the wrong count).
 */
import { BLOCKERS } from '../memory/blockers.ts';
import { measureBlocked } from '../memory/measure.ts';
import type { Method } from '../method.ts';
import type { MemoryResult } from '../types.ts';

const DEPTHS: readonly { depth: number; workload: string }[] = [
  { depth: 3, workload: 'blocked-d3' },
  { depth: 1, workload: 'blocked-d1' },
];

/**
 * Measures every blocker at depth 3 and depth 1.
 *
 * @example
 * const rows = await runMemory(methodFor(true), console.error);
 */
export async function runMemory(
  method: Method,
  progress: (line: string) => void,
): Promise<MemoryResult[]> {
  const out: MemoryResult[] = [];
  for (const { depth, workload } of DEPTHS) {
    for (const contender of Object.keys(BLOCKERS)) {
      const r = await measureBlocked(contender, method.memoryThreads, depth, workload);
      if (r.verifiedBlocked !== r.threads) {
        throw new Error(
          `${workload}/${contender}: ${r.verifiedBlocked} of ${r.threads} threads were blocked at depth ${depth}`,
        );
      }
      progress(
        `  ${workload}/${contender}: ${r.median.toFixed(0)} bytes/thread (${r.threads} threads verified blocked)`,
      );
      out.push(r);
    }
  }
  return out;
}
