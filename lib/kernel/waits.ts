/**
 * The wait/wake interface of the kernel: how a primitive or a driver blocks the running thread
 * on a resource and how it, a timer, the host or another thread wakes it.
 *
 * Interface: block, wake, wakeWithError, rewait, cancelWait, reprioritize, hostBegin, hostEnd,
 * panic. The protocol of a blocking operation, with enter/granted/suspended from operation.ts:
 *   const self = enter('Device.read()', timeoutMs);   // checks, nothing changed yet
 *   ...take what is free at once and `return granted(self, this)` or `completed(self, value)`...
 *   block(self, this, WAIT_IO, timeoutMs);            // may throw (the detector may refuse)
 *   this.waiters.enqueue(self);                        // only after block() returned
 *   return suspended(self);
 * and later, from any thread or the host: `this.waiters.popFront()` then `wake(t, value)`.
 * Invariants (asserted): only the running thread blocks itself; only a blocked thread with an
 * operation in flight is woken, once, after it was unlinked from its resource's queue; a woken
 * thread keeps `waitOn` naming the granter until it consumes the result (the grant a kill
 * revokes). Block and wake allocate nothing.
 */
import { assert } from './assert.ts';
import type { KernelCore } from './kernel.ts';
import { OP_FAIL, OP_READY, cpu } from './operation.ts';
import { PRIORITY_LEVELS } from './queue.ts';
import { S_BLOCKED, S_RUNNABLE, type Thread, type Waitable } from './thread.ts';
import { EV_BLOCK, EV_PRIO, EV_REWAIT, EV_WAKE, EV_WAKE_ERROR } from './trace.ts';
import type { WaitKindId } from './waitkind.ts';

/**
 * The running thread `t` is about to wait on `resource` with a wait of `kind`, and a timeout if
 * given (checked already by enter). Queue `t` on the resource only after this returns: the
 * deadlock detector's hook may refuse the wait by throwing.
 *
 * @example
 * block(self, this, WAIT_IO, timeoutMs); this.waiters.enqueue(self); return suspended(self);
 */
export function block(
  t: Thread,
  resource: Waitable | null,
  kind: WaitKindId,
  timeoutMs: number | undefined,
): void {
  const k = t.kernel;
  assert(t === cpu.current && t.state === S_RUNNABLE, 'only the running thread blocks itself');
  const hook = k.hooks.beforeBlock;
  if (hook !== undefined) hook(t, resource, kind, timeoutMs);
  t.markBlocked(kind);
  t.waitOn = resource;
  t.waitSince = k.now();
  // The rare parts out of line: block is inlined into every primitive's blocking path, and a
  // small body leaves the compiler's inlining budget to the rest of the hand-off.
  if (timeoutMs !== undefined || k.tracer !== null) blockRare(k, t, resource, kind, timeoutMs);
}

function blockRare(
  k: KernelCore,
  t: Thread,
  resource: Waitable | null,
  kind: WaitKindId,
  timeoutMs: number | undefined,
): void {
  if (timeoutMs !== undefined) {
    // enter(what, timeoutMs) refused a bad one before the primitive changed anything.
    assert(timeoutMs >= 0 && timeoutMs < Infinity, 'block: the timeout was checked by enter()');
    k.timers.arm(t, t.waitSince + timeoutMs);
  }
  if (k.tracer !== null) k.record(EV_BLOCK, t, kind, resource);
}

/**
 * Wakes blocked `t` (already unlinked from its resource) with `value`, returned at its `yield*`.
 *
 * @example
 * const t = this.waiters.popFront(); if (t !== null) wake(t, data);
 */
export function wake(t: Thread, value: unknown): void {
  resume(t, OP_READY, value);
}

/**
 * Wakes blocked `t` (already unlinked from its resource); `error` is thrown at its `yield*`.
 *
 * @example
 * wakeWithError(t, new DeviceError('EIO', lba));
 */
export function wakeWithError(t: Thread, error: unknown): void {
  resume(t, OP_FAIL, error);
}

