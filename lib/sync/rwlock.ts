/**
 * RWLock: a reader-writer lock with owners, kernel semantics.
 *
 * Interface: `yield* rw.readLock(timeoutMs?)`, `yield* rw.writeLock(timeoutMs?)`, `rw.unlock()`.
 * Invariants: writer !== null ⇒ readers is empty; waiters are served in priority order, FIFO
 * among equals; a new reader queues behind a waiting writer (writers cannot starve); when the
 * lock is released to a reader, every reader queued before the next writer gets it together.
 * Re-entering as a writer, or asking to write while reading, is EDEADLK; unlocking without
 * holding is EPERM. A blocked writer lends its priority to the writer that holds the lock.
 */
import { assert } from '../kernel/assert.ts';
import { NotOwnerError, WouldDeadlockError } from '../kernel/errors.ts';
import { cpu, enter, failed, granted, suspended, type Operation } from '../kernel/operation.ts';
import { addHeld, lendPriority, removeHeld, restorePriority, type Lock } from './priority.ts';
import { ThreadQueue } from '../kernel/queue.ts';
import { Resource } from '../kernel/resource.ts';
import { MANY_OWNERS, type Thread } from '../kernel/thread.ts';
import { registerWaitKind } from '../kernel/waitkind.ts';
import { block, wake } from '../kernel/waits.ts';

export const WAIT_RWLOCK_READ = registerWaitKind({
  name: 'rwlock-read',
  durable: true,
  ownerless: false,
});
export const WAIT_RWLOCK_WRITE = registerWaitKind({
  name: 'rwlock-write',
  durable: true,
  ownerless: false,
});

export class RWLock extends Resource implements Lock {
  private holderW: Thread | null = null;
  private readonly holdersR: Thread[] = [];
  /** @internal */ readonly waiters = new ThreadQueue<Thread>();

  /**
   * @example
   * const inodeLock = new RWLock('inode 7');
   */
  constructor(name = 'rwlock') {
    super(name);
  }

  get resourceKind(): string {
    return 'rwlock';
  }

  /** The writer holding the lock, or null. */
  get writer(): Thread | null {
    return this.holderW;
  }

  /** Threads holding it for reading (a thread appears once per hold). */
  get readers(): readonly Thread[] {
    return this.holdersR;
  }

  /** For priority inheritance: the writer (readers are not boosted). */
  get owner(): Thread | null {
    return this.holderW;
  }

  /**
   * Acquires for reading: shared with other readers, waits while a writer holds or waits.
   *
   * @example
   * yield* rw.readLock(); try { ... } finally { rw.unlock(); }
   */
  readLock(timeoutMs?: number): Operation<void> {
    const self = enter('RWLock.readLock()', timeoutMs);
    const kernel = this.bind(self);
    const check = kernel.hooks.beforeLock;
    if (check !== undefined) check(self, this, 'read', false);
    if (this.writer === self)
      return failed(
        self,
        new WouldDeadlockError(
          `locking against myself: thread ${self} holds rwlock ${this.name} for writing and asked to read`,
        ),
      );
    if (this.writer === null && this.waiters.length === 0) {
      this.addReader(self);
      return granted(self, this);
    }
    if (this.holdersR.includes(self)) {
      return failed(
        self,
        new WouldDeadlockError(
          `thread ${self} re-enters rwlock ${this.name} for reading while a writer waits: it would wait for itself`,
        ),
      );
    }
    block(self, this, WAIT_RWLOCK_READ, timeoutMs);
    this.waiters.enqueue(self);
    lendPriority(self);
    return suspended<void>(self);
  }

