/**
 * File contents: reading and writing an inode's bytes through its block map (xv6's readi and
 * writei), and directories as arrays of DIRENT_SIZE entries.
 *
 * Interface: `readData(vol, ip, off, into)`, `writeData(vol, ip, off, data)`, `dirLookup`,
 * `dirLink`, `dirEntries`, `dirIsEmpty`, `dirSetEntry`. Callers hold ip.lock inside an operation.
 * Invariants: writeData writes at most WRITE_CHUNK_BLOCKS blocks (the operation's reservation);
 * when the device fills half-way it keeps what it wrote, frees blocks past the new size and
 * reports the count; a directory's size stays a multiple of DIRENT_SIZE and its slots with
 * inum 0 are free.
 */
import type { Operation } from '../index.ts';
import { FsError } from './errors.ts';
import {
  DIRENT_SIZE,
  decodeDirent,
  direntInum,
  direntIs,
  encodeDirent,
  maxFileSize,
  nameBytes,
  type Dirent,
} from './format.ts';
import type { Inode, Volume } from './inode.ts';

/**
 * Reads up to `into.length` bytes at `off` (fewer at the end of the file); returns the count.
 *
 * @example
 * const n = yield* readData(vol, ip, 0, new Uint8Array(100));
 */
export function* readData(
  vol: Volume,
  ip: Inode,
  off: number,
  into: Uint8Array,
): Operation<number> {
  const size = ip.d.size;
  if (off >= size) return 0;
  const n = Math.min(into.length, size - off);
  const bs = vol.sb.blockSize;
  for (let done = 0; done < n;) {
    const pos = off + done;
    const inBlock = pos % bs;
    const m = Math.min(n - done, bs - inBlock);
    const lba = yield* vol.bmap(ip, Math.floor(pos / bs), false);
    if (lba === 0) into.fill(0, done, done + m);
    else into.set((yield* vol.log.read(lba)).subarray(inBlock, inBlock + m), done);
    done += m;
  }
  return n;
}

/**
 * Writes `data` at `off`, growing the file; returns the bytes written (short only when the
 * device filled: then ENOSPC if nothing was written). Updates the inode.
 *
 * @example
 * yield* writeData(vol, ip, 0, bytes, 'write /a');
 */
export function* writeData(
  vol: Volume,
  ip: Inode,
  off: number,
  data: Uint8Array,
  what: string,
): Operation<number> {
  const bs = vol.sb.blockSize;
  if (off + data.length > maxFileSize(bs))
    throw new FsError('EFBIG', what, '', `${off + data.length} bytes > ${maxFileSize(bs)}`);
  let done = 0;
  let full = false;
  while (done < data.length) {
    const pos = off + done;
    const inBlock = pos % bs;
    const m = Math.min(data.length - done, bs - inBlock);
    const lba = yield* vol.bmap(ip, Math.floor(pos / bs), true);
    if (lba === 0) {
      full = true;
      break;
    }
    (yield* vol.log.writable(lba)).set(data.subarray(done, done + m), inBlock);
    done += m;
  }
  if (off + done > ip.d.size) ip.d.size = off + done;
  // Blocks allocated for bytes never written (an indirect block, the block that did not
  // fit) would lie past the size: give them back so nothing leaks.
  if (full) yield* vol.truncateBlocks(ip, ip.d.size);
  yield* vol.update(ip);
  if (full && done === 0) throw new FsError('ENOSPC', what, '', 'no free block');
  return done;
}

/**
 * Calls `visit(block, o, off)` for every used slot of directory `dp` (a slot at byte `o` of a
 * block at directory offset `off`) until it returns true; returns whether one did. The one walk
 * of a directory's blocks, for listing and for lookup.
 *
 * @example
 * yield* dirScan(vol, dp, (block, o) => direntIs(block, o, want));
 */
