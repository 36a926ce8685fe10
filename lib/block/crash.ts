/**
 * The epoch crash rule, shared by MemoryDisk.crash() and RecordingDisk's crash images: which
 * sets of unstable writes may survive a power loss.
 *
 * Interface: chooseSurvivors(unstable, rng), survivorsProblem(unstable, chosen).
 * Rule: writes of epoch N become stable no later than any write of epoch N+1, so a crash keeps
 * every unstable write of the epochs below some E, any subset of those of epoch E, and none
 * above E (E may also keep nothing at all). Within one epoch the device may reorder freely.
 */
import type { SeededRandom } from '../spi.ts';

/** What the rule needs of a write. */
export interface EpochTagged {
  readonly epoch: number;
}

/**
 * A seeded choice of survivors allowed by the rule: a cut epoch E drawn among the epochs
 * present, every write below it, each write of E with probability 1/2. In input order.
 *
 * @example
 * const kept = chooseSurvivors(disk.unstableWrites, kernel.random('crash'));
 */
export function chooseSurvivors<T extends EpochTagged>(
  unstable: readonly T[],
  rng: SeededRandom,
): T[] {
  if (unstable.length === 0) return [];
  const epochs = [...new Set(unstable.map((w) => w.epoch))].sort((a, b) => a - b);
  const cut = epochs[rng.below(epochs.length)]!;
  return unstable.filter((w) => w.epoch < cut || (w.epoch === cut && rng.below(2) === 1));
}

/**
 * Why `chosen` cannot survive a crash together (a write of a later epoch kept while one of an
 * earlier epoch is dropped), or null when the rule allows it. `chosen` must be a subset of
 * `unstable`.
 *
 * @example
 * survivorsProblem(unstable, [w2]); // 'keeps a write of epoch 2 but drops one of epoch 1'
 */
export function survivorsProblem<T extends EpochTagged>(
  unstable: readonly T[],
  chosen: ReadonlySet<T>,
): string | null {
  let highestKept = -1;
  for (const w of chosen) highestKept = Math.max(highestKept, w.epoch);
  for (const w of unstable)
    if (!chosen.has(w) && w.epoch < highestKept)
      return `keeps a write of epoch ${highestKept} but drops one of epoch ${w.epoch}`;
  return null;
}
