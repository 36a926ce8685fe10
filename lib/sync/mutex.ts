/**
 * Mutex: a sleeping lock with an owner, kernel semantics.
 *
 * Interface: `yield* m.lock(timeoutMs?)`, `yield* m.lockNested(subclass, timeoutMs?)`,
 * `m.tryLock()`, `m.unlock()`.
 * Invariants: owner === null ⇔ no thread holds it; a waiter is BLOCKED with waitOn === this;
 * unlock hands the lock directly to the highest-priority waiter (FIFO among equals), so a woken
 * waiter never has to retry and cannot be overtaken. Locking a mutex you hold is EDEADLK
 * ("locking against myself"); unlocking one you do not hold is EPERM; both name the threads.
 * A waiter lends its priority to the owner chain (priority.ts).
 * `lockNested` is Linux's mutex_lock_nested: several locks of one class taken nested in a
 * defined order each declare their nesting level (subclass, 0..MAX_LOCK_SUBCLASSES-1), and the
 * lock-order validator treats (class, subclass) as a class of its own; `lockSubclass` is the
 * level of the current hold (0 for `lock`).
 */
import { assert } from '../kernel/assert.ts';
import { InvalidArgumentError, NotOwnerError, WouldDeadlockError } from '../kernel/errors.ts';
import { cpu, enter, failed, granted, suspended, type Operation } from '../kernel/operation.ts';
import { addHeld, lendPriority, removeHeld, restorePriority, type Lock } from './priority.ts';
import { ThreadQueue } from '../kernel/queue.ts';
import { Resource } from '../kernel/resource.ts';
import { F_REACQUIRE, NO_OWNERS, type Signallable, type Thread } from '../kernel/thread.ts';
import { registerWaitKind } from '../kernel/waitkind.ts';
import { block, reprioritize, rewait, wake, wakeWithError } from '../kernel/waits.ts';

/** Waiting to take a mutex (also a condition-variable waiter re-taking its mutex). */
export const WAIT_MUTEX = registerWaitKind({ name: 'mutex', durable: true, ownerless: false });

/** Nesting levels `lockNested` accepts, as Linux's MAX_LOCKDEP_SUBCLASSES. */
export const MAX_LOCK_SUBCLASSES = 8;

export class Mutex extends Resource implements Lock {
  private holder: Thread | null = null;
  /** The subclass the current hold was declared with (lockNested), else 0. */
  private heldSubclass = 0;
  /** Waiters queued through lockNested with a subclass other than 0. */
  private nestedWaiters: Map<Thread, number> | null = null;
  /** @internal */ readonly waiters = new ThreadQueue<Thread>();

  /**
   * @example
   * const bufLock = new Mutex('buf');
   */
  constructor(name = 'mutex') {
    super(name);
  }

  get resourceKind(): string {
    return 'mutex';
  }

  /**
   * Acquires the mutex, waiting while another thread holds it. Throws TimeoutError after
   * `timeoutMs`, WouldDeadlockError if the caller already holds it.
   *
   * @example
   * yield* m.lock();
   * try { ... } finally { m.unlock(); }
   */
  lock(timeoutMs?: number): Operation<void> {
    return this.acquire(enter('Mutex.lock()', timeoutMs), 0, timeoutMs);
  }

  /**
   * lock() declaring a nesting level: takes one of several mutexes of the same lock class that
   * are nested in a defined order (e.g. blocks by ascending number, the n-th taken at level n),
   * so the lock-order validator sees the levels as distinct classes — a legal nesting is not
   * reported, and taking them against the defined order still closes a cycle.
   *
   * @example
   * yield* low.lockNested(0);
   * yield* high.lockNested(1);
   */
  lockNested(subclass: number, timeoutMs?: number): Operation<void> {
    const self = enter('Mutex.lockNested()', timeoutMs);
    if (!(Number.isInteger(subclass) && subclass >= 0 && subclass < MAX_LOCK_SUBCLASSES))
      throw new InvalidArgumentError(
        `Mutex.lockNested(): subclass must be an integer in [0, ${MAX_LOCK_SUBCLASSES}), got ${subclass}`,
      );
    return this.acquire(self, subclass, timeoutMs);
  }

  /** The nesting level of the current hold: lockNested's subclass, 0 for lock() and tryLock(). */
  get lockSubclass(): number {
    return this.heldSubclass;
  }

  private acquire(self: Thread, subclass: number, timeoutMs: number | undefined): Operation<void> {
    const kernel = this.bind(self);
    const check = kernel.hooks.beforeLock;
    if (check !== undefined) check(self, this, 'exclusive', false, subclass);
    const owner = this.holder;
    if (owner === null) {
      this.take(self, subclass);
      return granted(self, this);
    }
    if (owner === self) return failed(self, this.againstMyself(self));
    block(self, this, WAIT_MUTEX, timeoutMs);
    this.waiters.enqueue(self);
    if (subclass !== 0) (this.nestedWaiters ??= new Map()).set(self, subclass);
    // lendPriority's first hop, tested here: an owner at or above the waiter's priority needs
    // no boost, and the hand-off path stays free of the chain walk.
    if (owner.priority < self.priority) lendPriority(self);
    return suspended<void>(self);
  }

