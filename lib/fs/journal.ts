/**
 * The redo journal (after xv6's log.c), with the ordering a device with a volatile cache needs.
 *
 * Interface: `beginOp()` / `endOp()` bracket every file-system operation; inside, `read(lba)`
 * gives a block's current contents, `writable(lba)` / `zeroed(lba)` give the transaction's own
 * copy to change; `commit()` makes every ended operation durable; `recover()` replays at mount.
 * A commit, once no operation is running:
 *   1. writes each dirty block to the log (blocks 1.. of the log area);
 *   2. barrier: the log is stable before the header can be;
 *   3. writes the header (the commit point) with FUA;
 *   4. installs the blocks at home; barrier; clears the header with FUA — so the installs are
 *      stable before the header is cleared, and the clear is stable before the next commit
 *      writes over the log.
 * Invariants: at most `capacity` blocks are dirty; an operation starts only if MAX_OP_BLOCKS
 * more fit next to the running ones, so none finds the log full half-way; no operation runs
 * while a commit writes; a block dirtied by a transaction is read from memory until installed.
 * `mode` breaks the protocol on purpose so the crash checker can be shown to catch it:
 * 'no-barriers' drops steps 2 and 4's barrier; 'commit-first' writes the header before the log.
 * Lock order: the log mutex is the innermost lock of the file system (nothing is taken under it).
 */
import { CondVar, Mutex, type Operation } from '../index.ts';
import type { BlockSession } from '../block/session.ts';
import { FsError } from './errors.ts';
import { MAX_OP_BLOCKS, decodeLogHeader, encodeLogHeader, type Superblock } from './format.ts';

/** How the journal orders its writes: 'correct', or one of two broken protocols for tests. */
export type JournalMode = 'correct' | 'no-barriers' | 'commit-first';

/** Counters of a journal since mount. */
export interface JournalStats {
  commits: number;
  blocksLogged: number;
  replayed: number;
}

export class Journal {
  readonly capacity: number;
  readonly stats: JournalStats = { commits: 0, blocksLogged: 0, replayed: 0 };
  private readonly mu: Mutex;
  private readonly changed: CondVar;
  /** The running transaction's blocks, by home lba, in first-dirtied order. */
  private readonly dirty = new Map<number, Uint8Array>();
  private outstanding = 0;
  private committing = false;
  /** The device error that stopped the journal (see fail()), or undefined. */
  private failure: unknown = undefined;

  /**
   * @example
   * const log = new Journal(session, sb, 'fs0', 'correct');
   */
  constructor(
    private readonly dev: BlockSession,
    private readonly sb: Superblock,
    name: string,
    readonly mode: JournalMode,
  ) {
    this.capacity = sb.logBlocks - 1;
    this.mu = new Mutex(`${name}.log`);
    this.changed = new CondVar(`${name}.log.changed`);
  }

  /**
   * Stops the journal after a device error (or a bug) part-way through an operation or a
   * commit: the running transaction may hold half an operation, so it is never committed, and
   * every later operation and commit fails with EIO. The device keeps the last commit (or a
   * committed log, which the next mount replays): consistent. As Linux's errors=remount-ro.
   *
   * @example
   * log.fail(error);
   */
  fail(error: unknown): void {
    this.failure ??= error;
  }

  /** True once fail() was called. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  private checkFailed(op: string): void {
    if (this.failure !== undefined)
      throw new FsError('EIO', op, this.dev.name, `stopped after: ${String(this.failure)}`);
  }

  /** Blocks dirtied by ended or running operations, not yet committed. */
  get pending(): number {
    return this.dirty.size;
  }

  /**
   * Starts an operation: waits while a commit writes or the log lacks room for MAX_OP_BLOCKS
   * more (committing itself when it is the last one in the way).
   *
   * @example
   * yield* log.beginOp(); try { ... } finally { yield* log.endOp(); }
   */
  *beginOp(): Operation<void> {
    this.checkFailed('begin');
    yield* this.mu.lock();
    try {
      for (;;) {
        if (this.committing) {
          yield* this.changed.wait(this.mu);
        } else if (this.dirty.size + (this.outstanding + 1) * MAX_OP_BLOCKS > this.capacity) {
          if (this.outstanding > 0) yield* this.changed.wait(this.mu);
          else yield* this.commitLocked();
        } else {
          this.outstanding++;
          return;
        }
      }
    } finally {
      this.mu.unlock();
    }
  }

  /**
   * Ends an operation; wakes a commit or a starter waiting for it.
   *
   * @example
   * yield* log.endOp();
   */
  *endOp(): Operation<void> {
    yield* this.mu.lock();
    this.outstanding--;
    this.changed.broadcast();
    this.mu.unlock();
  }

  /**
   * The current contents of block `lba` (the transaction's copy if it has one). Do not change
   * the result: use writable().
   *
   * @example
   * const block = yield* log.read(sb.inodeStart);
   */
  *read(lba: number): Operation<Uint8Array> {
    const mine = this.dirty.get(lba);
    if (mine !== undefined) return mine;
    const buf = new Uint8Array(this.sb.blockSize);
    yield* this.dev.read(lba, 1, buf);
    // Another operation may have dirtied it while we waited: its copy is the current one.
    return this.dirty.get(lba) ?? buf;
  }

