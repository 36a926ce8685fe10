/**
 * Operations on names: make a file or directory, remove one, rename (also over an existing
 * entry). Each runs inside the caller's journal operation (path.ts withOp).
 *
 * Interface: `makeNode(vol, path, type, op)`, `removeNode(vol, path, dir, op)`,
 * `renameNode(vol, renameLock, from, to)`.
 * Invariants: everything that can fail (lookups, type checks, a directory slot, an inode, a
 * block) is done before the first entry changes, so a failed operation changes nothing but a
 * directory grown by an empty block, which stays referenced and consistent. Locks: a parent
 * before its child; rename takes the file system's rename mutex, then the two parents (an
 * ancestor before its descendant, else the lower inode number first), then the children by
 * inode number.
 */
import type { Mutex, Operation } from '../index.ts';
import { FsError } from './errors.ts';
import { DIRENT_SIZE, ROOT_INUM, T_DIR, T_FILE, encodeDirent, type InodeType } from './format.ts';
import type { Inode, Volume } from './inode.ts';
import { dirIsEmpty, dirLookup, dirSetEntry, dirSlot } from './data.ts';
import {
  I_CHILD,
  I_CHILD2,
  I_PARENT,
  I_PARENT2,
  lastName,
  lockLoaded,
  splitPath,
  walk,
} from './path.ts';

/**
 * Creates `path` as an empty file or directory; returns it referenced (unlocked). EEXIST when
 * the name exists — unless `existingOk` and it is a file, which is then returned.
 *
 * @example
 * const ip = yield* makeNode(vol, '/a', T_FILE, 'create', false);
 */
export function* makeNode(
  vol: Volume,
  path: string,
  type: InodeType,
  op: string,
  existingOk: boolean,
): Operation<Inode> {
  const { parent, name } = lastName(splitPath(path, op), op, path);
  const dp = yield* walk(vol, parent, op, path);
  try {
    yield* lockLoaded(vol, dp);
    try {
      if (dp.d.type !== T_DIR) throw new FsError('ENOTDIR', op, path);
      if (dp.d.nlink === 0) throw new FsError('ENOENT', op, path, 'parent removed');
      const e = yield* dirLookup(vol, dp, name);
      if (e !== null) {
        if (!existingOk) throw new FsError('EEXIST', op, path);
        const ip = vol.iget(e.inum);
        yield* lockLoaded(vol, ip, I_CHILD);
        const isDir = ip.d.type === T_DIR;
        ip.lock.unlock();
        if (isDir) {
          yield* vol.iput(ip, I_CHILD);
          throw new FsError('EISDIR', op, path);
        }
        return ip;
      }
      const slot = yield* dirSlot(vol, dp, `${op} ${path}`);
      const ip = yield* vol.ialloc(type, `${op} ${path}`);
      yield* ip.lock.lockNested(I_CHILD);
      try {
        if (type === T_DIR) {
          const b = yield* vol.balloc();
          if (b === 0) throw new FsError('ENOSPC', op, path, 'no free block');
          const block = yield* vol.log.writable(b);
          encodeDirent(block, 0, ip.inum, '.');
          encodeDirent(block, DIRENT_SIZE, dp.inum, '..');
          ip.d.addrs[0] = b;
          ip.d.size = vol.sb.blockSize;
        }
        ip.d.nlink = 1;
        yield* vol.update(ip);
        yield* dirSetEntry(vol, dp, slot, ip.inum, name);
      } catch (error) {
        ip.lock.unlock();
        yield* vol.iput(ip, I_CHILD); // link count 0: the inode is freed again
        throw error;
      }
      ip.lock.unlock();
      return ip;
    } finally {
      dp.lock.unlock();
    }
  } finally {
    yield* vol.iput(dp);
  }
}

/**
 * Removes the entry `path`: a file (`dir` false: EISDIR on a directory) or an empty directory
 * (`dir` true: ENOTDIR on a file, ENOTEMPTY). The inode goes when its last reference does.
 *
 * @example
 * yield* removeNode(vol, '/a', false, 'unlink');
 */
export function* removeNode(vol: Volume, path: string, dir: boolean, op: string): Operation<void> {
  const { parent, name } = lastName(splitPath(path, op), op, path);
  const dp = yield* walk(vol, parent, op, path);
  let ip: Inode | null = null;
  try {
    yield* lockLoaded(vol, dp);
    try {
      if (dp.d.type !== T_DIR) throw new FsError('ENOTDIR', op, path);
      const e = yield* dirLookup(vol, dp, name);
      if (e === null) throw new FsError('ENOENT', op, path);
      ip = vol.iget(e.inum);
      yield* lockLoaded(vol, ip, I_CHILD);
      try {
        if (dir && ip.d.type !== T_DIR) throw new FsError('ENOTDIR', op, path);
        if (!dir && ip.d.type === T_DIR) throw new FsError('EISDIR', op, path);
        if (dir && !(yield* dirIsEmpty(vol, ip))) throw new FsError('ENOTEMPTY', op, path);
        yield* dirSetEntry(vol, dp, e.off, 0, '');
        ip.d.nlink--;
        yield* vol.update(ip);
      } finally {
        ip.lock.unlock();
      }
    } finally {
      dp.lock.unlock();
    }
  } finally {
    if (ip !== null) yield* vol.iput(ip);
    yield* vol.iput(dp);
  }
}