  /**
   * Acquires the mutex if it is free; never waits. Returns whether it was acquired.
   *
   * @example
   * if (m.tryLock()) { try { ... } finally { m.unlock(); } }
   */
  tryLock(): boolean {
    const self = enter('Mutex.tryLock()');
    const check = this.bind(self).hooks.beforeLock;
    if (this.owner !== null) return false;
    if (check !== undefined) check(self, this, 'exclusive', true);
    this.take(self);
    return true;
  }

  /**
   * Releases the mutex, handing it to the highest-priority waiter. Only the owner may unlock.
   *
   * @example
   * m.unlock();
   */
  unlock(): void {
    const self = cpu.current;
    if (this.holder !== self || self === null) throw this.notOwner(self);
    this.release(self);
  }

  // The errors are built out of line: lock and unlock stay small enough to be inlined, with
  // the rest of the hand-off, into the caller.
  private againstMyself(self: Thread): WouldDeadlockError {
    return new WouldDeadlockError(
      `locking against myself: thread ${self} already holds mutex ${this.name}`,
    );
  }

  private notOwner(self: Thread | null): NotOwnerError {
    return new NotOwnerError(
      `thread ${self ?? '(host)'} unlocked mutex ${this.name}, which is held by ${this.owner ?? 'nobody'}`,
    );
  }

  /** The thread holding the mutex, or null. */
  get owner(): Thread | null {
    return this.holder;
  }

  /** True while some thread holds it. */
  get locked(): boolean {
    return this.owner !== null;
  }

  /** SPI (Waitable): The threads that must act for a waiter to proceed. */
  owners(): readonly Thread[] {
    return this.owner === null ? NO_OWNERS : [this.owner];
  }

  /** SPI (Waitable). */
  soleOwner(): Thread | null {
    return this.owner;
  }

  /** SPI (Waitable). */
  topWaiterPriority(): number {
    const t = this.waiters.head;
    return t === null ? -1 : t.priority;
  }

  /** SPI (Waitable): Timeout or kill of a waiter. */
  removeWaiter(t: Thread): void {
    this.waiters.remove(t);
    this.nestedWaiters?.delete(t);
    if (this.owner !== null) restorePriority(this.owner);
  }

  /**
   * SPI (Waitable): A waiter is killed. One re-taking the mutex after a condition-variable wait stays
   * queued and unwinds holding it (its `finally` unlocks); its consumed signal passes on.
   */
  onKill(t: Thread): boolean {
    if ((t.flags & F_REACQUIRE) === 0) return false;
    passSignalOn(t);
    return true;
  }

  /**
   * SPI (Waitable): `t` was handed the mutex and is killed (or abandons the lock) before it saw it:
   * the mutex goes to the next waiter. A condition-variable waiter keeps it to unwind with.
   */
  revokeGrant(t: Thread): void {
    if ((t.flags & F_REACQUIRE) !== 0) {
      passSignalOn(t);
      return;
    }
    this.release(t);
  }

  /**
   * @internal Queues a blocked thread (a condition-variable waiter) for this mutex without
   * running it; it is woken holding the mutex. Used for wait morphing. `signalledBy` is the
   * condvar whose signal it consumed (null after a timeout or a kill).
   */
  enqueueBlocked(t: Thread, signalledBy: Signallable | null): void {
    t.markReacquire();
    t.signalledBy = signalledBy;
    if (this.owner === null) {
      this.take(t);
      this.wakeHolder(t);
      return;
    }
    this.bind(t);
    rewait(t, this, WAIT_MUTEX);
    this.waiters.enqueue(t);
    lendPriority(t);
  }

  private take(t: Thread, subclass = 0): void {
    assert(this.holder === null, 'mutex: only a free mutex is taken');
    this.holder = t;
    this.heldSubclass = subclass;
    addHeld(t, this);
  }

  /** `t` gives the mutex up: it goes to the top waiter, and `t` falls back to what it still owes. */
  private release(t: Thread): void {
    assert(this.owner === t, 'mutex: only the owner releases it');
    this.holder = null;
    removeHeld(t, this);
    this.handOff();
    // restorePriority's own first test: never boosted, nothing to restore.
    if (t.priority !== t.basePriority) restorePriority(t);
  }

  private handOff(): void {
    const next = this.waiters.popFront();
    if (next === null) return;
    const nested = this.nestedWaiters;
    const subclass = nested === null ? undefined : nested.get(next);
    if (subclass !== undefined) nested!.delete(next);
    this.take(next, subclass);
    this.wakeHolder(next);
    // The new owner inherits from the waiters still queued behind it.
    const owed = this.topWaiterPriority();
    if (owed > next.priority) reprioritize(next, owed);
  }

  /** Wakes `t`, now the owner; a condition-variable timeout stored in opValue is delivered. */
  private wakeHolder(t: Thread): void {
    assert(this.owner === t, 'mutex: a woken holder owns it');
    t.waitOn = this; // the granter, until t sees the grant
    const pending = t.opValue;
    if (pending !== undefined) {
      t.opValue = undefined;
      wakeWithError(t, pending);
    } else {
      wake(t, undefined);
    }
  }
}

/** A killed condition-variable waiter gives the signal it consumed to another waiter. */
function passSignalOn(t: Thread): void {
  const cv = t.signalledBy;
  if (cv === null) return;
  t.signalledBy = null;
  cv.signal();
}
