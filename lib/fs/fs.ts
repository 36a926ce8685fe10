/**
 * FileSystem: a mounted gkfs, the calls user threads make, and its syncer kernel thread.
 *
 * Interface (every call an Operation, used with `yield*` from a thread):
 *   `FileSystem.mount(session, options)`, `fs.unmount()`;
 *   `mkdir`, `rmdir`, `create`, `open`, `read`, `write`, `truncate`, `unlink`, `rename`,
 *   `readdir`, `stat`, `fsync`, `sync`. Files are named by absolute paths; `open` and `create`
 *   return a FileHandle (inode number + generation) for read, write, truncate and fsync.
 * Errors are FsError (ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, ENAMETOOLONG, EFBIG, EBADF,
 * ENOSPC, EINVAL, EIO...); a failed call leaves the file system consistent and leaks nothing.
 * Durability: a call's changes are in memory when it returns; `fsync`/`sync` (and the syncer,
 * every `syncIntervalMs` of kernel time) commit them through the journal (journal.ts), so after
 * any crash a mount finds the state of the last commit.
 * Lock order, outermost first: rename mutex -> inode locks (parent before child; unrelated
 * directories by inode number) -> allocation lock -> journal lock. A handle holds no lock or
 * reference: removing an open file frees it, and the handle then fails with EBADF.
 */
import {
  TimeoutError,
  currentKernel,
  tsleep,
  wakeup,
  Mutex,
  type Operation,
  type Thread,
} from '../index.ts';
import type { BlockSession } from '../block/session.ts';
import { FsError } from './errors.ts';
import {
  T_DIR,
  T_FILE,
  T_FREE,
  WRITE_CHUNK_BLOCKS,
  decodeSuperblock,
  maxFileSize,
  type Superblock,
} from './format.ts';
import { Journal, type JournalMode, type JournalStats } from './journal.ts';
import { Volume, type Inode } from './inode.ts';
import { dirEntries, readData, writeData } from './data.ts';
import { makeNode, removeNode, renameNode } from './namespace.ts';
import { checkRange, lockLoaded, splitPath, walk, withOp } from './path.ts';

/** An open file: the inode number and the generation it had when opened. */
export interface FileHandle {
  readonly inum: number;
  readonly gen: number;
  readonly path: string;
}

/** What stat returns. */
export interface FileStat {
  readonly inum: number;
  readonly type: 'file' | 'dir';
  readonly size: number;
  readonly nlink: number;
}

export interface MountOptions {
  /** For lock names and reports (default: the session's name). */
  readonly name?: string;
  /** Kernel time between the syncer's commits; 0: no syncer (default 1000). */
  readonly syncIntervalMs?: number;
  /** The journal's protocol; anything but 'correct' is for showing the crash checker works. */
  readonly journal?: JournalMode;
}

/** Longest read one call returns: the largest file. */
const maxRead = maxFileSize;

export class FileSystem {
  readonly sb: Superblock;
  /** @internal */ readonly vol: Volume;
  private readonly renameLock: Mutex;
  private syncer: Thread | null = null;
  private mounted = true;
  private readonly syncIntervalMs: number;

  private constructor(
    readonly dev: BlockSession,
    sb: Superblock,
    readonly name: string,
    mode: JournalMode,
    syncIntervalMs: number,
  ) {
    this.sb = sb;
    this.vol = new Volume(sb, new Journal(dev, sb, name, mode), name);
    this.renameLock = new Mutex(`${name}.rename`);
    this.syncIntervalMs = syncIntervalMs;
  }

