/**
 * fsck: checks a gkfs image and returns the problems found (empty when clean). Pure: it reads
 * a byte array and changes nothing; `replayImage` applies a committed journal to an image as a
 * mount would.
 *
 * Interface: `fsck(image)` -> string[]; `replayImage(image)` -> blocks replayed.
 * The invariants checked (after McKusick's five passes):
 *  1. the superblock is valid and the journal is empty (a mount replays it first);
 *  2. every inode is free or a file or a directory; its bit in the inode bitmap says so;
 *  3. every block an inode maps lies in the data area, is referenced exactly once, and lies
 *     below ceil(size / BS); the block bitmap equals the set of referenced blocks (plus the
 *     metadata blocks); no size exceeds the largest file; a directory's size is a multiple of
 *     DIRENT_SIZE;
 *  4. every directory entry names an allocated inode; names in a directory are unique; "."
 *     names the directory and ".." its parent; no directory has two names;
 *  5. every allocated inode is reachable from the root, and its link count equals the entries
 *     naming it (the root counts one for itself).
 * Limits: at most MAX_PROBLEMS problems are listed (then one line says how many more).
 */
import {
  DIRENT_SIZE,
  NDIRECT,
  ROOT_INUM,
  T_DIR,
  T_FILE,
  T_FREE,
  decodeDirent,
  decodeInode,
  decodeLogHeader,
  decodeSuperblock,
  emptyInode,
  inodeLocation,
  maxFileSize,
  pointersPerBlock,
  testBit,
  type DiskInode,
  type Superblock,
} from './format.ts';

/** Problems listed before fsck stops counting them one by one. */
export const MAX_PROBLEMS = 100;

function blockOf(image: Uint8Array, bs: number, lba: number): Uint8Array {
  return image.subarray(lba * bs, (lba + 1) * bs);
}

function u32(block: Uint8Array, k: number): number {
  return new DataView(block.buffer, block.byteOffset).getUint32(k * 4, true);
}

function superOf(image: Uint8Array): Superblock | string {
  if (image.length < 512) return 'image smaller than one block';
  const first = decodeSuperblock(image.subarray(0, 512));
  if (typeof first === 'string') return first;
  if (image.length !== first.blockCount * first.blockSize)
    return `image of ${image.length} bytes, superblock says ${first.blockCount} blocks of ${first.blockSize}`;
  return first;
}

/**
 * Applies a committed journal left in `image` to its home blocks and clears the header, as a
 * mount does. Returns the blocks replayed (0 when the journal is empty or the image is bad).
 *
 * @example
 * replayImage(image); const problems = fsck(image);
 */
export function replayImage(image: Uint8Array): number {
  const sb = superOf(image);
  if (typeof sb === 'string') return 0;
  const bs = sb.blockSize;
  const header = decodeLogHeader(blockOf(image, bs, sb.logStart), sb.logBlocks - 1);
  if (typeof header === 'string') return 0;
  header.lbas.forEach((lba, i) => {
    if (lba >= sb.inodeBitmapStart && lba < sb.blockCount)
      image.copyWithin(lba * bs, (sb.logStart + 1 + i) * bs, (sb.logStart + 2 + i) * bs);
  });
  blockOf(image, bs, sb.logStart).fill(0);
  return header.lbas.length;
}

/**
 * Checks `image`; returns the problems, each one line (empty: clean).
 *
 * @example
 * const problems = fsck(dev.image); if (problems.length > 0) console.log(problems.join('\n'));
 */