function resume(t: Thread, opState: number, value: unknown): void {
  const k = t.kernel;
  // One test for both invariants: blocked, with an operation in flight (BLOCK or BLOCKED).
  assert(t.blockedInOperation(), 'only a blocked thread with an operation in flight is woken');
  if (t.heapIndex >= 0) k.timers.cancel(t);
  // waitOn stays: it names the granter until the thread consumes the result (see Thread).
  t.opValue = value;
  if (k.tracer !== null) recordWake(k, t, opState);
  t.markWoken(S_RUNNABLE, opState);
  const running = cpu.current;
  // Woken before it yielded (it woke itself): the operation completes without a switch.
  if (t === running) return;
  k.runq.enqueue(t);
  // Woken from outside this kernel's dispatch (the host, a timer, another kernel): an idle
  // run() must look again. (pokeIfOutside, with cpu.current read once.)
  if (running === null || running.kernel !== k) k.pokeHost();
}

function recordWake(k: KernelCore, t: Thread, opState: number): void {
  const waker = cpu.current; // the thread that woke t; null: a timer or the host
  k.record(opState === OP_READY ? EV_WAKE : EV_WAKE_ERROR, t, waker === null ? 0 : waker.id, null);
}

/**
 * Moves blocked `t` from one wait to another without running it (condition variable → mutex
 * "wait morphing"); `t` must already be queued on `resource`.
 *
 * @example
 * mutexQueue.enqueue(t); rewait(t, mutex, WAIT_MUTEX);
 */
export function rewait(t: Thread, resource: Waitable, kind: WaitKindId): void {
  const k = t.kernel;
  assert(t.state === S_BLOCKED, 'rewait: thread is blocked');
  k.timers.cancel(t);
  t.waitOn = resource;
  t.waitKindId = kind;
  if (k.tracer !== null) k.record(EV_REWAIT, t, kind, resource);
  if (k.hooks.waitChanged !== undefined) k.hooks.waitChanged(t, resource, kind);
}

/**
 * Unlinks blocked `t` from whatever it waits on (its timer too), without waking it.
 *
 * @example
 * cancelWait(t); wakeWithError(t, new DetachedError());
 */
export function cancelWait(t: Thread): void {
  t.kernel.timers.cancel(t);
  if (t.waitOn !== null) t.waitOn.removeWaiter(t);
  t.waitOn = null;
  t.waitKindId = 0;
}

/**
 * Changes `t`'s effective priority (priority inheritance), keeping the queue it is in ordered:
 * the run queue, or the wait queue it blocks in (it moves behind the waiters of its new
 * priority, as a turnstile requeues a boosted waiter).
 *
 * @example
 * reprioritize(owner, waiter.priority);
 */
export function reprioritize(t: Thread, priority: number): void {
  const k = t.kernel;
  assert(
    Number.isInteger(priority) && priority >= 0 && priority < PRIORITY_LEVELS,
    'priority in range',
  );
  if (t.priority === priority) return;
  const waitQueue = t.qowner;
  if (waitQueue !== null) {
    waitQueue.remove(t);
    t.priority = priority;
    waitQueue.enqueue(t);
  } else if (t.state === S_RUNNABLE && t !== cpu.current) {
    k.runq.remove(t);
    t.priority = priority;
    k.runq.enqueue(t);
  } else {
    t.priority = priority;
  }
  if (k.tracer !== null) k.record(EV_PRIO, t, priority, null);
}

/**
 * A host wait began: while any is in flight, `run()` waits for the host instead of reporting a
 * stall. Pair every hostBegin with one hostEnd.
 *
 * @example
 * hostBegin(kernel); promise.finally(() => hostEnd(kernel));
 */
export function hostBegin(kernel: KernelCore): void {
  kernel.hostPending++;
}

/**
 * A host wait ended (or was abandoned); an idle run() looks again.
 *
 * @example
 * hostEnd(kernel);
 */
export function hostEnd(kernel: KernelCore): void {
  kernel.hostPending--;
  assert(kernel.hostPending >= 0, 'host wait count went negative');
  kernel.pokeHost();
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
