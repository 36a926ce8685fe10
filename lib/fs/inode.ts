/**
 * Inodes in memory, and block and inode allocation (after xv6's fs.c).
 *
 * Interface: `Volume` — the superblock, the journal, the allocation lock and the inode cache of
 * one mounted file system: `iget(inum)` / `iput(ip)` count references; `ip.lock` guards an
 * inode's fields and contents; `load(ip)`, `update(ip)`; `ialloc(type)`, `balloc()`, `bfree(b)`;
 * `bmap(ip, n, alloc)` maps file block n to a disk block; `truncateBlocks(ip, size)`.
 * Invariants: one Inode object per inode number while referenced; an inode whose link count
 * is 0 is freed (blocks, then the inode) by the iput that drops its last reference, inside the
 * caller's operation; every change goes through the journal inside an operation.
 * Lock order (global, documented in fs.ts): the rename mutex, then inode locks (a parent before
 * its child; two unrelated directories by inode number), then the allocation lock, then the
 * journal's. Every inode lock has one lock class (`<fs>.inode`), so the validator sees one class
 * and the order among inodes is the rule above, kept by the code rather than by lockdep.
 */
import { Mutex, type Operation } from '../index.ts';
import { FsError } from './errors.ts';
import { Journal } from './journal.ts';
import {
  NDIRECT,
  T_FREE,
  decodeInode,
  emptyInode,
  encodeInode,
  inodeLocation,
  pointersPerBlock,
  type DiskInode,
  type InodeType,
  type Superblock,
} from './format.ts';

/** An inode in memory. */
export class Inode {
  readonly d: DiskInode = emptyInode();
  /** References held by running operations (not by file handles: those carry a generation). */
  refs = 0;
  /** The on-disk fields were read. */
  valid = false;
  constructor(
    readonly inum: number,
    readonly lock: Mutex,
  ) {}
}

export class Volume {
  readonly icache = new Map<number, Inode>();
  readonly allocLock: Mutex;
  /** Where balloc/ialloc start looking: spreads allocations, keeps them O(1) on average. */
  private blockHint: number;
  private inodeHint = 1;

  /**
   * @example
   * const vol = new Volume(sb, journal, 'fs0');
   */
  constructor(
    readonly sb: Superblock,
    readonly log: Journal,
    readonly name: string,
  ) {
    this.allocLock = new Mutex(`${name}.alloc`);
    this.blockHint = sb.dataStart;
  }

  /**
   * A referenced in-memory inode for `inum` (not locked, maybe not loaded).
   *
   * @example
   * const ip = vol.iget(ROOT_INUM);
   */
  iget(inum: number): Inode {
    let ip = this.icache.get(inum);
    if (ip === undefined) {
      ip = new Inode(inum, new Mutex(`${this.name}.inode`));
      this.icache.set(inum, ip);
    }
    ip.refs++;
    return ip;
  }

  /**
   * Drops a reference; the last one of an unlinked inode frees it (inside an operation), taking
   * its lock at nesting level `subclass` (1, I_CHILD, when the caller holds the parent's).
   *
   * @example
   * yield* vol.iput(ip);
   */
  *iput(ip: Inode, subclass = 0): Operation<void> {
    if (ip.refs === 1 && ip.valid && ip.d.nlink === 0 && ip.d.type !== T_FREE) {
      yield* ip.lock.lockNested(subclass);
      try {
        yield* this.truncateBlocks(ip, 0);
        ip.d.type = T_FREE;
        ip.d.size = 0;
        yield* this.update(ip);
        yield* this.ifree(ip.inum);
      } finally {
        ip.lock.unlock();
      }
    }
    ip.refs--;
    if (ip.refs === 0) this.icache.delete(ip.inum);
  }

  /**
   * Reads the inode's fields from disk if not yet read (caller holds ip.lock).
   *
   * @example
   * yield* vol.load(ip);
   */
  *load(ip: Inode): Operation<void> {
    if (ip.valid) return;
    const { lba, offset } = inodeLocation(this.sb, ip.inum);
    decodeInode(yield* this.log.read(lba), offset, ip.d);
    ip.valid = true;
  }

