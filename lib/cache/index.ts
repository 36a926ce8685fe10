/**
 * greenkernel/cache: a block cache offering the block session over a block session, with LRU
 * or SIEVE replacement, epoch-keeping write-back, write-through, and ballooning under a
 * MemoryArbiter (lib/mem).
 */
export { BlockCache } from './cache.ts';
export { MAX_CACHE_BLOCKS, MAX_CACHE_ROUNDS, MAX_WRITEBACK_RUN } from './slot.ts';
export type { BlockCacheOptions, BlockCacheStats } from './slot.ts';
export { Replacement } from './policy.ts';
export type { PolicyEntry, PolicyKind } from './policy.ts';
