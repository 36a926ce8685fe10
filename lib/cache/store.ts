/**
 * The block cache's store: its buffers, which block each caches, write-back in epoch order, and
 * ballooning. BlockCache (cache.ts) adds the block session on top.
 *
 * Write-back writes the dirty blocks of the oldest epochs first, in (epoch, lba) order, runs of
 * consecutive blocks as one device write (at most MAX_WRITEBACK_RUN), and issues a device
 * barrier before the first write of each newer epoch: no write of epoch N+1 reaches the device
 * before every write of epoch N. A failed device write is latched for the next flush and
 * thrown to the caller; its blocks stay dirty (dirty data is never dropped).
 *
 * Memory: block buffers are allocated only when the arbiter grants quota (or the minimum, at
 * construction), reused on eviction, and dropped only when quota is given back. A dirty block
 * is written back from its own buffer through one staging buffer allocated at construction, so
 * evicting needs no memory. On a yield request a thread of the cache's own releases free and
 * clean blocks at once, writes the dirty ones back in epoch order, releases those, and answers
 * with all it released — never going below `minBlocks`.
 *
 * Locks: a block with I/O in flight (`io`) is locked by the thread doing the I/O; others wait on
 * the lock, then look again. One lock class for all block locks (`<name>.block`): write-back
 * takes the blocks of a run in ascending block order, the n-th with `lockNested(n)`, so the
 * lock-order validator checks the nesting; the write-back lock (`<name>.writeback`) is taken
 * before block locks, never after. Hits take no lock (a cooperative thread is not preempted).
 *
 * Invariants (verify()): blocks = free + mapped; every mapped block is in the policy list once;
 * dirty blocks are mapped and in `dirty`; a block with I/O in flight is never evicted or
 * released; quota = blocks * blockSize; device writes go in non-decreasing epoch order.
 */
import { Mutex, currentKernel, type Operation, type Routine } from '../index.ts';
import { assert } from '../spi.ts';
import type { BlockSession } from '../block/session.ts';
import type { MemoryClient } from '../mem/arbiter.ts';
import { Replacement } from './policy.ts';
import {
  MAX_CACHE_BLOCKS,
  MAX_WRITEBACK_RUN,
  Slot,
  checkCount,
  evictable,
  newStats,
  waitUnlocked,
  type BlockCacheOptions,
  type BlockCacheStats,
} from './slot.ts';

export abstract class BlockStore {
  readonly name: string;
  readonly blockSize: number;
  readonly blockCount: number;
  readonly writeThrough: boolean;
  readonly minBlocks: number;
  readonly maxBlocks: number;
  readonly stats: BlockCacheStats = newStats();
  protected epochNow = 0;
  /** The client epoch the device's open epoch carries (device barriers issued so far). */
  protected deviceEpochFor = 0;
  protected readonly map = new Map<number, Slot>();
  protected readonly policy: Replacement<Slot>;
  protected readonly free: Slot[] = [];
  protected readonly dirty = new Set<Slot>();
  protected held = 0;
  protected readonly staging: Uint8Array;
  protected readonly writeback: Mutex;
  protected readonly client: MemoryClient | null;
  protected readonly growBlocks: number;
  protected growing = false;
  /** Block locks not lent to a block. */
  private readonly locks: Mutex[] = [];
  protected latched: unknown = null;

  /** @internal Use `new BlockCache(device, options)`. */
  constructor(
    readonly device: BlockSession,
    options: BlockCacheOptions,
  ) {
    this.name = options.name ?? 'cache';
    this.blockSize = device.blockSize;
    this.blockCount = device.blockCount;
    this.writeThrough = options.writeThrough === true;
    this.minBlocks = checkCount(options.minBlocks, 'minBlocks', 1);
    this.maxBlocks = checkCount(
      options.maxBlocks ?? (options.arbiter === undefined ? this.minBlocks : MAX_CACHE_BLOCKS),
      'maxBlocks',
      this.minBlocks,
    );
    this.growBlocks = checkCount(options.growBlocks ?? 16, 'growBlocks', 1);
    this.policy = new Replacement<Slot>(options.policy ?? 'lru');
    this.client =
      options.arbiter?.register({
        name: this.name,
        minimum: this.minBlocks * this.blockSize,
        onYield: (bytes) => this.onYield(bytes),
      }) ?? null;
    this.staging = new Uint8Array(MAX_WRITEBACK_RUN * this.blockSize);
    this.writeback = new Mutex(`${this.name}.writeback`);
    this.allocate(this.minBlocks);
  }

  get epoch(): number {
    return this.epochNow;
  }

  /** Block buffers held (free or caching a block). */
  get blocks(): number {
    return this.held;
  }

  get dirtyBlocks(): number {
    return this.dirty.size;
  }

  /**
   * Checks the invariants of the module comment; throws InvariantError on a broken one.
   *
   * @example
   * cache.verify(); // after each step of a test
   */
  verify(): void {
    assert(this.held === this.free.length + this.map.size, 'cache: blocks = free + mapped');
    assert(this.policy.size === this.map.size, 'cache: every mapped block is in the policy list');
    for (const [lba, s] of this.map) assert(s.lba === lba, 'cache: a mapped block knows its lba');
    for (const s of this.dirty)
      assert(this.map.get(s.lba) === s && s.dirty, 'cache: dirty is mapped');
    for (const s of this.free) assert(!s.dirty && !s.io && s.lba === -1, 'cache: free is unused');
    assert(this.held >= this.minBlocks && this.held <= this.maxBlocks, 'cache: blocks in bounds');
    if (this.client !== null)
      assert(this.client.quota === this.held * this.blockSize, 'cache: quota = blocks held');
  }

