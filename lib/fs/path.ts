/**
 * Path names: checking them and walking them to an inode.
 *
 * Interface: `splitPath(path, op)` -> components; `walk(vol, parts, op, path)` -> a referenced,
 * unlocked inode; `lockLoaded(vol, ip)`; `withOp(vol, body)` brackets a body with the journal.
 * Invariants: a path is absolute, at most PATH_MAX characters, each component at most NAME_MAX
 * bytes and not empty; a walk holds one inode lock at a time (it unlocks a directory before
 * locking the next), so it never orders two inode locks and cannot take part in a cycle.
 */
import type { Operation } from '../index.ts';
import { FsError } from './errors.ts';
import { NAME_MAX, PATH_MAX, ROOT_INUM, T_DIR, nameBytes } from './format.ts';
import type { Inode, Volume } from './inode.ts';
import { dirLookup } from './data.ts';

/**
 * Nesting levels of inode locks, declared to the lock-order validator (Mutex.lockNested, as
 * Linux's I_MUTEX_PARENT / I_MUTEX_CHILD): every inode lock is one class, and the levels order
 * them — a directory (I_PARENT) before an entry in it (I_CHILD); rename's second parent
 * (I_PARENT2) after the first and before the children; its second child (I_CHILD2) last.
 */
export const I_PARENT = 0;
export const I_CHILD = 1;
export const I_PARENT2 = 2;
export const I_CHILD2 = 3;

/**
 * The components of an absolute path; EINVAL if it is not absolute, ENAMETOOLONG if too long.
 *
 * @example
 * splitPath('/a/b', 'open'); // ['a', 'b']
 */
export function splitPath(path: string, op: string): string[] {
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw new FsError('EINVAL', op, String(path), 'paths are absolute');
  if (path.length > PATH_MAX)
    throw new FsError('ENAMETOOLONG', op, path.slice(0, 40) + '...', `over ${PATH_MAX}`);
  const parts = path.split('/').filter((p) => p !== '');
  for (const p of parts)
    if (nameBytes(p).length > NAME_MAX)
      throw new FsError('ENAMETOOLONG', op, path, `"${p}" is over ${NAME_MAX} bytes`);
  return parts;
}

/**
 * The last component, which an operation creates or removes: not ".", ".." or the root.
 *
 * @example
 * const { parent, name } = lastName(splitPath('/a/b', 'mkdir'), 'mkdir', '/a/b');
 */
export function lastName(
  parts: string[],
  op: string,
  path: string,
): { parent: string[]; name: string } {
  const name = parts[parts.length - 1];
  if (name === undefined) throw new FsError('EBUSY', op, path, 'the root');
  if (name === '.' || name === '..') throw new FsError('EINVAL', op, path, `"${name}"`);
  return { parent: parts.slice(0, -1), name };
}

/**
 * Locks `ip` at nesting level `subclass` (I_PARENT, I_CHILD, I_PARENT2, I_CHILD2) and reads
 * its fields.
 *
 * @example
 * yield* lockLoaded(vol, ip); try { ... } finally { ip.lock.unlock(); }
 */
export function* lockLoaded(vol: Volume, ip: Inode, subclass = I_PARENT): Operation<void> {
  yield* ip.lock.lockNested(subclass);
  try {
    yield* vol.load(ip);
  } catch (error) {
    ip.lock.unlock();
    throw error;
  }
}

/**
 * Walks `parts` from the root; returns the inode referenced and unlocked. ENOENT, ENOTDIR.
 *
 * @example
 * const ip = yield* walk(vol, ['a', 'b'], 'stat', '/a/b'); try { ... } finally { yield* vol.iput(ip); }
 */
export function* walk(vol: Volume, parts: string[], op: string, path: string): Operation<Inode> {
  let ip = vol.iget(ROOT_INUM);
  try {
    for (const part of parts) {
      yield* lockLoaded(vol, ip);
      let inum: number;
      try {
        if (ip.d.type !== T_DIR) throw new FsError('ENOTDIR', op, path, `at "${part}"`);
        const e = yield* dirLookup(vol, ip, part);
        if (e === null) throw new FsError('ENOENT', op, path, `at "${part}"`);
        inum = e.inum;
      } finally {
        ip.lock.unlock();
      }
      const next = vol.iget(inum);
      yield* vol.iput(ip);
      ip = next;
    }
    return ip;
  } catch (error) {
    yield* vol.iput(ip);
    throw error;
  }
}

/**
 * Runs `body` as one journal operation; an error that is not an FsError stops the journal.
 *
 * @example
 * return yield* withOp(vol, function* () { ... });
 */
export function* withOp<T>(vol: Volume, body: () => Operation<T>): Operation<T> {
  yield* vol.log.beginOp();
  try {
    return yield* body();
  } catch (error) {
    // An FsError is refused before anything changed, or undone; anything else (a device
    // error, a bug) may have left half an operation in the transaction: stop the journal.
    if (!(error instanceof FsError)) vol.log.fail(error);
    throw error;
  } finally {
    yield* vol.log.endOp();
  }
}

/**
 * Checks an offset and a length: safe integers, not negative, the offset at most `max`.
 *
 * @example
 * checkRange('read', path, offset, length, maxFileSize(bs));
 */
export function checkRange(
  op: string,
  path: string,
  offset: number,
  length: number,
  max: number,
): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > max)
    throw new FsError('EINVAL', op, String(path), `offset ${offset}`);
  if (!Number.isSafeInteger(length) || length < 0)
    throw new FsError('EINVAL', op, String(path), `length ${length}`);
}
