/**
 * BlockCache: a block cache that offers the block session over a block session, so it stacks
 * between a file system and a device (fs -> cache -> device), borrowing memory from a
 * MemoryArbiter and giving it back on a yield request (store.ts).
 *
 * Interface: `new BlockCache(device, options)`, the BlockSession (`read`, `write`, `barrier`,
 * `flush`, `epoch`), `stats`, `blocks` (buffers held), `dirtyBlocks`, `verify()`.
 *
 * Write-back keeps the client's epochs. A client barrier only closes the cache's epoch; a dirty
 * block remembers the epoch of its data, and write-back goes oldest epoch first with a device
 * barrier between epochs (store.ts). A block dirty in epoch N that is written again in N+1 is
 * handled by writing back epoch N (through N, all of it) first: no frozen copy, so no extra
 * memory. FUA and write-through writes go into the cache and then write back through their own
 * epoch (the FUA flag passes through to the device write of that block); `flush` writes back
 * everything, flushes the device, and only then returns.
 * Errors: a device error on a write-back is thrown to the client operation that caused it
 * (flush, a FUA or write-through write, an eviction on a read or write) and latched until the
 * next flush, which throws it: a flush never succeeds after an unreported write-back failure.
 * A miss grows the cache by asking the arbiter (`growBlocks` at a time, up to `maxBlocks`) until
 * a request is denied, and asks again only after the arbiter's back-off.
 */
import { GreenkernelError, currentKernel, type Operation, type Routine } from '../index.ts';
import type { BlockSession, WriteOptions, WriteResult } from '../block/session.ts';
import { BlockStore } from './store.ts';
import {
  DONE,
  MAX_CACHE_ROUNDS,
  Slot,
  checkRequest,
  evictable,
  type BlockCacheOptions,
} from './slot.ts';

export class BlockCache extends BlockStore implements BlockSession {
  /**
   * @example
   * const cache = new BlockCache(disk, { minBlocks: 64, arbiter, policy: 'sieve' });
   * yield* cache.write(7, 1, data); yield* cache.flush();
   */
  constructor(device: BlockSession, options: BlockCacheOptions) {
    super(device, options);
  }

  /**
   * Reads `count` blocks from `lba` into `into`: from the cache, or from the device on a miss.
   *
   * @example
   * const buf = new Uint8Array(cache.blockSize); yield* cache.read(7, 1, buf);
   */
  read(lba: number, count: number, into: Uint8Array): Operation<void> {
    // The hit path: no lock, no generator, no allocation (cooperative: nothing runs meanwhile).
    // A mapped lba was checked when it was mapped, so only the buffer is checked here.
    if (count === 1 && into instanceof Uint8Array && into.length === this.blockSize) {
      const s = this.map.get(lba);
      if (s !== undefined && !s.io) {
        this.stats.hits++;
        this.policy.touch(s);
        into.set(s.data);
        return DONE;
      }
    }
    return this.readBlocks(lba, count, into);
  }

  private *readBlocks(lba: number, count: number, into: Uint8Array): Routine<void> {
    this.check(lba, count, into);
    for (let i = 0; i < count; i++) yield* this.readOne(lba + i, into, i * this.blockSize);
  }

  /**
   * Writes `count` blocks at `lba` into the cache (dirty, in the current epoch); with FUA or
   * write-through, also to the device before returning.
   *
   * @example
   * yield* cache.write(7, 1, data, { fua: true });
   */
  *write(
    lba: number,
    count: number,
    data: Uint8Array,
    options?: WriteOptions,
  ): Routine<WriteResult> {
    this.check(lba, count, data);
    const fua = options?.fua === true;
    const epoch = this.epochNow;
    for (let i = 0; i < count; i++) yield* this.writeOne(lba + i, data, i * this.blockSize, fua);
    if (fua || this.writeThrough) yield* this.writeBackThrough(this.epochNow);
    return { epoch, stable: fua };
  }

  /**
   * Closes the current epoch: every write issued before it reaches the device before any
   * issued after it. No I/O: the device barrier is issued at write-back.
   *
   * @example
   * yield* cache.write(1, 1, journal); yield* cache.barrier(); yield* cache.write(9, 1, commit);
   */
  *barrier(): Routine<number> {
    return ++this.epochNow;
  }

  /**
   * Writes back every dirty block (epoch order), flushes the device, then returns. Throws a
   * write-back error from now or latched since the last flush.
   *
   * @example
   * yield* cache.flush(); // everything written before is on stable storage
   */
  *flush(): Routine<void> {
    let failure: unknown = null;
    try {
      yield* this.writeBackThrough(Infinity);
      yield* this.device.flush();
    } catch (error) {
      failure = error;
    }
    const latched = this.latched;
    this.latched = null;
    if (failure !== null) throw failure;
    if (latched !== null) throw latched;
  }

