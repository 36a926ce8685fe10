/**
 * The on-disk format of greenkernel's file system (gkfs), as pure encode/decode functions.
 *
 * Layout, in blocks of the device's block size BS (a power of two, >= 512):
 *   0                          superblock
 *   [logStart, +logBlocks)     the redo journal: one header block, then logged block copies
 *   [inodeBitmapStart, +n)     one bit per inode (bit set: allocated)
 *   [blockBitmapStart, +n)     one bit per block of the device (metadata blocks are set)
 *   [inodeStart, +n)           the inode table, INODE_SIZE bytes per inode
 *   [dataStart, blockCount)    data blocks: file contents, directories, indirect blocks
 * Numbers are little-endian u16/u32. Inode 0 and block 0 are never allocated, so 0 means "none"
 * in a block pointer or a directory entry. ROOT_INUM is the root directory.
 * Invariants (checked by fsck, lib/fs/fsck.ts): every limit below is a constant checked where a
 * request could exceed it; a directory's size is a multiple of DIRENT_SIZE; a file has no block
 * at or beyond ceil(size / BS) (holes read as zeros).
 */

/** "gkfs" in ASCII: identifies a superblock. */
export const FS_MAGIC = 0x736b_6667;
/** Bumped on any incompatible change of the layout below. */
export const FS_VERSION = 1;
/** "gklg": a journal header (a zeroed header means an empty journal). */
export const LOG_MAGIC = 0x676c_6b67;

/** Bytes per on-disk inode; BS / INODE_SIZE inodes share a block. */
export const INODE_SIZE = 64;
/** Block pointers held in the inode itself (xv6's NDIRECT). */
export const NDIRECT = 12;
/** Bytes per directory entry: u32 inum, u8 name length, NAME_MAX bytes of name. */
export const DIRENT_SIZE = 32;
/** Longest name of a directory entry, in bytes of UTF-8 (ENAMETOOLONG beyond). */
export const NAME_MAX = DIRENT_SIZE - 5;
/** Longest path accepted by the operations, in characters (ENAMETOOLONG beyond). */
export const PATH_MAX = 1024;
/** The root directory's inode number. */
export const ROOT_INUM = 1;
/** Most inodes of one file system (the inode bitmap stays small; EINVAL at mkfs beyond). */
export const MAX_INODES = 65_536;
/** Most blocks of bitmap per kind: bounds the blocks one free touches (see MAX_OP_BLOCKS). */
export const MAX_BITMAP_BLOCKS = 4;
/**
 * Most blocks one operation may dirty: the journal reserves this much per running operation,
 * so an operation never finds the log full half-way. The worst case is a rename over a file:
 * 2 directory blocks + 1 new directory block + its indirect block, 4 inode blocks, the bitmap
 * blocks (2 * MAX_BITMAP_BLOCKS) and the inode bitmap.
 */
export const MAX_OP_BLOCKS = 24;
/** Data blocks one write operation covers; a longer write is several operations (as xv6). */
export const WRITE_CHUNK_BLOCKS = MAX_OP_BLOCKS - 4 - 2 * MAX_BITMAP_BLOCKS;
/** Journal blocks (header included) that mkfs reserves unless told otherwise. */
export const DEFAULT_LOG_BLOCKS = 3 * MAX_OP_BLOCKS + 1;

/** Inode types. */
export const T_FREE = 0;
export const T_FILE = 1;
export const T_DIR = 2;
export type InodeType = typeof T_FREE | typeof T_FILE | typeof T_DIR;

/** The superblock: where everything is. */
export interface Superblock {
  readonly magic: number;
  readonly version: number;
  readonly blockSize: number;
  readonly blockCount: number;
  readonly inodeCount: number;
  readonly logStart: number;
  readonly logBlocks: number;
  readonly inodeBitmapStart: number;
  readonly inodeBitmapBlocks: number;
  readonly blockBitmapStart: number;
  readonly blockBitmapBlocks: number;
  readonly inodeStart: number;
  readonly inodeBlocks: number;
  readonly dataStart: number;
}