  /**
   * Writes the inode's fields to its block in the transaction (caller holds ip.lock).
   *
   * @example
   * ip.d.size = 10; yield* vol.update(ip);
   */
  *update(ip: Inode): Operation<void> {
    const { lba, offset } = inodeLocation(this.sb, ip.inum);
    encodeInode(ip.d, yield* this.log.writable(lba), offset);
  }

  /**
   * Allocates an inode of `type` (link count 0, size 0, next generation); ENOSPC when none
   * is free. Returns it referenced, loaded, unlocked.
   *
   * @example
   * const ip = yield* vol.ialloc(T_FILE, 'create /a');
   */
  *ialloc(type: InodeType, what: string, subclass = 1): Operation<Inode> {
    yield* this.allocLock.lock();
    let inum = 0;
    try {
      inum = yield* this.findClear(this.sb.inodeBitmapStart, this.sb.inodeCount, 1, this.inodeHint);
      if (inum === 0) throw new FsError('ENOSPC', what, '', 'no free inode');
      this.inodeHint = inum + 1 < this.sb.inodeCount ? inum + 1 : 1;
    } finally {
      this.allocLock.unlock();
    }
    const ip = this.iget(inum);
    // Called with the parent directory locked: the new inode is its child.
    yield* ip.lock.lockNested(subclass);
    try {
      ip.valid = false;
      yield* this.load(ip);
      // A new generation: handles to the inode's previous life become stale.
      ip.d.gen = (ip.d.gen + 1) >>> 0 || 1;
      ip.d.type = type;
      ip.d.nlink = 0;
      ip.d.size = 0;
      ip.d.addrs.fill(0);
      yield* this.update(ip);
    } finally {
      ip.lock.unlock();
    }
    return ip;
  }

  /** Clears an inode's bit (its fields were written free by the caller). */
  private *ifree(inum: number): Operation<void> {
    yield* this.allocLock.lock();
    try {
      yield* this.setBit(this.sb.inodeBitmapStart, inum, false);
    } finally {
      this.allocLock.unlock();
    }
  }

  /**
   * Allocates a data block, zeroed in the transaction; 0 when the device is full.
   *
   * @example
   * const b = yield* vol.balloc(); if (b === 0) throw new FsError('ENOSPC', ...);
   */
  *balloc(): Operation<number> {
    yield* this.allocLock.lock();
    try {
      const sb = this.sb;
      const b = yield* this.findClear(
        sb.blockBitmapStart,
        sb.blockCount,
        sb.dataStart,
        this.blockHint,
      );
      if (b === 0) return 0;
      this.blockHint = b + 1 < sb.blockCount ? b + 1 : sb.dataStart;
      this.log.zeroed(b);
      return b;
    } finally {
      this.allocLock.unlock();
    }
  }

  /**
   * Frees a data block.
   *
   * @example
   * yield* vol.bfree(ip.d.addrs[0]);
   */
  *bfree(b: number): Operation<void> {
    yield* this.allocLock.lock();
    try {
      yield* this.setBit(this.sb.blockBitmapStart, b, false);
    } finally {
      this.allocLock.unlock();
    }
  }

  /** Finds a clear bit in [low, count) starting at `hint`, sets it; 0 if none. */
  private *findClear(start: number, count: number, low: number, hint: number): Operation<number> {
    const bits = this.sb.blockSize * 8;
    for (let pass = 0, i = hint; pass < count; pass++, i++) {
      if (i >= count) i = low;
      const block = yield* this.log.read(start + Math.floor(i / bits));
      const j = i % bits;
      if ((block[j >> 3]! & (1 << (j & 7))) === 0) {
        yield* this.setBit(start, i, true);
        return i;
      }
    }
    return 0;
  }