  /**
   * Acquires for writing: exclusive. Waits while anyone holds it.
   *
   * @example
   * yield* rw.writeLock(); try { ... } finally { rw.unlock(); }
   */
  writeLock(timeoutMs?: number): Operation<void> {
    const self = enter('RWLock.writeLock()', timeoutMs);
    const kernel = this.bind(self);
    const check = kernel.hooks.beforeLock;
    if (check !== undefined) check(self, this, 'write', false);
    if (this.writer === self)
      return failed(
        self,
        new WouldDeadlockError(
          `locking against myself: thread ${self} already holds rwlock ${this.name} for writing`,
        ),
      );
    if (this.holdersR.includes(self))
      return failed(
        self,
        new WouldDeadlockError(
          `thread ${self} holds rwlock ${this.name} for reading and asked to write: it would wait for itself`,
        ),
      );
    if (this.writer === null && this.holdersR.length === 0) {
      this.setWriter(self);
      return granted(self, this);
    }
    block(self, this, WAIT_RWLOCK_WRITE, timeoutMs);
    this.waiters.enqueue(self);
    lendPriority(self);
    return suspended<void>(self);
  }

  /**
   * Releases the caller's hold (read or write).
   *
   * @example
   * rw.unlock();
   */
  unlock(): void {
    const self = cpu.current;
    if (self === null || (this.writer !== self && !this.holdersR.includes(self))) {
      throw new NotOwnerError(
        `thread ${self ?? '(host)'} unlocked rwlock ${this.name}, which it does not hold`,
      );
    }
    this.release(self);
  }

  /** SPI (Waitable): A hold handed to `t`, killed before it saw it, is released to the next waiters. */
  revokeGrant(t: Thread): void {
    this.release(t);
  }

  /** SPI (Waitable): Everyone who must release for a waiter to proceed. */
  owners(): readonly Thread[] {
    return this.writer !== null ? [this.writer] : [...new Set(this.holdersR)];
  }

  /** SPI (Waitable): The writer, the one reader, or MANY_OWNERS for several readers. */
  soleOwner(): Thread | null | typeof MANY_OWNERS {
    if (this.writer !== null) return this.writer;
    const readers = this.holdersR;
    if (readers.length === 0) return null;
    const first = readers[0]!;
    for (let i = 1; i < readers.length; i++) if (readers[i] !== first) return MANY_OWNERS;
    return first;
  }

  /** SPI (Waitable). */
  topWaiterPriority(): number {
    const t = this.waiters.head;
    return t === null ? -1 : t.priority;
  }

  /** SPI (Waitable). */
  removeWaiter(t: Thread): void {
    this.waiters.remove(t);
    if (this.writer !== null) restorePriority(this.writer);
    this.grant(); // a departing writer may have been holding readers back
  }

  /** `t` gives up one hold (its write hold, or its latest read hold) and the lock goes on. */
  private release(t: Thread): void {
    if (this.writer === t) {
      this.holderW = null;
    } else {
      const i = this.holdersR.lastIndexOf(t);
      assert(i >= 0, 'rwlock: a released read hold was held');
      this.holdersR.splice(i, 1);
    }
    removeHeld(t, this);
    this.grant();
    restorePriority(t);
  }

  private addReader(t: Thread): void {
    assert(this.holderW === null, 'rwlock: no reader while a writer holds it');
    this.holdersR.push(t);
    addHeld(t, this);
  }

  private setWriter(t: Thread): void {
    assert(
      this.holderW === null && this.holdersR.length === 0,
      'rwlock: a writer takes a free lock',
    );
    this.holderW = t;
    addHeld(t, this);
  }

  /** Hands the free lock to the top waiter; a reader brings every reader before the next writer. */
  private grant(): void {
    if (this.writer !== null) return;
    const first = this.waiters.head;
    if (first === null) return;
    if (first.waitKindId === WAIT_RWLOCK_WRITE) {
      if (this.holdersR.length > 0) return;
      this.waiters.remove(first);
      this.setWriter(first);
      wake(first, undefined);
      return;
    }
    // Readers: the top reader and every reader before the first writer in wake order.
    for (
      let t: Thread | null = first;
      t !== null && t.waitKindId === WAIT_RWLOCK_READ;
      t = this.waiters.head
    ) {
      this.waiters.remove(t);
      this.addReader(t);
      wake(t, undefined);
    }
  }
}