const SB_FIELDS = [
  'magic',
  'version',
  'blockSize',
  'blockCount',
  'inodeCount',
  'logStart',
  'logBlocks',
  'inodeBitmapStart',
  'inodeBitmapBlocks',
  'blockBitmapStart',
  'blockBitmapBlocks',
  'inodeStart',
  'inodeBlocks',
  'dataStart',
] as const;

/** An inode as held in memory; `addrs` has NDIRECT direct pointers then the indirect one. */
export interface DiskInode {
  type: InodeType;
  nlink: number;
  size: number;
  /** Bumped at each allocation: a file handle naming an older generation is stale (EBADF). */
  gen: number;
  readonly addrs: Uint32Array;
}

/** One directory entry (inum 0: a free slot). */
export interface Dirent {
  readonly inum: number;
  readonly name: string;
}

function view(block: Uint8Array): DataView {
  return new DataView(block.buffer, block.byteOffset, block.byteLength);
}

/** Little-endian u16 / u32 at byte `o`, without a DataView (decoding is on every lookup). */
function get16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
function get32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/**
 * Pointers per indirect block.
 *
 * @example
 * pointersPerBlock(512); // 128
 */
export function pointersPerBlock(blockSize: number): number {
  return blockSize / 4;
}

/**
 * The largest file size for a block size: NDIRECT + one indirect block of pointers.
 *
 * @example
 * maxFileSize(512); // (12 + 128) * 512 = 71680
 */
export function maxFileSize(blockSize: number): number {
  return (NDIRECT + pointersPerBlock(blockSize)) * blockSize;
}

/**
 * Entries the journal header can name (its capacity may be lower: logBlocks - 1).
 *
 * @example
 * headerCapacity(512); // 126
 */
export function headerCapacity(blockSize: number): number {
  return blockSize / 4 - 2;
}

/**
 * Computes the layout for a device. Throws a message (the caller wraps it as EINVAL) when the
 * device cannot hold it.
 *
 * @example
 * layout(512, 2048, { inodes: 256 }).dataStart;
 */
export function layout(
  blockSize: number,
  blockCount: number,
  options: { inodes?: number; logBlocks?: number } = {},
): Superblock {
  if (!Number.isInteger(blockSize) || blockSize < 512 || (blockSize & (blockSize - 1)) !== 0)
    throw new Error(`block size must be a power of two >= 512, got ${blockSize}`);
  const inodeCount = options.inodes ?? Math.min(MAX_INODES, Math.max(16, blockCount >> 2));
  if (!Number.isInteger(inodeCount) || inodeCount < 2 || inodeCount > MAX_INODES)
    throw new Error(`inodes must be an integer in [2, ${MAX_INODES}], got ${inodeCount}`);
  const logBlocks = options.logBlocks ?? DEFAULT_LOG_BLOCKS;
  if (
    !Number.isInteger(logBlocks) ||
    logBlocks < 2 * MAX_OP_BLOCKS + 1 ||
    logBlocks - 1 > headerCapacity(blockSize)
  )
    throw new Error(
      `logBlocks must be an integer in [${2 * MAX_OP_BLOCKS + 1}, ${headerCapacity(blockSize) + 1}], got ${logBlocks}`,
    );
  const bitsPerBlock = blockSize * 8;
  const inodeBitmapBlocks = Math.ceil(inodeCount / bitsPerBlock);
  const blockBitmapBlocks = Math.ceil(blockCount / bitsPerBlock);
  if (blockBitmapBlocks > MAX_BITMAP_BLOCKS)
    throw new Error(
      `a device of ${blockCount} blocks needs ${blockBitmapBlocks} bitmap blocks (at most ${MAX_BITMAP_BLOCKS}: ${MAX_BITMAP_BLOCKS * bitsPerBlock} blocks)`,
    );
  const inodeBlocks = Math.ceil(inodeCount / (blockSize / INODE_SIZE));
  const logStart = 1;
  const inodeBitmapStart = logStart + logBlocks;
  const blockBitmapStart = inodeBitmapStart + inodeBitmapBlocks;
  const inodeStart = blockBitmapStart + blockBitmapBlocks;
  const dataStart = inodeStart + inodeBlocks;
  if (dataStart + 8 > blockCount)
    throw new Error(
      `a device of ${blockCount} blocks is too small: metadata takes ${dataStart} blocks`,
    );
  return {
    magic: FS_MAGIC,
    version: FS_VERSION,
    blockSize,
    blockCount,
    inodeCount,
    logStart,
    logBlocks,
    inodeBitmapStart,
    inodeBitmapBlocks,
    blockBitmapStart,
    blockBitmapBlocks,
    inodeStart,
    inodeBlocks,
    dataStart,
  };
}