function* dirScan(
  vol: Volume,
  dp: Inode,
  visit: (block: Uint8Array, o: number, off: number) => boolean,
): Operation<boolean> {
  const bs = vol.sb.blockSize;
  for (let off = 0; off < dp.d.size; off += bs) {
    const lba = yield* vol.bmap(dp, off / bs, false);
    if (lba === 0) continue;
    const block = yield* vol.log.read(lba);
    const end = Math.min(bs, dp.d.size - off);
    for (let o = 0; o < end; o += DIRENT_SIZE)
      if (direntInum(block, o) !== 0 && visit(block, o, off)) return true;
  }
  return false;
}

/**
 * The entries of directory `dp` with their offsets (free slots skipped).
 *
 * @example
 * for (const { name } of yield* dirEntries(vol, dp)) ...
 */
export function* dirEntries(vol: Volume, dp: Inode): Operation<(Dirent & { off: number })[]> {
  const out: (Dirent & { off: number })[] = [];
  yield* dirScan(vol, dp, (block, o, off) => {
    const e = decodeDirent(block, o);
    out.push({ inum: e.inum, name: e.name, off: off + o });
    return false;
  });
  return out;
}

/**
 * Looks `name` up in directory `dp`: its entry, or null.
 *
 * @example
 * const e = yield* dirLookup(vol, dp, 'a');
 */
export function* dirLookup(
  vol: Volume,
  dp: Inode,
  name: string,
): Operation<(Dirent & { off: number }) | null> {
  const want = nameBytes(name);
  let found: (Dirent & { off: number }) | null = null;
  yield* dirScan(vol, dp, (block, o, off) => {
    if (!direntIs(block, o, want)) return false;
    found = { inum: direntInum(block, o), name, off: off + o };
    return true;
  });
  return found;
}

/**
 * True when directory `dp` holds nothing but "." and "..".
 *
 * @example
 * if (!(yield* dirIsEmpty(vol, dp))) throw new FsError('ENOTEMPTY', ...);
 */
export function* dirIsEmpty(vol: Volume, dp: Inode): Operation<boolean> {
  for (const e of yield* dirEntries(vol, dp)) if (e.name !== '.' && e.name !== '..') return false;
  return true;
}

/**
 * Rewrites the entry at byte `off` of `dp` (inum 0 frees the slot).
 *
 * @example
 * yield* dirSetEntry(vol, dp, e.off, 0, '');
 */
export function* dirSetEntry(
  vol: Volume,
  dp: Inode,
  off: number,
  inum: number,
  name: string,
): Operation<void> {
  const bs = vol.sb.blockSize;
  const lba = yield* vol.bmap(dp, Math.floor(off / bs), false);
  if (lba === 0) throw new FsError('EUCLEAN', 'directory', `inode ${dp.inum}`, `hole at ${off}`);
  encodeDirent(yield* vol.log.writable(lba), off % bs, inum, inum === 0 ? '' : name);
}

/**
 * Finds a free slot in `dp` (growing it by one zeroed block when it has none) and returns its
 * offset; ENOSPC when the directory cannot grow. Writes nothing into the slot.
 *
 * @example
 * const off = yield* dirSlot(vol, dp, 'create /a'); yield* dirSetEntry(vol, dp, off, inum, 'a');
 */
export function* dirSlot(vol: Volume, dp: Inode, what: string): Operation<number> {
  const bs = vol.sb.blockSize;
  for (let off = 0; off < dp.d.size; off += bs) {
    const lba = yield* vol.bmap(dp, off / bs, false);
    if (lba === 0) continue;
    const block = yield* vol.log.read(lba);
    for (let o = 0; o < bs; o += DIRENT_SIZE) if (direntInum(block, o) === 0) return off + o;
  }
  const off = dp.d.size;
  if (off + bs > maxFileSize(bs)) throw new FsError('ENOSPC', what, '', 'directory full');
  const lba = yield* vol.bmap(dp, off / bs, true);
  if (lba === 0) {
    yield* vol.truncateBlocks(dp, dp.d.size);
    throw new FsError('ENOSPC', what, '', 'no free block for the directory');
  }
  dp.d.size = off + bs;
  yield* vol.update(dp);
  return off;
}