export function fsck(image: Uint8Array): string[] {
  const problems: string[] = [];
  let dropped = 0;
  const problem = (message: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(message);
    else dropped++;
  };
  const sb = superOf(image);
  if (typeof sb === 'string') return [`superblock: ${sb}`];
  const bs = sb.blockSize;
  const header = decodeLogHeader(blockOf(image, bs, sb.logStart), sb.logBlocks - 1);
  if (typeof header === 'string') problem(`journal: ${header}`);
  else if (header.lbas.length > 0)
    problem(`journal: holds ${header.lbas.length} committed blocks not replayed`);

  const imap = Array.from({ length: sb.inodeBitmapBlocks }, (_, k) =>
    blockOf(image, bs, sb.inodeBitmapStart + k),
  );
  const bmap = Array.from({ length: sb.blockBitmapBlocks }, (_, k) =>
    blockOf(image, bs, sb.blockBitmapStart + k),
  );
  const inodes: (DiskInode | null)[] = [null];
  // Pass 2 and 3: inodes and the blocks they map.
  const owner = new Int32Array(sb.blockCount); // 0: none, else the inode that maps it
  const claim = (b: number, inum: number, what: string): boolean => {
    if (b < sb.dataStart || b >= sb.blockCount) {
      problem(`inode ${inum}: ${what} points to block ${b}, outside the data area`);
      return false;
    }
    if (owner[b] !== 0) {
      problem(`block ${b}: referenced by inode ${owner[b]} and by inode ${inum} (${what})`);
      return false;
    }
    owner[b] = inum;
    return true;
  };
  const perBlock = pointersPerBlock(bs);
  for (let inum = 1; inum < sb.inodeCount; inum++) {
    const { lba, offset } = inodeLocation(sb, inum);
    const d = decodeInode(blockOf(image, bs, lba), offset, emptyInode());
    const used = testBit(imap, inum, bs);
    if (d.type !== T_FREE && d.type !== T_FILE && d.type !== T_DIR) {
      problem(`inode ${inum}: unknown type ${d.type}`);
      inodes.push(null);
      continue;
    }
    if (used !== (d.type !== T_FREE))
      problem(
        `inode ${inum}: ${d.type === T_FREE ? 'free but marked used' : 'in use but marked free'} in the inode bitmap`,
      );
    if (d.type === T_FREE) {
      inodes.push(null);
      continue;
    }
    inodes.push(d);
    if (d.size > maxFileSize(bs)) problem(`inode ${inum}: size ${d.size} over the largest file`);
    if (d.type === T_DIR && d.size % DIRENT_SIZE !== 0)
      problem(`inode ${inum}: directory size ${d.size} not a multiple of ${DIRENT_SIZE}`);
    const nblocks = Math.ceil(d.size / bs);
    for (let n = 0; n < NDIRECT; n++) {
      const b = d.addrs[n]!;
      if (b === 0) continue;
      if (n >= nblocks) problem(`inode ${inum}: block ${n} mapped past its size ${d.size}`);
      claim(b, inum, `direct ${n}`);
    }
    const ind = d.addrs[NDIRECT]!;
    if (ind !== 0 && claim(ind, inum, 'indirect')) {
      const table = blockOf(image, bs, ind);
      let any = false;
      for (let k = 0; k < perBlock; k++) {
        const b = u32(table, k);
        if (b === 0) continue;
        any = true;
        if (NDIRECT + k >= nblocks)
          problem(`inode ${inum}: block ${NDIRECT + k} mapped past its size ${d.size}`);
        claim(b, inum, `indirect ${k}`);
      }
      if (!any) problem(`inode ${inum}: indirect block ${ind} maps nothing`);
    }
  }
  for (let b = 0; b < sb.blockCount; b++) {
    const used = testBit(bmap, b, bs);
    if (b < sb.dataStart) {
      if (!used) problem(`block ${b}: metadata block marked free in the block bitmap`);
    } else if (used !== (owner[b] !== 0)) {
      problem(
        used
          ? `block ${b}: marked used in the block bitmap, referenced by no inode (leaked)`
          : `block ${b}: referenced by inode ${owner[b]} but marked free in the block bitmap`,
      );
    }
  }
  // Pass 4 and 5: the tree from the root, link counts, connectivity.
  const links = new Int32Array(sb.inodeCount);
  const seenDir = new Uint8Array(sb.inodeCount);
  const root = inodes[ROOT_INUM];
  if (root === null || root?.type !== T_DIR) {
    problem(`root inode ${ROOT_INUM} is not a directory`);
  } else {
    links[ROOT_INUM] = 1;
    const queue: [number, number][] = [[ROOT_INUM, ROOT_INUM]];
    seenDir[ROOT_INUM] = 1;
    while (queue.length > 0) {
      const [dir, parent] = queue.shift()!;
      const d = inodes[dir]!;
      const names = new Set<string>();
      let dot = false;
      let dotdot = false;
      for (let off = 0; off + DIRENT_SIZE <= d.size; off += DIRENT_SIZE) {
        const n = Math.floor(off / bs);
        const lba =
          n < NDIRECT
            ? d.addrs[n]!
            : d.addrs[NDIRECT] === 0
              ? 0
              : u32(blockOf(image, bs, d.addrs[NDIRECT]!), n - NDIRECT);
        if (lba === 0 || lba >= sb.blockCount) continue;
        const e = decodeDirent(blockOf(image, bs, lba), off % bs);
        if (e.inum === 0) continue;
        const where = `directory ${dir} entry "${e.name}"`;
        if (e.inum >= sb.inodeCount || inodes[e.inum] === null || inodes[e.inum] === undefined) {
          problem(`${where}: names inode ${e.inum}, which is free or invalid`);
          continue;
        }
        if (names.has(e.name)) problem(`${where}: the name appears twice`);
        names.add(e.name);
        if (e.name === '.') {
          dot = true;
          if (e.inum !== dir) problem(`${where}: names inode ${e.inum}, not itself`);
          continue;
        }
        if (e.name === '..') {
          dotdot = true;
          if (e.inum !== parent)
            problem(`${where}: names inode ${e.inum}, not its parent ${parent}`);
          continue;
        }
        links[e.inum]!++;
        if (inodes[e.inum]!.type === T_DIR) {
          if (seenDir[e.inum] !== 0) problem(`${where}: directory ${e.inum} has a second name`);
          else {
            seenDir[e.inum] = 1;
            queue.push([e.inum, dir]);
          }
        }
      }
      if (!dot || !dotdot) problem(`directory ${dir}: lacks "${dot ? '..' : '.'}"`);
    }
  }
  for (let inum = 1; inum < sb.inodeCount; inum++) {
    const d = inodes[inum];
    if (d === null || d === undefined) continue;
    if (links[inum] === 0) problem(`inode ${inum}: allocated but not reachable from the root`);
    else if (d.nlink !== links[inum])
      problem(`inode ${inum}: link count ${d.nlink}, named by ${links[inum]} entries`);
  }
  if (dropped > 0) problems.push(`... and ${dropped} more problems`);
  return problems;
}