/**
 * Writes the superblock into `block` (zeroing the rest).
 *
 * @example
 * encodeSuperblock(sb, new Uint8Array(512));
 */
export function encodeSuperblock(sb: Superblock, block: Uint8Array): void {
  block.fill(0);
  const v = view(block);
  SB_FIELDS.forEach((field, i) => v.setUint32(i * 4, sb[field], true));
}

/**
 * Reads a superblock; returns a message naming what is wrong if it is not a valid one.
 *
 * @example
 * const sb = decodeSuperblock(block); if (typeof sb === 'string') throw new Error(sb);
 */
export function decodeSuperblock(block: Uint8Array): Superblock | string {
  if (block.byteLength < SB_FIELDS.length * 4) return 'block too small for a superblock';
  const v = view(block);
  const raw: Record<string, number> = {};
  SB_FIELDS.forEach((field, i) => (raw[field] = v.getUint32(i * 4, true)));
  const sb = raw as unknown as Superblock;
  if (sb.magic !== FS_MAGIC) return `bad magic 0x${sb.magic.toString(16)} (not a gkfs image)`;
  if (sb.version !== FS_VERSION) return `unsupported version ${sb.version}`;
  let expected: Superblock;
  try {
    expected = layout(sb.blockSize, sb.blockCount, {
      inodes: sb.inodeCount,
      logBlocks: sb.logBlocks,
    });
  } catch (error) {
    return `inconsistent superblock: ${(error as Error).message}`;
  }
  for (const field of SB_FIELDS)
    if (expected[field] !== sb[field])
      return `inconsistent superblock: ${field} is ${sb[field]}, expected ${expected[field]}`;
  return sb;
}

/**
 * Block holding inode `inum`, and the byte offset of the inode in it.
 *
 * @example
 * const { lba, offset } = inodeLocation(sb, ROOT_INUM);
 */
export function inodeLocation(sb: Superblock, inum: number): { lba: number; offset: number } {
  const perBlock = sb.blockSize / INODE_SIZE;
  return {
    lba: sb.inodeStart + Math.floor(inum / perBlock),
    offset: (inum % perBlock) * INODE_SIZE,
  };
}

/**
 * A fresh, free in-memory inode.
 *
 * @example
 * const ip = emptyInode(); ip.type = T_FILE;
 */
export function emptyInode(): DiskInode {
  return { type: T_FREE, nlink: 0, size: 0, gen: 0, addrs: new Uint32Array(NDIRECT + 1) };
}

/**
 * Decodes the inode at `offset` of an inode-table block into `into`.
 *
 * @example
 * decodeInode(block, 64, ip);
 */
export function decodeInode(block: Uint8Array, offset: number, into: DiskInode): DiskInode {
  into.type = get16(block, offset) as InodeType;
  into.nlink = get16(block, offset + 2);
  into.size = get32(block, offset + 4);
  into.gen = get32(block, offset + 8);
  for (let i = 0; i <= NDIRECT; i++) into.addrs[i] = get32(block, offset + 12 + i * 4);
  return into;
}

/**
 * Encodes `ip` at `offset` of an inode-table block.
 *
 * @example
 * encodeInode(ip, block, 64);
 */