  /**
   * Mounts the file system on `dev`: checks the superblock (EUCLEAN if it is not gkfs),
   * replays the journal, starts the syncer.
   *
   * @example
   * const fs = yield* FileSystem.mount(disk, { syncIntervalMs: 500 });
   */
  static *mount(dev: BlockSession, options: MountOptions = {}): Operation<FileSystem> {
    const interval = options.syncIntervalMs ?? 1000;
    if (!Number.isFinite(interval) || interval < 0)
      throw new FsError('EINVAL', 'mount', dev.name, `syncIntervalMs ${interval}`);
    const mode = options.journal ?? 'correct';
    if (mode !== 'correct' && mode !== 'no-barriers' && mode !== 'commit-first')
      throw new FsError('EINVAL', 'mount', dev.name, `journal mode ${String(mode)}`);
    const block = new Uint8Array(dev.blockSize);
    yield* dev.read(0, 1, block);
    const sb = decodeSuperblock(block);
    if (typeof sb === 'string') throw new FsError('EUCLEAN', 'mount', dev.name, sb);
    if (sb.blockSize !== dev.blockSize || sb.blockCount > dev.blockCount)
      throw new FsError('EUCLEAN', 'mount', dev.name, 'the superblock does not fit the device');
    const fs = new FileSystem(dev, sb, options.name ?? dev.name, mode, interval);
    yield* fs.vol.log.recover();
    if (interval > 0) fs.startSyncer();
    return fs;
  }

  /** Journal counters: commits, blocks logged, blocks replayed at mount. */
  get journalStats(): Readonly<JournalStats> {
    return this.vol.log.stats;
  }

  private startSyncer(): void {
    const fs = this;
    this.syncer = currentKernel().spawn(
      function* syncer() {
        while (fs.mounted) {
          try {
            yield* tsleep(fs, fs.syncIntervalMs);
          } catch (error) {
            if (!(error instanceof TimeoutError)) throw error;
          }
          try {
            if (fs.mounted && !fs.vol.log.failed && fs.vol.log.pending > 0)
              yield* fs.vol.log.commit();
          } catch (error) {
            // A device error stopped the journal: the calls report it (EIO) from now on.
            if (!fs.vol.log.failed) throw error;
          }
        }
      },
      { kind: 'kernel', daemon: true, name: `${this.name}.syncer` },
    );
  }

  /**
   * Commits everything (unless a device error stopped the journal) and stops the syncer.
   *
   * @example
   * yield* fs.unmount();
   */
  *unmount(): Operation<void> {
    this.check('unmount', '/');
    // After a device error the transaction is never committed (journal.ts fail()).
    if (!this.vol.log.failed) yield* this.vol.log.commit();
    this.mounted = false;
    if (this.syncer !== null) wakeup(this);
    const syncer = this.syncer;
    if (syncer !== null && syncer.stateName !== 'exited') yield* syncer.join();
  }

  private check(op: string, path: string): void {
    if (!this.mounted) throw new FsError('EINVAL', op, path, 'not mounted');
  }

  /**
   * Makes a directory. EEXIST, ENOENT, ENOTDIR, ENOSPC, ENAMETOOLONG.
   *
   * @example
   * yield* fs.mkdir('/a');
   */
  *mkdir(path: string): Operation<void> {
    this.check('mkdir', path);
    const vol = this.vol;
    yield* withOp(vol, function* () {
      yield* vol.iput(yield* makeNode(vol, path, T_DIR, 'mkdir', false));
    });
  }

  /**
   * Removes an empty directory. ENOENT, ENOTDIR, ENOTEMPTY, EBUSY (the root).
   *
   * @example
   * yield* fs.rmdir('/a');
   */
  *rmdir(path: string): Operation<void> {
    this.check('rmdir', path);
    const vol = this.vol;
    yield* withOp(vol, () => removeNode(vol, path, true, 'rmdir'));
  }

  /**
   * Creates an empty file and opens it. EEXIST when the name exists.
   *
   * @example
   * const h = yield* fs.create('/a');
   */
  *create(path: string): Operation<FileHandle> {
    return yield* this.openOrCreate(path, 'create', false);
  }

