/**
 * Wait kinds: what a blocked thread waits for, as an open registry (as Go's waitReason: a small
 * integer with a name table and property tables of the same length).
 *
 * Interface: registerWaitKind(spec) -> WaitKindId, waitKindName(id), waitKindSpec(id),
 * isOwnerless(id), and the kernel's own kinds WAIT_JOIN, WAIT_SLEEP, WAIT_HOST.
 * Invariants: id 0 means "not waiting"; ids are 1..MAX_WAIT_KINDS, each name registered once;
 * a thread's state word holds WAIT_KIND_BITS for the id (thread.ts checks at load that the
 * field holds MAX_WAIT_KINDS); the tables are only appended to, so an id never changes meaning.
 * A new layer (block I/O, memory quota) registers its kinds at load time, touching neither the
 * scheduler nor the detector nor the reports.
 */
import { InvalidArgumentError, LimitExceededError } from './errors.ts';
import type { Thread, Waitable } from './thread.ts';

/** A registered wait kind's name, e.g. 'mutex'. */
export type WaitKind = string;
/** A registered wait kind's id: what the scheduler stores and passes around. */
export type WaitKindId = number;

export interface WaitKindSpec {
  /** Unique name, shown in traces, dumps and reports: 'mutex', 'io'. */
  readonly name: WaitKind;
  /**
   * True when only another thread of this kernel can end the wait (a lock, a semaphore): once
   * nothing can run, such a wait is a stall. False when something else ends it — a timer
   * (sleep) or the host (a host call) — so stall reports give it no hint.
   */
  readonly durable: boolean;
  /**
   * True when resources of this kind never have owners (semaphore, condvar, wait channel): no
   * wait-for edge leaves them, so cycle detection skips them at block time.
   */
  readonly ownerless: boolean;
  /** Why a wait of this kind can never end once nothing can run (stall reports); undefined: no hint. */
  stallHint?(resource: Waitable | null, owners: readonly Thread[]): string | undefined;
  /** How a report phrases "t waits for ..." (default: `waits for <kind> "<name>" held by <owners>`). */
  phrase?(resource: { readonly kind: string; readonly name: string }, owners: string): string;
}

/** Bits of a thread's state word that hold a wait-kind id. */
export const WAIT_KIND_BITS = 5;
/** How many kinds can be registered (id 0 is "not waiting"). */
export const MAX_WAIT_KINDS = (1 << WAIT_KIND_BITS) - 1;

const specs: (WaitKindSpec | null)[] = [null];
const names: (WaitKind | null)[] = [null];
// A plain array, read on every block when cycle detection is on.
const ownerless: boolean[] = [true];
const ids = new Map<WaitKind, WaitKindId>();

/**
 * Registers a wait kind and returns its id. Call it once, at module load, for each kind a
 * primitive or driver blocks with.
 *
 * @example
 * const WAIT_IO = registerWaitKind({ name: 'io', durable: true, ownerless: false });
 * block(self, request, WAIT_IO, undefined);
 */
export function registerWaitKind(spec: WaitKindSpec): WaitKindId {
  if (typeof spec?.name !== 'string' || spec.name === '')
    throw new InvalidArgumentError('registerWaitKind: a kind needs a name');
  if (ids.has(spec.name))
    throw new InvalidArgumentError(
      `registerWaitKind: wait kind '${spec.name}' is already registered`,
    );
  if (specs.length > MAX_WAIT_KINDS)
    throw new LimitExceededError(
      `registerWaitKind: more than ${MAX_WAIT_KINDS} wait kinds (WAIT_KIND_BITS=${WAIT_KIND_BITS})`,
    );
  const id = specs.length;
  specs.push(spec);
  names.push(spec.name);
  ownerless.push(spec.ownerless);
  ids.set(spec.name, id);
  return id;
}

/**
 * The name of a kind, or null for id 0 (not waiting).
 *
 * @example
 * waitKindName(WAIT_SLEEP); // 'sleep'
 */
export function waitKindName(id: WaitKindId): WaitKind | null {
  return names[id] ?? null;
}

/**
 * The spec a kind was registered with.
 *
 * @example
 * waitKindSpec(WAIT_HOST).durable; // false
 */
export function waitKindSpec(id: WaitKindId): WaitKindSpec {
  const spec = specs[id];
  if (spec === null || spec === undefined)
    throw new InvalidArgumentError(`no wait kind with id ${id}`);
  return spec;
}

/**
 * The id of a registered name, or undefined.
 *
 * @example
 * waitKindId('mutex'); // the mutex's id
 */
export function waitKindId(name: WaitKind): WaitKindId | undefined {
  return ids.get(name);
}

/**
 * True when resources of this kind have no owners (a hot-path table read).
 *
 * @example
 * if (isOwnerless(kind)) return; // no cycle can pass through it
 */
export function isOwnerless(id: WaitKindId): boolean {
  return ownerless[id] === true;
}

/** A thread waits for another to exit. */
export const WAIT_JOIN = registerWaitKind({
  name: 'join',
  durable: true,
  ownerless: false,
  phrase: (resource, owners) => `waits to join ${owners === '' ? resource.name : owners}`,
});
/** A thread sleeps; its timer ends the wait. */
export const WAIT_SLEEP = registerWaitKind({ name: 'sleep', durable: false, ownerless: true });
/** A thread waits for a host call; the host ends the wait. */
export const WAIT_HOST = registerWaitKind({
  name: 'host',
  durable: false,
  ownerless: true,
  phrase: () => 'waits for a host call (hostcall) to settle',
});