export function encodeInode(ip: DiskInode, block: Uint8Array, offset: number): void {
  put16(block, offset, ip.type);
  put16(block, offset + 2, ip.nlink);
  put32(block, offset + 4, ip.size);
  put32(block, offset + 8, ip.gen);
  for (let i = 0; i <= NDIRECT; i++) put32(block, offset + 12 + i * 4, ip.addrs[i]!);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The UTF-8 bytes of a name (the length NAME_MAX limits).
 *
 * @example
 * nameBytes('é').length; // 2
 */
export function nameBytes(name: string): Uint8Array {
  return encoder.encode(name);
}

/**
 * Decodes the directory entry at byte `offset` of a directory block.
 *
 * @example
 * const { inum, name } = decodeDirent(block, 32);
 */
export function decodeDirent(block: Uint8Array, offset: number): Dirent {
  const inum = get32(block, offset);
  const len = Math.min(block[offset + 4]!, NAME_MAX);
  return { inum, name: decoder.decode(block.subarray(offset + 5, offset + 5 + len)) };
}

/**
 * The inode number of the entry at byte `offset` (0: a free slot), without decoding its name.
 *
 * @example
 * if (direntInum(block, o) === 0) ... // a free slot
 */
export function direntInum(block: Uint8Array, offset: number): number {
  return get32(block, offset);
}

/**
 * True when the entry at byte `offset` is named `name` (its UTF-8 bytes): a lookup compares
 * bytes and decodes no name.
 *
 * @example
 * direntIs(block, o, nameBytes('a'));
 */
export function direntIs(block: Uint8Array, offset: number, name: Uint8Array): boolean {
  if (block[offset + 4] !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (block[offset + 5 + i] !== name[i]) return false;
  return true;
}

/**
 * Encodes a directory entry (`name` must fit NAME_MAX bytes: the caller checked it).
 *
 * @example
 * encodeDirent(block, 0, 1, '.');
 */
export function encodeDirent(block: Uint8Array, offset: number, inum: number, name: string): void {
  const bytes = nameBytes(name);
  if (bytes.length > NAME_MAX) throw new RangeError(`name longer than ${NAME_MAX} bytes`);
  block.fill(0, offset, offset + DIRENT_SIZE);
  put32(block, offset, inum);
  block[offset + 4] = bytes.length;
  block.set(bytes, offset + 5);
}

/** A journal header: the home block numbers of the `count` logged blocks. */
export interface LogHeader {
  readonly lbas: readonly number[];
}

/**
 * Encodes a journal header (`lbas` empty: the cleared header).
 *
 * @example
 * encodeLogHeader({ lbas: [70, 71] }, block);
 */
export function encodeLogHeader(header: LogHeader, block: Uint8Array): void {
  block.fill(0);
  if (header.lbas.length === 0) return;
  const v = view(block);
  v.setUint32(0, LOG_MAGIC, true);
  v.setUint32(4, header.lbas.length, true);
  header.lbas.forEach((lba, i) => v.setUint32(8 + i * 4, lba, true));
}

/**
 * Decodes a journal header; an empty journal has no lbas. A malformed header is a message.
 *
 * @example
 * const h = decodeLogHeader(block, 79);
 */
export function decodeLogHeader(block: Uint8Array, capacity: number): LogHeader | string {
  const v = view(block);
  const magic = v.getUint32(0, true);
  if (magic === 0) return { lbas: [] };
  if (magic !== LOG_MAGIC) return `bad journal header magic 0x${magic.toString(16)}`;
  const n = v.getUint32(4, true);
  if (n > capacity) return `journal header names ${n} blocks, the log holds ${capacity}`;
  const lbas: number[] = [];
  for (let i = 0; i < n; i++) lbas.push(v.getUint32(8 + i * 4, true));
  return { lbas };
}

/**
 * Bit `i` of a bitmap spread over blocks (`blocks[k]` covers bits [k*BS*8, (k+1)*BS*8)).
 *
 * @example
 * testBit(bitmapBlocks, ROOT_INUM, 512); // true: the root is allocated
 */
export function testBit(blocks: readonly Uint8Array[], i: number, blockSize: number): boolean {
  const bits = blockSize * 8;
  const b = blocks[Math.floor(i / bits)]!;
  const j = i % bits;
  return (b[j >> 3]! & (1 << (j & 7))) !== 0;
}
