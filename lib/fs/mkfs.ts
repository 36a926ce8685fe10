/**
 * mkfs: writes an empty file system (a root directory holding "." and "..") on a device.
 *
 * Interface: `yield* mkfs(session, { inodes?, logBlocks? })` returns the superblock.
 * Invariants: the superblock is written last, after a flush, so a crash during mkfs leaves a
 * device that does not mount (EUCLEAN) rather than a half-made file system; a rejected request
 * (a device too small or too large, a bad option) writes nothing.
 */
import type { Operation } from '../index.ts';
import type { BlockSession } from '../block/session.ts';
import { FsError } from './errors.ts';
import {
  DIRENT_SIZE,
  ROOT_INUM,
  T_DIR,
  emptyInode,
  encodeDirent,
  encodeInode,
  encodeSuperblock,
  inodeLocation,
  layout,
  type Superblock,
} from './format.ts';

/** Options of mkfs. */
export interface MkfsOptions {
  /** Inodes (default blockCount / 4, at least 16, at most MAX_INODES). */
  readonly inodes?: number;
  /** Journal blocks, header included (default DEFAULT_LOG_BLOCKS). */
  readonly logBlocks?: number;
}

/** Blocks written by one request of mkfs (bounds its buffer). */
const MKFS_CHUNK = 64;

/**
 * Makes an empty file system on `dev`.
 *
 * @example
 * kernel.spawn(function* () { yield* mkfs(disk, { inodes: 128 }); });
 */
export function* mkfs(dev: BlockSession, options: MkfsOptions = {}): Operation<Superblock> {
  let sb: Superblock;
  try {
    sb = layout(dev.blockSize, dev.blockCount, options);
  } catch (error) {
    throw new FsError('EINVAL', 'mkfs', dev.name, (error as Error).message);
  }
  const bs = sb.blockSize;
  const zeros = new Uint8Array(bs * MKFS_CHUNK);
  for (let lba = 1; lba < sb.dataStart; lba += MKFS_CHUNK) {
    const n = Math.min(MKFS_CHUNK, sb.dataStart - lba);
    yield* dev.write(lba, n, zeros.subarray(0, n * bs));
  }
  const rootBlock = sb.dataStart;
  // Bitmaps: inodes 0 (never used) and the root; blocks up to and including the root's.
  const imap = new Uint8Array(bs);
  imap[0] = 0b11;
  yield* dev.write(sb.inodeBitmapStart, 1, imap);
  const bits = bs * 8;
  for (let k = 0; k < sb.blockBitmapBlocks; k++) {
    const bmap = new Uint8Array(bs);
    for (let b = k * bits; b < Math.min((k + 1) * bits, rootBlock + 1); b++)
      bmap[(b % bits) >> 3] |= 1 << (b & 7);
    yield* dev.write(sb.blockBitmapStart + k, 1, bmap);
  }
  const root = emptyInode();
  root.type = T_DIR;
  root.nlink = 1;
  root.size = bs;
  root.gen = 1;
  root.addrs[0] = rootBlock;
  const { lba, offset } = inodeLocation(sb, ROOT_INUM);
  const itable = new Uint8Array(bs);
  encodeInode(root, itable, offset);
  yield* dev.write(lba, 1, itable);
  const dir = new Uint8Array(bs);
  encodeDirent(dir, 0, ROOT_INUM, '.');
  encodeDirent(dir, DIRENT_SIZE, ROOT_INUM, '..');
  yield* dev.write(rootBlock, 1, dir);
  yield* dev.flush();
  const block = new Uint8Array(bs);
  encodeSuperblock(sb, block);
  yield* dev.write(0, 1, block, { fua: true });
  return sb;
}