  /**
   * Opens a file; with `{ create: true }` creates it if missing. ENOENT, EISDIR.
   *
   * @example
   * const h = yield* fs.open('/a', { create: true });
   */
  *open(path: string, options: { create?: boolean } = {}): Operation<FileHandle> {
    if (options.create === true) return yield* this.openOrCreate(path, 'open', true);
    this.check('open', path);
    const vol = this.vol;
    const parts = splitPath(path, 'open');
    return yield* withOp(vol, function* () {
      const ip = yield* walk(vol, parts, 'open', path);
      try {
        yield* lockLoaded(vol, ip);
        ip.lock.unlock();
        if (ip.d.type === T_DIR) throw new FsError('EISDIR', 'open', path);
        return { inum: ip.inum, gen: ip.d.gen, path };
      } finally {
        yield* vol.iput(ip);
      }
    });
  }

  private *openOrCreate(path: string, op: string, existingOk: boolean): Operation<FileHandle> {
    this.check(op, path);
    const vol = this.vol;
    return yield* withOp(vol, function* () {
      const ip = yield* makeNode(vol, path, T_FILE, op, existingOk);
      const h = { inum: ip.inum, gen: ip.d.gen, path };
      yield* vol.iput(ip);
      return h;
    });
  }

  /** Inside an operation: the handle's inode, referenced and locked; EBADF if stale. */
  private *handleInode(h: FileHandle, op: string): Operation<Inode> {
    if (
      typeof h !== 'object' ||
      h === null ||
      !Number.isInteger(h.inum) ||
      h.inum <= 0 ||
      h.inum >= this.sb.inodeCount
    )
      throw new FsError('EBADF', op, String((h as FileHandle | null)?.path));
    const ip = this.vol.iget(h.inum);
    yield* lockLoaded(this.vol, ip);
    if (ip.d.type !== T_FILE || ip.d.gen !== h.gen) {
      ip.lock.unlock();
      yield* this.vol.iput(ip);
      throw new FsError('EBADF', op, h.path, 'the file was removed');
    }
    return ip;
  }

  /**
   * Reads up to `length` bytes at `offset` (fewer at the end of the file).
   *
   * @example
   * const bytes = yield* fs.read(h, 0, 4096);
   */
  *read(h: FileHandle, offset: number, length: number): Operation<Uint8Array> {
    this.check('read', h?.path);
    checkRange('read', h?.path, offset, length, maxRead(this.sb.blockSize));
    const fs = this;
    return yield* withOp(this.vol, function* () {
      const ip = yield* fs.handleInode(h, 'read');
      try {
        const into = new Uint8Array(Math.max(0, Math.min(length, ip.d.size - offset)));
        yield* readData(fs.vol, ip, offset, into);
        return into;
      } finally {
        ip.lock.unlock();
        yield* fs.vol.iput(ip);
      }
    });
  }

  /**
   * Writes `data` at `offset`, growing the file (a gap reads as zeros). Returns the bytes
   * written: fewer only if the device filled (ENOSPC if none). EFBIG past the largest file.
   * A long write is several journal operations (WRITE_CHUNK_BLOCKS blocks each).
   *
   * @example
   * yield* fs.write(h, 0, new TextEncoder().encode('hello'));
   */
  *write(h: FileHandle, offset: number, data: Uint8Array): Operation<number> {
    this.check('write', h?.path);
    if (!(data instanceof Uint8Array)) throw new FsError('EINVAL', 'write', h?.path, 'data');
    const max = maxFileSize(this.sb.blockSize);
    checkRange('write', h?.path, offset, data.length, max);
    if (offset + data.length > max)
      throw new FsError('EFBIG', 'write', h.path, `${offset + data.length} bytes > ${max}`);
    const bs = this.sb.blockSize;
    const fs = this;
    let done = 0;
    while (done < data.length || (done === 0 && data.length === 0)) {
      const pos = offset + done;
      const chunkEnd = Math.min(
        offset + data.length,
        (Math.floor(pos / bs) + WRITE_CHUNK_BLOCKS) * bs,
      );
      const piece = data.subarray(done, chunkEnd - offset);
      let n: number;
      try {
        n = yield* withOp(this.vol, function* () {
          const ip = yield* fs.handleInode(h, 'write');
          try {
            return yield* writeData(fs.vol, ip, pos, piece, `write ${h.path}`);
          } finally {
            ip.lock.unlock();
            yield* fs.vol.iput(ip);
          }
        });
      } catch (error) {
        if (done > 0 && error instanceof FsError && error.code === 'ENOSPC') return done;
        throw error;
      }
      done += n;
      if (n < piece.length || data.length === 0) break;
    }
    return done;
  }

