/**
 * The wait/wake interface primitives and drivers use, as free functions over the thread's
 * kernel (the kernel's own methods are internal: user code cannot reach them).
 *
 * Interface: block, wake, wakeWithError, rewait, cancelWait, reprioritize, hostBegin, hostEnd,
 * panic. The protocol of a blocking operation, with enter/suspended from operation.ts:
 *   const self = enter('Device.read()', timeoutMs);   // checks, nothing changed yet
 *   ...take what is free at once and `return granted(self, this)` or `completed(self, value)`...
 *   block(self, this, WAIT_IO, timeoutMs);            // may throw (the detector may refuse)
 *   this.waiters.enqueue(self);                        // only after block() returned
 *   return suspended(self);
 * and later, from any thread or the host: `this.waiters.popFront()` then `wake(t, value)`.
 * Invariants: only the running thread blocks itself; only a blocked thread is woken, once,
 * after it was unlinked from its resource's queue (kernel.ts asserts both).
 */
import type { KernelCore } from './kernel.ts';
import type { Thread, Waitable } from './thread.ts';
import type { WaitKindId } from './waitkind.ts';

/**
 * The running thread `t` is about to wait on `resource` with a wait of `kind`, and a timeout if
 * given (checked already by enter). Queue `t` on the resource only after this returns.
 *
 * @example
 * block(self, this, WAIT_IO, timeoutMs); this.waiters.enqueue(self); return suspended(self);
 */
export function block(t: Thread, resource: Waitable | null, kind: WaitKindId, timeoutMs: number | undefined): void {
  t.kernel.block(t, resource, kind, timeoutMs);
}

/**
 * Wakes blocked `t` (already unlinked from its resource) with `value`, returned at its `yield*`.
 *
 * @example
 * const t = this.waiters.popFront(); if (t !== null) wake(t, data);
 */
export function wake(t: Thread, value: unknown): void {
  t.kernel.wake(t, value);
}

/**
 * Wakes blocked `t` (already unlinked from its resource); `error` is thrown at its `yield*`.
 *
 * @example
 * wakeWithError(t, new DeviceError('EIO', lba));
 */
export function wakeWithError(t: Thread, error: unknown): void {
  t.kernel.wakeWithError(t, error);
}

/**
 * Moves blocked `t` onto another wait without running it (wait morphing); `t` must already be
 * queued on `resource`.
 *
 * @example
 * mutexQueue.enqueue(t); rewait(t, mutex, WAIT_MUTEX);
 */
export function rewait(t: Thread, resource: Waitable, kind: WaitKindId): void {
  t.kernel.rewait(t, resource, kind);
}

/**
 * Unlinks blocked `t` from whatever it waits on (its timer too), without waking it.
 *
 * @example
 * cancelWait(t); wakeWithError(t, new DetachedError());
 */
export function cancelWait(t: Thread): void {
  t.kernel.cancelWait(t);
}

/**
 * Changes `t`'s effective priority, keeping the queue it is in ordered.
 *
 * @example
 * reprioritize(owner, waiter.priority); // priority inheritance
 */
export function reprioritize(t: Thread, priority: number): void {
  t.kernel.reprioritize(t, priority);
}

/**
 * A host wait began: while any is in flight, `run()` waits for the host instead of reporting a
 * stall. Pair every hostBegin with one hostEnd.
 *
 * @example
 * hostBegin(kernel); promise.finally(() => hostEnd(kernel));
 */
export function hostBegin(kernel: KernelCore): void {
  kernel.hostBegin();
}

/**
 * A host wait ended (or was abandoned).
 *
 * @example
 * hostEnd(kernel);
 */
export function hostEnd(kernel: KernelCore): void {
  kernel.hostEnd();
}

/**
 * Fails the current run of `kernel` with `error` (the first panic stands).
 *
 * @example
 * panic(kernel, new InvariantError('device queue corrupted'));
 */
export function panic(kernel: KernelCore, error: unknown): void {
  kernel.panic(error);
}
