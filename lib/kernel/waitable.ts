/**
 * What a thread can wait on, as the scheduler, the wait-for graph and reports see it: the
 * Waitable interface every resource implements, and the bounds of an owner-chain walk.
 *
 * Interface: Waitable, NO_OWNERS, MANY_OWNERS, MAX_OWNER_CHAIN, Signallable, StackFrame.
 * Invariants: owners() and soleOwner() answer without changing anything; soleOwner() allocates
 * nothing (cycle detection asks it on every block).
 */
import type { Thread } from './thread.ts';

/**
 * The longest owner chain any walk follows (priority inheritance, the wait-for graph): a thread
 * waits on a lock whose owner waits on a lock... A walk that reaches it stops and warns.
 */
export const MAX_OWNER_CHAIN = 1024;

/** What soleOwner() answers for a resource with several owners (then owners() lists them). */
export const MANY_OWNERS = 1 as const;

/** What owners() returns for a resource without owners: shared, so the block path allocates nothing. */
export const NO_OWNERS: readonly Thread[] = Object.freeze([]);

/**
 * A resource a thread can wait on. The kernel uses it to cancel a wait (timeout, kill) and the
 * wait-for graph uses `owners` to find which threads must run for a waiter to proceed.
 */
export interface Waitable {
  /** Short kind of resource, e.g. 'mutex'. */
  readonly resourceKind: string;
  /** Name for reports. */
  readonly name: string;
  /** Threads that must act for a waiter to proceed (empty for ownerless resources). */
  owners(): readonly Thread[];
  /**
   * The one thread that must act for a waiter to proceed, null when none, or MANY_OWNERS.
   * Allocation-free: cycle detection asks it on every block. Absent: derived from owners().
   */
  soleOwner?(): Thread | null | typeof MANY_OWNERS;
  /** Unlinks `t` from this resource's waiters (timeout or kill). */
  removeWaiter(t: Thread): void;
  /** Called when `t`'s wait timed out. Default (when absent): remove it and fail with ETIMEDOUT. */
  onTimeout?(t: Thread): void;
  /**
   * Called when blocked `t` is killed. Return true if the resource keeps `t` blocked on
   * something it must get back first (a condvar waiter re-taking its mutex); false (or absent):
   * the kernel removes the wait and unwinds `t` at once.
   */
  onKill?(t: Thread): boolean;
  /**
   * Called when `t` was woken with a grant from this resource (a mutex handed over, a unit, a
   * wake-up of one sleeper) and is killed, or abandons the operation, before it has seen the
   * result: the resource takes the grant back and passes it on, so nothing is lost. Absent:
   * nothing was granted (a completion's value, a join).
   */
  revokeGrant?(t: Thread): void;
}

/** What a killed condition-variable waiter gives its consumed signal back to. */
export interface Signallable {
  signal(): boolean;
}

/** One frame of a backtrace. Lines and columns are 1-based; null when unknown. */
export interface StackFrame {
  /** Function name ('<anonymous>' when it has none). */
  readonly fn: string;
  /** Absolute path (or URL) of the source file, or null. */
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
  /** Why the location is missing or approximate, if it is. */
  readonly note?: string;
}
