/**
 * Priority inheritance, as turnstiles do it: a thread blocked on a lock lends its priority to
 * the lock's owner, and along the chain if that owner is itself blocked on a lock; an owner
 * falls back when it releases, to the highest priority still waiting on what it holds.
 *
 * Interface: lendPriority (after a thread blocks on a lock), restorePriority (after a release).
 * Only locks (resources with an `owner`) lend priority: a mutex, or an rwlock held for writing.
 * Invariant: t.priority = max(t.basePriority, top waiter priority of every lock t holds, ...
 * transitively) — restorePriority re-establishes it for one thread.
 */
import { assert } from '../kernel/assert.ts';
import type { Resource } from '../kernel/resource.ts';
import type { ThreadQueue } from '../kernel/queue.ts';
import { MAX_OWNER_CHAIN, S_BLOCKED, type Thread, type Waitable } from '../kernel/thread.ts';
import { reprioritize } from '../kernel/waits.ts';
import { EV_ACQUIRE, EV_RELEASE } from '../kernel/trace.ts';

/** A resource whose single owner can be boosted. */
export interface Lock extends Waitable {
  /** The thread that must release the lock for a waiter to proceed, or null. */
  readonly owner: Thread | null;
  /** The highest priority among its waiters, or -1. */
  topWaiterPriority(): number;
}

function isLock(r: Waitable | null): r is Lock {
  return r !== null && (r as Lock).topWaiterPriority !== undefined;
}

/** The lock `t` is blocked on, or null (not blocked, or blocked on something else). */
function blockedOnLock(t: Thread): Lock | null {
  const r = t.waitOn;
  return t.state === S_BLOCKED && isLock(r) ? r : null;
}

function chainCut(t: Thread, what: string): void {
  t.kernel.warn(
    `${what}: the owner chain from ${t} is longer than ${MAX_OWNER_CHAIN} hops; the walk stopped there`,
  );
}

/**
 * Called after `waiter` blocked on a lock: raises the owner chain to the waiter's priority.
 *
 * @example
 * block(self, mutex, 'mutex', timeout); queue.enqueue(self); lendPriority(self);
 */
export function lendPriority(waiter: Thread): void {
  const p = waiter.priority;
  let t: Thread = waiter;
  for (let hop = 0; hop < MAX_OWNER_CHAIN; hop++) {
    const r = blockedOnLock(t);
    if (r === null) return;
    const owner = r.owner;
    if (owner === null || owner.priority >= p) return;
    reprioritize(owner, p);
    t = owner;
  }
  chainCut(waiter, 'priority inheritance');
}

/**
 * Called after `t` released a lock, or lost a waiter (timeout, kill): lowers `t` to what it still
 * owes its remaining waiters. If `t` itself waits on a lock, the owner it was boosting may now owe
 * less too, so the walk continues along the owner chain while priorities keep falling.
 *
 * @example
 * this.owner = null; removeHeld(t, this); restorePriority(t);
 */
export function restorePriority(t: Thread): void {
  const start = t;
  for (let hop = 0; hop < MAX_OWNER_CHAIN; hop++) {
    if (t.priority === t.basePriority) return; // never boosted: the common case costs one compare
    let p = t.basePriority;
    const held = t.held;
    if (held !== null) {
      for (let i = 0; i < held.length; i++) {
        const r = held[i]!;
        // Only a lock t owns lends: an rwlock it merely reads does not (readers are not boosted).
        if (isLock(r) && r.owner === t) p = Math.max(p, r.topWaiterPriority());
      }
    }
    if (p === t.priority) return; // unchanged: nothing further down the chain changes either
    reprioritize(t, p);
    const r = blockedOnLock(t);
    if (r === null || r.owner === null) return;
    t = r.owner;
  }
  chainCut(start, 'priority restore');
}

/**
 * Records that `t` now holds `r` (for reports, lockdep and priority restore).
 *
 * @example
 * addHeld(self, this);
 */
export function addHeld(t: Thread, r: Waitable): void {
  const held = t.held;
  if (held === null) {
    // The first lock: a resource's shared one-element list (no allocation), else a literal
    // (`[]` and a push would give the array room for 17).
    const resource = r as Partial<Resource>;
    t.held =
      resource.heldAlone !== undefined
        ? (resource.heldAlone() as unknown as readonly Waitable[])
        : [r];
  } else if (Object.isFrozen(held)) {
    t.held = [held[0]!, r]; // a second lock: the thread's own list from now on
  } else {
    (held as Waitable[]).push(r);
  }
  const k = t.kernel;
  if (k.tracer !== null) k.record(EV_ACQUIRE, t, 0, r);
}

/**
 * Records that `t` released `r` (one hold of it; the latest first, as locks nest).
 *
 * @example
 * removeHeld(self, this);
 */
export function removeHeld(t: Thread, r: Waitable): void {
  const held = t.held;
  assert(held !== null && held.length > 0, 'removeHeld: the thread holds something');
  const last = held.length - 1;
  if (held[last] === r) {
    // The common case: locks released in reverse order of taking. Holding nothing is null
    // again, so the next first lock takes its shared list (a shared list is never changed).
    if (last === 0) t.held = null;
    else (held as Waitable[]).pop();
  } else {
    assert(!Object.isFrozen(held), 'removeHeld: a shared one-lock list holds that lock');
    removeHeldInside(held as Waitable[], r);
  }
  const k = t.kernel;
  if (k.tracer !== null) k.record(EV_RELEASE, t, 0, r);
}

function removeHeldInside(held: Waitable[], r: Waitable): void {
  for (let i = held.length - 2; i >= 0; i--) {
    if (held[i] === r) {
      // Shift by hand: splice would allocate the array of removed elements.
      for (let j = i + 1; j < held.length; j++) held[j - 1] = held[j]!;
      held.pop();
      return;
    }
  }
  assert(false, 'removeHeld: a removed hold was present');
}

/**
 * Unlinks up to `limit` waiters of `queue` in wake order (highest priority first, FIFO among
 * equals) and returns them: the wake-many paths (broadcast, complete, up(n)). O(taken).
 *
 * @example
 * for (const t of takeWaiters(this.waiters, Infinity)) wake(t, value);
 */
export function takeWaiters(queue: ThreadQueue<Thread>, limit: number): Thread[] {
  const taken: Thread[] = [];
  for (let t = queue.head; t !== null && taken.length < limit; t = queue.head) {
    queue.remove(t);
    taken.push(t);
  }
  return taken;
}