  protected allocate(n: number): void {
    for (let i = 0; i < n; i++) this.free.push(new Slot(new Uint8Array(this.blockSize)));
    this.held += n;
    this.stats.buffersAllocated += n;
  }

  /** Writes back every dirty block of an epoch <= maxEpoch, oldest epoch first. */
  protected *writeBackThrough(maxEpoch: number): Routine<void> {
    const oldest = this.oldestDirty();
    if (oldest === null || oldest.epoch > maxEpoch) return;
    yield* this.writeback.lock();
    try {
      const todo = [...this.dirty].filter((s) => s.epoch <= maxEpoch);
      todo.sort((a, b) => a.epoch - b.epoch || a.lba - b.lba);
      for (let i = 0; i < todo.length;) {
        let j = i + 1;
        while (
          j < todo.length &&
          j - i < MAX_WRITEBACK_RUN &&
          todo[j]!.epoch === todo[i]!.epoch &&
          todo[j]!.lba === todo[j - 1]!.lba + 1
        )
          j++;
        yield* this.writeRun(todo.slice(i, j));
        i = j;
      }
    } finally {
      this.writeback.unlock();
    }
  }

  /** One device write of consecutive dirty blocks of one epoch, their locks nested in lba order. */
  protected *writeRun(run: Slot[]): Routine<void> {
    const epoch = run[0]!.epoch;
    assert(epoch >= this.deviceEpochFor, 'cache: device writes go in epoch order');
    if (epoch > this.deviceEpochFor) {
      yield* this.device.barrier();
      this.deviceEpochFor = epoch;
    }
    const size = this.blockSize;
    let fua = false;
    for (let i = 0; i < run.length; i++) {
      const s = run[i]!;
      assert(s.dirty && !s.io && s.epoch === epoch, 'cache: a run is dirty, idle, one epoch');
      yield* this.lockOf(s).lockNested(i);
      s.io = true;
      this.staging.set(s.data, i * size);
      fua ||= s.fua;
    }
    const bytes = this.staging.subarray(0, run.length * size);
    try {
      this.stats.writebacks++;
      yield* this.device.write(run[0]!.lba, run.length, bytes, { fua });
      for (const s of run) {
        s.dirty = s.fua = false;
        this.dirty.delete(s);
      }
    } catch (error) {
      this.stats.writeErrors++;
      this.latched ??= error;
      throw error;
    } finally {
      for (let i = run.length - 1; i >= 0; i--) this.unlockIo(run[i]!);
    }
  }

  /** The arbiter asks for `bytes`: a thread of our own releases and answers. */
  protected onYield(bytes: number): void {
    currentKernel().spawn(() => this.balloon(bytes), { name: `${this.name}.balloon` });
  }

  protected *balloon(bytes: number): Routine<void> {
    const want = Math.ceil(bytes / this.blockSize);
    let released = this.releaseClean(want);
    if (released < want && this.dirty.size > 0) {
      try {
        yield* this.writeBackThrough(Infinity);
      } catch {
        // Latched for the next flush; the blocks stay dirty and are not released.
      }
      released += this.releaseClean(want - released);
    }
    this.stats.yields++;
    this.client!.answer(released * this.blockSize);
  }

  /** Drops up to `n` free or clean idle buffers (coldest first) and returns their quota. */
  protected releaseClean(n: number): number {
    let done = 0;
    while (done < n && this.held > this.minBlocks) {
      let s = this.free.pop();
      if (s === undefined) {
        const victim = this.policy.victim(evictable);
        if (victim === null) break;
        this.unmap(victim);
        s = victim;
      }
      this.held--;
      done++;
    }
    if (done > 0) {
      this.stats.released += done;
      this.client!.release(done * this.blockSize);
    }
    return done;
  }

  protected mapSlot(s: Slot, lba: number): void {
    s.lba = lba;
    this.map.set(lba, s);
    this.policy.insert(s);
  }

  protected unmap(s: Slot): void {
    assert(!s.dirty && !s.io, 'cache: only a clean idle block is unmapped');
    this.map.delete(s.lba);
    this.policy.remove(s);
    s.lba = -1;
  }

  protected oldestDirty(): Slot | null {
    let oldest: Slot | null = null;
    for (const s of this.dirty) if (oldest === null || s.epoch < oldest.epoch) oldest = s;
    return oldest;
  }

  /** The lock of `s` for an I/O: lent from a pool, so idle blocks carry none (memory). */
  protected lockOf(s: Slot): Mutex {
    return (s.lock ??= this.locks.pop() ?? new Mutex(`${this.name}.block`));
  }

  /** After an I/O on `s`: its lock goes back to the pool unless a waiter was handed it. */
  protected unlockIo(s: Slot): void {
    const lock = s.lock!;
    s.io = false;
    lock.unlock();
    if (lock.locked) return;
    s.lock = null;
    if (this.locks.length < MAX_WRITEBACK_RUN * 4) this.locks.push(lock);
  }

  /** Waits until the I/O on `s` is done (its lock is held for the I/O). */
  protected waitIo(s: Slot): Operation<void> {
    return waitUnlocked(s.lock!);
  }
}