/**
 * The directories from `d` up to the root, by inode number, `d` first. Called before the
 * rename locks its parents: directories move only under the rename mutex, which the caller
 * holds, so the chain stays true until it lets go.
 */
function* ancestors(vol: Volume, d: Inode): Operation<number[]> {
  const chain = [d.inum];
  let cur = d.inum;
  while (cur !== ROOT_INUM) {
    if (chain.length > vol.sb.inodeCount)
      throw new FsError('EUCLEAN', 'rename', `inode ${d.inum}`, 'a cycle of ".." entries');
    const ip = vol.iget(cur);
    try {
      yield* lockLoaded(vol, ip);
      try {
        if (ip.d.type !== T_DIR) throw new FsError('ENOTDIR', 'rename', `inode ${cur}`);
        const up = yield* dirLookup(vol, ip, '..');
        if (up === null) break;
        cur = up.inum;
      } finally {
        ip.lock.unlock();
      }
    } finally {
      yield* vol.iput(ip);
    }
    chain.push(cur);
  }
  return chain;
}

/**
 * Renames `from` to `to`, replacing what `to` names (a file by a file, an empty directory by a
 * directory). EINVAL when `to` lies inside `from`.
 *
 * @example
 * yield* renameNode(vol, renameLock, '/a.tmp', '/a');
 */
export function* renameNode(
  vol: Volume,
  renameLock: Mutex,
  from: string,
  to: string,
): Operation<void> {
  const op = 'rename';
  const src = lastName(splitPath(from, op), op, from);
  const dst = lastName(splitPath(to, op), op, to);
  yield* renameLock.lock();
  const refs: Inode[] = [];
  const locked: Inode[] = [];
  const take = function* (ip: Inode, subclass: number) {
    yield* lockLoaded(vol, ip, subclass);
    locked.push(ip);
  };
  try {
    const sp = yield* walk(vol, src.parent, op, from);
    refs.push(sp);
    const dpar = yield* walk(vol, dst.parent, op, to);
    refs.push(dpar);
    const dstChain = yield* ancestors(vol, dpar);
    const srcChain = sp.inum === dpar.inum ? dstChain : yield* ancestors(vol, sp);
    if (sp.inum === dpar.inum) yield* take(sp, I_PARENT);
    else {
      const srcFirst =
        dstChain.includes(sp.inum) || (!srcChain.includes(dpar.inum) && sp.inum < dpar.inum);
      const [first, second] = srcFirst ? [sp, dpar] : [dpar, sp];
      yield* take(first, I_PARENT);
      yield* take(second, I_PARENT2);
    }
    if (sp.d.type !== T_DIR) throw new FsError('ENOTDIR', op, from);
    if (dpar.d.type !== T_DIR) throw new FsError('ENOTDIR', op, to);
    if (dpar.d.nlink === 0) throw new FsError('ENOENT', op, to, 'parent removed');
    const se = yield* dirLookup(vol, sp, src.name);
    if (se === null) throw new FsError('ENOENT', op, from);
    const de = yield* dirLookup(vol, dpar, dst.name);
    if (de !== null && de.inum === se.inum) return;
    // Over the source's own parent or one of its ancestors: a directory holding the source.
    if (de !== null && srcChain.includes(de.inum)) throw new FsError('ENOTEMPTY', op, to);
    if (dstChain.includes(se.inum)) throw new FsError('EINVAL', op, to, `inside ${from}`);
    const child = vol.iget(se.inum);
    refs.push(child);
    const victim = de === null ? null : vol.iget(de.inum);
    if (victim !== null) refs.push(victim);
    const children = [child, victim].filter((x) => x !== null).sort((a, b) => a.inum - b.inum);
    for (let i = 0; i < children.length; i++)
      yield* take(children[i]!, i === 0 ? I_CHILD : I_CHILD2);
    const moving = child.d.type === T_DIR;
    if (victim !== null) {
      if (moving && victim.d.type !== T_DIR) throw new FsError('ENOTDIR', op, to);
      if (!moving && victim.d.type === T_DIR) throw new FsError('EISDIR', op, to);
      if (victim.d.type === T_DIR && !(yield* dirIsEmpty(vol, victim)))
        throw new FsError('ENOTEMPTY', op, to);
      yield* dirSetEntry(vol, dpar, de!.off, child.inum, dst.name);
      victim.d.nlink--;
      yield* vol.update(victim);
    } else {
      const slot = yield* dirSlot(vol, dpar, `${op} ${to}`);
      yield* dirSetEntry(vol, dpar, slot, child.inum, dst.name);
    }
    // The source entry may have moved if the slot search grew nothing: look it up again.
    const again = yield* dirLookup(vol, sp, src.name);
    yield* dirSetEntry(vol, sp, again!.off, 0, '');
    if (moving && sp.inum !== dpar.inum) {
      const dots = yield* dirLookup(vol, child, '..');
      yield* dirSetEntry(vol, child, dots!.off, dpar.inum, '..');
    }
  } finally {
    for (const ip of locked.reverse()) ip.lock.unlock();
    for (const ip of refs.reverse()) yield* vol.iput(ip);
    renameLock.unlock();
  }
}

export { T_FILE };