  private *readOne(lba: number, into: Uint8Array, offset: number): Routine<void> {
    for (let round = 0; round < MAX_CACHE_ROUNDS; round++) {
      const s = this.map.get(lba);
      if (s !== undefined) {
        if (s.io) {
          yield* this.waitIo(s);
          continue;
        }
        this.stats.hits++;
        this.policy.touch(s);
        into.set(s.data, offset);
        return;
      }
      const slot = yield* this.freeSlot();
      if (this.map.has(lba)) {
        this.free.push(slot); // another thread brought it in meanwhile
        continue;
      }
      this.stats.misses++;
      this.mapSlot(slot, lba);
      const lock = this.lockOf(slot);
      slot.io = true; // before the lock, which a waiter may hold for a moment: hits wait
      let failure: unknown = null;
      yield* lock.lock();
      try {
        yield* this.device.read(lba, 1, slot.data);
      } catch (error) {
        failure = error;
      }
      this.unlockIo(slot);
      if (failure !== null) {
        this.unmap(slot);
        this.free.push(slot);
        throw failure;
      }
      into.set(slot.data, offset);
      return;
    }
    throw this.tooManyRounds('read', lba);
  }

  private *writeOne(lba: number, data: Uint8Array, offset: number, fua: boolean): Routine<void> {
    const size = this.blockSize;
    for (let round = 0; round < MAX_CACHE_ROUNDS; round++) {
      const s = this.map.get(lba);
      if (s === undefined) {
        const slot = yield* this.freeSlot();
        if (this.map.has(lba)) this.free.push(slot);
        else this.mapSlot(slot, lba);
        continue;
      }
      if (s.io) {
        yield* this.waitIo(s);
        continue;
      }
      if (s.dirty && s.epoch < this.epochNow) {
        // Dirty in an older epoch: that epoch reaches the device before this version exists.
        yield* this.writeBackThrough(s.epoch);
        continue;
      }
      if (offset === 0 && data.length === size) s.data.set(data);
      else s.data.set(data.subarray(offset, offset + size));
      if (!s.dirty) {
        s.dirty = true;
        this.dirty.add(s);
      }
      s.epoch = this.epochNow;
      s.fua ||= fua;
      this.policy.touch(s);
      return;
    }
    throw this.tooManyRounds('write', lba);
  }

  /** A buffer not caching anything: free, newly granted, or evicted (written back if need be). */
  private *freeSlot(): Routine<Slot> {
    for (let round = 0; round < MAX_CACHE_ROUNDS; round++) {
      const free = this.free.pop();
      if (free !== undefined) return free;
      if (yield* this.grow()) continue;
      const victim = this.policy.victim(evictable);
      if (victim !== null) {
        this.unmap(victim);
        this.stats.evictions++;
        return victim;
      }
      const oldest = this.oldestDirty();
      if (oldest !== null) {
        // Nothing clean to evict: write back the oldest epoch from the blocks' own buffers.
        yield* this.writeBackThrough(oldest.epoch);
        continue;
      }
      // Every block has I/O in flight: wait for one.
      let busy: Slot | undefined;
      for (const s of this.map.values()) if (s.io) busy = s;
      yield* this.waitIo(busy!);
    }
    throw this.tooManyRounds('evict', -1);
  }

  /** Asks the arbiter for more blocks unless at the limit, in back-off, or already asking. */
  private *grow(): Routine<boolean> {
    const c = this.client;
    if (c === null || this.growing || this.held >= this.maxBlocks) return false;
    if (c.inBackoff(currentKernel().now())) return false;
    const n = Math.min(this.growBlocks, this.maxBlocks - this.held);
    this.growing = true;
    let granted: boolean;
    try {
      granted = yield* c.request(n * this.blockSize);
    } finally {
      this.growing = false;
    }
    if (!granted) {
      this.stats.denials++;
      return false;
    }
    this.stats.grants++;
    this.allocate(n);
    return true;
  }

  private check(lba: number, n: number, buf: Uint8Array): void {
    checkRequest(this.name, this.blockSize, this.blockCount, lba, n, buf);
  }

  private tooManyRounds(what: string, lba: number): GreenkernelError {
    return new GreenkernelError(
      'ELIMIT',
      `${this.name}: ${what}${lba >= 0 ? ` of lba ${lba}` : ''} retried ${MAX_CACHE_ROUNDS} times (blocks busy or rewritten meanwhile)`,
    );
  }
}