  /**
   * Sets a file's size: shrinking frees the blocks past it, growing adds a hole.
   *
   * @example
   * yield* fs.truncate(h, 0);
   */
  *truncate(h: FileHandle, size: number): Operation<void> {
    this.check('truncate', h?.path);
    const max = maxFileSize(this.sb.blockSize);
    if (Number.isSafeInteger(size) && size > max)
      throw new FsError('EFBIG', 'truncate', h?.path, `${size} bytes > ${max}`);
    checkRange('truncate', h?.path, size, 0, max);
    const fs = this;
    yield* withOp(this.vol, function* () {
      const ip = yield* fs.handleInode(h, 'truncate');
      try {
        if (size < ip.d.size) yield* fs.vol.truncateBlocks(ip, size);
        ip.d.size = size;
        yield* fs.vol.update(ip);
      } finally {
        ip.lock.unlock();
        yield* fs.vol.iput(ip);
      }
    });
  }

  /**
   * Removes a file's name; the file goes with its last name. EISDIR on a directory.
   *
   * @example
   * yield* fs.unlink('/a');
   */
  *unlink(path: string): Operation<void> {
    this.check('unlink', path);
    const vol = this.vol;
    yield* withOp(vol, () => removeNode(vol, path, false, 'unlink'));
  }

  /**
   * Renames `from` to `to` atomically, replacing a file (or an empty directory) at `to`.
   *
   * @example
   * yield* fs.rename('/a.tmp', '/a');
   */
  *rename(from: string, to: string): Operation<void> {
    this.check('rename', from);
    const vol = this.vol;
    yield* withOp(vol, () => renameNode(vol, this.renameLock, from, to));
  }

  /**
   * The names in a directory (without "." and ".."), in directory order.
   *
   * @example
   * const names = yield* fs.readdir('/');
   */
  *readdir(path: string): Operation<string[]> {
    this.check('readdir', path);
    const vol = this.vol;
    const parts = splitPath(path, 'readdir');
    return yield* withOp(vol, function* () {
      const ip = yield* walk(vol, parts, 'readdir', path);
      try {
        yield* lockLoaded(vol, ip);
        try {
          if (ip.d.type !== T_DIR) throw new FsError('ENOTDIR', 'readdir', path);
          const names = (yield* dirEntries(vol, ip)).map((e) => e.name);
          return names.filter((n) => n !== '.' && n !== '..');
        } finally {
          ip.lock.unlock();
        }
      } finally {
        yield* vol.iput(ip);
      }
    });
  }

  /**
   * A file's or directory's inode number, type, size and link count.
   *
   * @example
   * const { size } = yield* fs.stat('/a');
   */
  *stat(path: string): Operation<FileStat> {
    this.check('stat', path);
    const vol = this.vol;
    const parts = splitPath(path, 'stat');
    return yield* withOp(vol, function* () {
      const ip = yield* walk(vol, parts, 'stat', path);
      try {
        yield* lockLoaded(vol, ip);
        ip.lock.unlock();
        if (ip.d.type === T_FREE) throw new FsError('ENOENT', 'stat', path);
        const type = ip.d.type === T_DIR ? 'dir' : 'file';
        return { inum: ip.inum, type, size: ip.d.size, nlink: ip.d.nlink } as const;
      } finally {
        yield* vol.iput(ip);
      }
    });
  }

  /**
   * Makes the file's data and names durable (commits the journal: everything before it too).
   *
   * @example
   * yield* fs.fsync(h);
   */
  *fsync(h: FileHandle): Operation<void> {
    this.check('fsync', h?.path);
    yield* this.vol.log.commit();
  }

  /**
   * Makes everything done so far durable.
   *
   * @example
   * yield* fs.sync();
   */
  *sync(): Operation<void> {
    this.check('sync', '/');
    yield* this.vol.log.commit();
  }
}
