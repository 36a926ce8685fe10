/**
 * The block cache's parts that are not the cache itself: its options and counters, its limits,
 * the Slot (one block buffer and its state), and the argument checks.
 *
 * Interface: BlockCacheOptions, BlockCacheStats, Slot, MAX_WRITEBACK_RUN, MAX_CACHE_ROUNDS,
 * MAX_CACHE_BLOCKS, DONE, evictable(slot), waitUnlocked(lock), checkCount, checkRequest,
 * newStats.
 * Invariants: a Slot with `io` set has its lock held by the thread doing the I/O; `lba` is -1
 * exactly when the slot caches nothing; a dirty slot is never evictable.
 */
import { GreenkernelError, type Mutex, type Operation, type Routine } from '../index.ts';
import { BlockBufferError, BlockRangeError } from '../block/errors.ts';
import type { MemoryArbiter } from '../mem/arbiter.ts';
import type { PolicyEntry, PolicyKind } from './policy.ts';

export const MAX_WRITEBACK_RUN = 8;
/** Rounds a request retries (a block busy, evicted, rewritten meanwhile) before giving up. */
export const MAX_CACHE_ROUNDS = 1000;
/** Blocks one cache holds at most. */
export const MAX_CACHE_BLOCKS = 1 << 20;

export interface BlockCacheOptions {
  /** Names the block locks, the balloon thread and the arbiter account. Default 'cache'. */
  readonly name?: string;
  /** Replacement policy: 'lru' (default) or 'sieve' (see policy.ts for why SIEVE). */
  readonly policy?: PolicyKind;
  /** Every write reaches the device before it returns. Default false (write-back). */
  readonly writeThrough?: boolean;
  /** Blocks always held (the arbiter minimum). At least 1. */
  readonly minBlocks: number;
  /** Blocks held at most. Default: minBlocks without an arbiter, else MAX_CACHE_BLOCKS. */
  readonly maxBlocks?: number;
  /** Where more memory comes from; without one the cache keeps minBlocks. */
  readonly arbiter?: MemoryArbiter;
  /** Blocks asked for by one quota request. Default 16. */
  readonly growBlocks?: number;
}

/** Counters, for tests, benchmarks and demos. */
export interface BlockCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  /** Device writes issued by write-back (a run of blocks counts once). */
  writebacks: number;
  writeErrors: number;
  /** Quota requests granted and denied. */
  grants: number;
  denials: number;
  /** Yield requests answered and blocks released for them. */
  yields: number;
  released: number;
  /** Block buffers ever allocated (only on a grant, or at construction). */
  buffersAllocated: number;
}

/** One block buffer and what the cache knows about it. */
export class Slot implements PolicyEntry {
  lba = -1;
  dirty = false;
  /** The epoch of the dirty data. */
  epoch = 0;
  /** The dirty data was written with FUA: its write-back carries FUA. */
  fua = false;
  /** I/O in flight on this buffer: its lock is held by the thread doing it. */
  io = false;
  prev: Slot | null = null;
  next: Slot | null = null;
  visited = false;
  lock: Mutex | null = null;
  constructor(readonly data: Uint8Array) {}
}

export function evictable(s: Slot): boolean {
  return !s.dirty && !s.io;
}

export function* waitUnlocked(lock: Mutex): Routine<void> {
  yield* lock.lock();
  lock.unlock();
}

export function checkCount(n: number, what: string, min: number): number {
  if (!(Number.isSafeInteger(n) && n >= min && n <= MAX_CACHE_BLOCKS))
    throw new GreenkernelError(
      'EINVAL',
      `BlockCache ${what} must be an integer in [${min}, ${MAX_CACHE_BLOCKS}], got ${n}`,
    );
  return n;
}

/** Refuses a request outside the device or with a wrong-sized buffer, before anything changes. */
export function checkRequest(
  name: string,
  blockSize: number,
  blockCount: number,
  lba: number,
  n: number,
  buf: Uint8Array,
): void {
  if (!(Number.isSafeInteger(lba) && Number.isSafeInteger(n) && lba >= 0 && n > 0))
    throw new BlockRangeError(name, lba, n, blockCount);
  if (lba + n > blockCount) throw new BlockRangeError(name, lba, n, blockCount);
  if (!(buf instanceof Uint8Array) || buf.length !== n * blockSize)
    throw new BlockBufferError(
      name,
      n * blockSize,
      buf instanceof Uint8Array ? buf.length : typeof buf,
    );
}

/** Counters at zero. */
export function newStats(): BlockCacheStats {
  return {
    hits: 0,
    misses: 0,
    evictions: 0,
    writebacks: 0,
    writeErrors: 0,
    grants: 0,
    denials: 0,
    yields: 0,
    released: 0,
    buffersAllocated: 0,
  };
}

const doneResult: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });
const doneIterator: Iterator<undefined, void, unknown> = { next: () => doneResult };
/** An operation already complete: what a hit returns, so `yield*` on it allocates nothing. */
export const DONE: Operation<void> = Object.freeze({ [Symbol.iterator]: () => doneIterator });
