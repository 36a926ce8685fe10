/**
 * CondVar: a condition variable with Mesa semantics.
 *
 * Interface: `yield* cv.wait(mutex, timeoutMs?)`, `cv.signal()`, `cv.broadcast()`.
 * Invariants: a waiter held `mutex` when it called wait (else EPERM) and holds it again when
 * wait returns — also after a timeout (TimeoutError is thrown with the mutex re-held). Every
 * waiter of one condvar uses the same mutex (EINVAL otherwise). Signal moves the top waiter
 * straight onto the mutex's queue ("wait morphing"), so it is never woken only to block again.
 * Mesa: a woken waiter must re-check its condition in a loop.
 * A condvar has no owner: a missed signal is a lost wakeup, which only stall detection sees.
 */
import { assert } from '../kernel/assert.ts';
import { InvalidArgumentError, NotOwnerError, TimeoutError } from '../kernel/errors.ts';
import { enter, failed, suspended, type Operation } from '../kernel/operation.ts';
import { Mutex } from './mutex.ts';
import { takeWaiters } from './priority.ts';
import { ThreadQueue } from '../kernel/queue.ts';
import { Resource } from '../kernel/resource.ts';
import { NO_OWNERS, type Thread } from '../kernel/thread.ts';
import { registerWaitKind } from '../kernel/waitkind.ts';
import { block } from '../kernel/waits.ts';

export const WAIT_CONDVAR = registerWaitKind({
  name: 'condvar',
  durable: true,
  ownerless: true,
  stallHint: () => 'lost wakeup? a condvar has no owner and no thread is left to signal it',
});

export class CondVar extends Resource {
  /** @internal */ readonly waiters = new ThreadQueue<Thread>();
  private mutex: Mutex | null = null;

  /**
   * @example
   * const nonEmpty = new CondVar('queue.nonEmpty');
   */
  constructor(name = 'condvar') {
    super(name);
  }

  get resourceKind(): string {
    return 'condvar';
  }

  /**
   * Atomically releases `mutex` and waits for a signal; re-acquires `mutex` before returning.
   *
   * @example
   * yield* m.lock();
   * while (queue.length === 0) yield* nonEmpty.wait(m);
   * const item = queue.shift(); m.unlock();
   */
  wait(mutex: Mutex, timeoutMs?: number): Operation<void> {
    const self = enter('CondVar.wait()', timeoutMs);
    this.bind(self);
    if (!(mutex instanceof Mutex))
      return failed(
        self,
        new InvalidArgumentError(
          `condvar ${this.name}: wait(mutex) needs a Mutex, got ${String(mutex)}`,
        ),
      );
    if (mutex.owner !== self) {
      return failed(
        self,
        new NotOwnerError(
          `thread ${self} waited on condvar ${this.name} without holding mutex ${mutex.name}`,
        ),
      );
    }
    if (this.mutex !== null && this.mutex !== mutex && this.waiters.length > 0) {
      return failed(
        self,
        new InvalidArgumentError(
          `condvar ${this.name} is used with mutex ${this.mutex.name} and ${mutex.name}`,
        ),
      );
    }
    this.mutex = mutex;
    block(self, this, WAIT_CONDVAR, timeoutMs);
    this.waiters.enqueue(self);
    mutex.unlock();
    return suspended<void>(self);
  }

  /**
   * Wakes the highest-priority waiter (FIFO among equals), if any. Returns whether one was woken.
   * May be called by any thread, or by the host.
   *
   * @example
   * queue.push(item); nonEmpty.signal();
   */
  signal(): boolean {
    const t = this.waiters.popFront();
    if (t === null) return false;
    this.boundMutex().enqueueBlocked(t, this);
    return true;
  }

  /**
   * Wakes every waiter. Returns how many were woken.
   *
   * @example
   * shuttingDown = true; stateChanged.broadcast();
   */
  broadcast(): number {
    const woken = takeWaiters(this.waiters, Infinity);
    const mutex = woken.length === 0 ? null : this.boundMutex();
    for (const t of woken) mutex!.enqueueBlocked(t, null); // no single signal to pass on
    return woken.length;
  }

  /** Number of waiting threads. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** SPI (Waitable): A condvar has no owner. */
  owners(): readonly Thread[] {
    return NO_OWNERS;
  }

  /** SPI (Waitable). */
  soleOwner(): null {
    return null;
  }

  /** SPI (Waitable). */
  removeWaiter(t: Thread): void {
    this.waiters.remove(t);
  }

  /** SPI (Waitable): Killed: re-acquire the mutex first, then unwind holding it (as pthread cancellation). */
  onKill(t: Thread): boolean {
    this.waiters.remove(t);
    this.boundMutex().enqueueBlocked(t, null);
    return true;
  }

  /** SPI (Waitable): Timed out: re-acquire the mutex first, then throw TimeoutError (as pthread does). */
  onTimeout(t: Thread): void {
    this.waiters.remove(t);
    t.opValue = new TimeoutError(`condvar ${this.name}`, t.kernel.now() - t.waitSince);
    this.boundMutex().enqueueBlocked(t, null);
  }

  /** The mutex of the waiters: a condvar that had a waiter has one. */
  private boundMutex(): Mutex {
    const m = this.mutex;
    assert(m !== null, 'condvar: a condvar with waiters has its mutex');
    return m;
  }
}
