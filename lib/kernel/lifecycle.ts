/**
 * Thread lifecycle and timers: kill (with the grant rule), join, an abandoned operation, the
 * bookkeeping of failures nobody joined, and firing due timers.
 *
 * Interface: killThread, joinThread, abandonOperation, observeFailure, fireDueTimers,
 * advanceVirtualTime.
 * Invariants: a grant handed to a thread that has not seen it (opState READY, waitOn the
 * granter) is revoked when the thread is killed or abandons the operation, so nothing handed
 * over is lost; a killed condition-variable waiter unwinds holding its mutex; a failure is
 * counted unjoined at most once per run (its epoch).
 */
import { assert } from './assert.ts';
import { InvalidArgumentError, TimeoutError, WouldDeadlockError } from './errors.ts';
import type { KernelCore } from './kernel.ts';
import {
  OP_IDLE,
  OP_READY,
  completed,
  cpu,
  enter,
  failed,
  suspended,
  type Operation,
} from './operation.ts';
import { ThreadQueue } from './queue.ts';
import {
  F_KILL_PENDING,
  F_RETURNED,
  F_UNWINDING,
  S_BLOCKED,
  S_EXITED,
  S_RUNNABLE,
  type Thread,
} from './thread.ts';
import { block, cancelWait, wake, wakeWithError } from './waits.ts';
import { WAIT_JOIN, WAIT_SLEEP } from './waitkind.ts';
import { EV_KILL, EV_TIMER } from './trace.ts';

/**
 * Kills `t` (see Thread.kill). A thread cannot kill itself: it returns instead.
 *
 * @example
 * kernel.kill(worker, 'shutdown');
 */
export function killThread(k: KernelCore, t: Thread, reason = 'killed'): void {
  if (t.kernel !== k)
    throw new InvalidArgumentError(`thread ${t} belongs to kernel ${t.kernel.name}, not ${k.name}`);
  if (t.state === S_EXITED || (t.flags & (F_KILL_PENDING | F_UNWINDING)) !== 0) return;
  if (t === cpu.current)
    throw new InvalidArgumentError(`thread ${t} cannot kill itself: return from its body instead`);
  t.flags |= F_KILL_PENDING;
  t.result = reason;
  if (k.tracer !== null) k.record(EV_KILL, t, 0, reason);
  if (t.state === S_BLOCKED) {
    // A condition-variable waiter first takes its mutex back, as a pthread cancellation does,
    // so that its `finally { m.unlock() }` holds: it unwinds when the mutex is handed to it.
    const resource = t.waitOn;
    if (resource !== null && resource.onKill !== undefined && resource.onKill(t)) return;
    cancelWait(t);
    t.opState = OP_IDLE;
    t.opValue = undefined;
    t.state = S_RUNNABLE;
    k.runq.enqueue(t);
    k.pokeIfOutside();
    return;
  }
  // Woken with a grant it has not seen (it is suspended in the `yield*` that asked for it, so
  // no `try` protects what it was given): the grant goes back and on to the next in line.
  revokeUnseenGrant(k, t);
}

/** If `t` holds a grant it has not seen yet (opState READY, waitOn the granter), revokes it. */
export function revokeUnseenGrant(k: KernelCore, t: Thread): void {
  const granter = t.waitOn;
  if (granter === null || t.opState !== OP_READY) return;
  t.waitOn = null;
  if (granter.revokeGrant !== undefined) granter.revokeGrant(t);
}

/** @internal join(): see Thread.join. */
export function joinThread(
  k: KernelCore,
  target: Thread,
  timeoutMs: number | undefined,
): Operation<unknown> {
  const self = enter('join()', timeoutMs);
  if (target.kernel !== k)
    return failed(
      self,
      new InvalidArgumentError(`cannot join ${target}: it belongs to kernel ${target.kernel.name}`),
    );
  if (target === self)
    return failed(self, new WouldDeadlockError(`thread ${self} cannot join itself`));
  if (target.state === S_EXITED) return joinResult(k, self, target);
  block(self, target, WAIT_JOIN, timeoutMs);
  if (target.joiners === null) target.joiners = new ThreadQueue<Thread>();
  target.joiners.enqueue(self);
  return suspended(self);
}

export function joinResult(k: KernelCore, self: Thread, target: Thread): Operation<unknown> {
  if ((target.flags & F_RETURNED) !== 0) return completed(self, target.result);
  observeFailure(k, target);
  return failed(self, target.result);
}

/** kernel.advanceTime(): jumps virtual time to the earliest timer and fires what is due. */
export function advanceVirtualTime(k: KernelCore): boolean {
  if (k.clock !== 'virtual')
    throw new InvalidArgumentError('advanceTime() is for the virtual clock');
  const next = k.timers.nextDeadline();
  if (next === Infinity) return false;
  if (next > k.virtualNow) k.virtualNow = next;
  fireDueTimers(k);
  return true;
}

/** @internal */
export function fireDueTimers(k: KernelCore): void {
  const now = k.now();
  for (let t = k.timers.popDue(now); t !== null; t = k.timers.popDue(now)) {
    if (k.tracer !== null) k.record(EV_TIMER, t, t.waitKindId, null);
    if (t.waitKindId === WAIT_SLEEP) {
      wake(t, undefined);
      continue;
    }
    const resource = t.waitOn;
    assert(
      resource !== null && t.state === S_BLOCKED,
      'a timed-out waiter is blocked on a resource',
    );
    if (resource.onTimeout !== undefined) {
      resource.onTimeout(t);
    } else {
      resource.removeWaiter(t);
      wakeWithError(
        t,
        new TimeoutError(`${resource.resourceKind} ${resource.name}`, now - t.waitSince),
      );
    }
  }
}

/** @internal The running thread `t` created an operation and never yielded it: undo its wait. */
export function abandonOperation(k: KernelCore, t: Thread): void {
  assert(t === cpu.current, 'only the running thread abandons an operation');
  if (t.state === S_BLOCKED) {
    cancelWait(t);
    t.state = S_RUNNABLE; // running again: see dispatchLoop
  } else {
    revokeUnseenGrant(k, t); // an uncontended lock is rolled back like a contended one
  }
  t.finishOp();
  t.opValue = undefined;
  t.waitOn = null;
  k.warn(`${t}: an operation was created but never yielded`);
}

/** @internal */
export function observeFailure(k: KernelCore, t: Thread): void {
  if (t.failureEpoch !== k.failureEpoch) return; // joined already, or reported by a finished run()
  t.failureEpoch = 0;
  if (!k.unjoinedFailures.delete(t)) k.unjoinedDropped--; // it was counted, not kept
  assert(k.unjoinedDropped >= 0, 'unjoined failures: a dropped one was counted');
}