  private *setBit(start: number, i: number, on: boolean): Operation<void> {
    const bits = this.sb.blockSize * 8;
    const block = yield* this.log.writable(start + Math.floor(i / bits));
    const j = i % bits;
    const mask = 1 << (j & 7);
    if (((block[j >> 3]! & mask) !== 0) === on)
      throw new FsError('EUCLEAN', 'bitmap', `bit ${i}`, on ? 'already set' : 'already clear');
    block[j >> 3] = on ? block[j >> 3]! | mask : block[j >> 3]! & ~mask;
  }

  /**
   * The disk block of file block `n` of `ip`, allocating it (and the indirect block) when
   * `alloc`; 0 for a hole or when the device is full. Caller holds ip.lock and updates ip.
   *
   * @example
   * const lba = yield* vol.bmap(ip, 3, true);
   */
  *bmap(ip: Inode, n: number, alloc: boolean): Operation<number> {
    const addrs = ip.d.addrs;
    if (n < NDIRECT) {
      if (addrs[n] === 0 && alloc) addrs[n] = yield* this.balloc();
      return addrs[n]!;
    }
    const k = n - NDIRECT;
    if (k >= pointersPerBlock(this.sb.blockSize)) throw new RangeError(`file block ${n}`);
    if (addrs[NDIRECT] === 0) {
      if (!alloc) return 0;
      addrs[NDIRECT] = yield* this.balloc();
      if (addrs[NDIRECT] === 0) return 0;
    }
    const ind = addrs[NDIRECT]!;
    const table = yield* this.log.read(ind);
    let b = readU32(table, k);
    if (b === 0 && alloc) {
      b = yield* this.balloc();
      if (b !== 0) writeU32(yield* this.log.writable(ind), k, b);
    }
    return b;
  }

  /**
   * Frees every block of `ip` at or beyond file block ceil(size / BS), and the indirect block
   * once it maps nothing; zeroes the tail of the last kept block. Caller holds ip.lock and
   * updates ip.
   *
   * @example
   * yield* vol.truncateBlocks(ip, 0);
   */
  *truncateBlocks(ip: Inode, size: number): Operation<void> {
    const bs = this.sb.blockSize;
    const keep = Math.ceil(size / bs);
    const addrs = ip.d.addrs;
    for (let n = keep; n < NDIRECT; n++) {
      if (addrs[n] !== 0) yield* this.bfree(addrs[n]!);
      addrs[n] = 0;
    }
    const ind = addrs[NDIRECT]!;
    if (ind !== 0) {
      const from = Math.max(0, keep - NDIRECT);
      const table = yield* this.log.read(ind);
      let live = 0;
      const perBlock = pointersPerBlock(bs);
      for (let k = 0; k < perBlock; k++) if (k < from && readU32(table, k) !== 0) live++;
      for (let k = from; k < perBlock; k++) {
        const b = readU32(table, k);
        if (b === 0) continue;
        yield* this.bfree(b);
        if (live > 0) writeU32(yield* this.log.writable(ind), k, 0);
      }
      if (live === 0) {
        yield* this.bfree(ind);
        addrs[NDIRECT] = 0;
      }
    }
    if (size % bs !== 0) {
      const last = yield* this.bmap(ip, keep - 1, false);
      if (last !== 0) (yield* this.log.writable(last)).fill(0, size % bs);
    }
  }
}

function readU32(block: Uint8Array, k: number): number {
  return (
    (block[4 * k]! |
      (block[4 * k + 1]! << 8) |
      (block[4 * k + 2]! << 16) |
      (block[4 * k + 3]! << 24)) >>>
    0
  );
}

function writeU32(block: Uint8Array, k: number, v: number): void {
  block[4 * k] = v & 0xff;
  block[4 * k + 1] = (v >>> 8) & 0xff;
  block[4 * k + 2] = (v >>> 16) & 0xff;
  block[4 * k + 3] = (v >>> 24) & 0xff;
}

export { readU32, writeU32 };