  /**
   * The transaction's own copy of block `lba`, read first if it has none; changes to it are
   * committed with the transaction.
   *
   * @example
   * const bitmap = yield* log.writable(sb.blockBitmapStart);
   */
  *writable(lba: number): Operation<Uint8Array> {
    const mine = this.dirty.get(lba);
    if (mine !== undefined) return mine;
    const buf = yield* this.read(lba);
    return this.adopt(lba, buf);
  }

  /**
   * A zeroed copy of block `lba` in the transaction, without reading it (a fresh allocation).
   *
   * @example
   * const dirBlock = log.zeroed(lba);
   */
  zeroed(lba: number): Uint8Array {
    const mine = this.dirty.get(lba);
    if (mine !== undefined) {
      mine.fill(0);
      return mine;
    }
    return this.adopt(lba, new Uint8Array(this.sb.blockSize));
  }

  private adopt(lba: number, buf: Uint8Array): Uint8Array {
    const had = this.dirty.get(lba);
    if (had !== undefined) return had;
    if (this.outstanding === 0 || this.dirty.size >= this.capacity)
      throw new FsError(
        'EIO',
        'journal',
        `block ${lba}`,
        'dirtied outside an operation or over the reservation',
      );
    this.dirty.set(lba, buf);
    return buf;
  }

  /**
   * Makes every ended operation durable: waits for a commit in progress and for running
   * operations, then commits what is dirty (nothing to do if nothing is).
   *
   * @example
   * yield* log.commit(); // fsync
   */
  *commit(): Operation<void> {
    yield* this.mu.lock();
    try {
      while (this.committing || this.outstanding > 0) yield* this.changed.wait(this.mu);
      this.checkFailed('commit');
      yield* this.commitLocked();
    } finally {
      this.mu.unlock();
    }
  }

  /** With the log mutex held, no commit running and no operation outstanding. */
  private *commitLocked(): Operation<void> {
    if (this.dirty.size === 0) return;
    this.committing = true;
    // The I/O runs without the log mutex: readers of `pending` and starters wait on `changed`.
    this.mu.unlock();
    try {
      yield* this.writeCommit();
    } catch (error) {
      this.fail(error);
      throw error;
    } finally {
      yield* this.mu.lock();
      this.committing = false;
      this.changed.broadcast();
    }
  }

  private *writeCommit(): Operation<void> {
    const lbas = [...this.dirty.keys()];
    const logStart = this.sb.logStart;
    const header = new Uint8Array(this.sb.blockSize);
    encodeLogHeader({ lbas }, header);
    const broken = this.mode;
    if (broken === 'commit-first') yield* this.dev.write(logStart, 1, header, { fua: true });
    for (let i = 0; i < lbas.length; i++)
      yield* this.dev.write(logStart + 1 + i, 1, this.dirty.get(lbas[i]!)!);
    if (broken === 'correct') yield* this.dev.barrier();
    if (broken !== 'commit-first') yield* this.dev.write(logStart, 1, header, { fua: true });
    for (const lba of lbas) yield* this.dev.write(lba, 1, this.dirty.get(lba)!);
    if (broken !== 'no-barriers') yield* this.dev.barrier();
    header.fill(0);
    yield* this.dev.write(logStart, 1, header, { fua: true });
    this.dirty.clear();
    this.stats.commits++;
    this.stats.blocksLogged += lbas.length;
  }

  /**
   * Replays a committed transaction left in the log (a crash between steps 3 and 4), then
   * clears it. Idempotent: a crash during recovery replays again at the next mount.
   *
   * @example
   * yield* log.recover(); // at mount, before anything reads the file system
   */
  *recover(): Operation<number> {
    const logStart = this.sb.logStart;
    const header = new Uint8Array(this.sb.blockSize);
    yield* this.dev.read(logStart, 1, header);
    const decoded = decodeLogHeader(header, this.capacity);
    if (typeof decoded === 'string') throw new FsError('EUCLEAN', 'mount', this.dev.name, decoded);
    const { lbas } = decoded;
    if (lbas.length === 0) return 0;
    for (const lba of lbas)
      if (lba < this.sb.inodeBitmapStart || lba >= this.sb.blockCount)
        throw new FsError('EUCLEAN', 'mount', this.dev.name, `journal names block ${lba}`);
    const buf = new Uint8Array(this.sb.blockSize);
    for (let i = 0; i < lbas.length; i++) {
      yield* this.dev.read(logStart + 1 + i, 1, buf);
      yield* this.dev.write(lbas[i]!, 1, buf);
    }
    yield* this.dev.barrier();
    header.fill(0);
    yield* this.dev.write(logStart, 1, header, { fua: true });
    this.stats.replayed += lbas.length;
    return lbas.length;
  }
}
