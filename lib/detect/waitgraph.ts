/**
 * The wait-for graph: which thread waits on which resource, and which threads own it.
 *
 * Interface: `waitGraph(kernel)` (a snapshot), `findCycles(graph)` (every deadlocked set, one
 * cycle each), `cycleThrough(self, resource, kind)` (the incremental check made when a thread
 * is about to block), `isRealCycle(cycle)` (re-checks a cycle against live state).
 *
 * Edges: thread → resource it waits on (t.waitOn, t.waitKind, t.waitSince, kept by the core on
 * every block, wake and hand-over) → its owners (resource.owners(): mutex owner, rwlock writer
 * or readers, a join target, a completion's declared holder). Ownerless resources (semaphore,
 * condvar, wait channel, undeclared completion) have no out-edge: only a stall exposes them.
 * Invariants: a cycle is reported only through owners that are themselves blocked without a
 * timer (a timed wait will end, so it is not a deadlock); every walk is bounded (MAX_OWNER_CHAIN,
 * MAX_VISITS), so a corrupted or huge graph cannot hang the detector.
 */
import {
  MANY_OWNERS,
  MAX_OWNER_CHAIN,
  S_BLOCKED,
  type Thread,
  type Waitable,
} from '../kernel/thread.ts';
import { waitKindName, type WaitKind, type WaitKindId } from '../kernel/waitkind.ts';
import type { KernelCore as Kernel } from '../kernel/kernel.ts';

/** Most threads visited by one graph search. */
export const MAX_VISITS = 100_000;

/** One blocked thread's wait. */
export interface WaitInfo {
  readonly thread: Thread;
  readonly kind: WaitKind;
  /** Null for sleep and host waits. */
  readonly resource: Waitable | null;
  /** Kernel time the wait began. */
  readonly since: number;
  /** Threads that must act for it to proceed (empty: ownerless). */
  readonly owners: readonly Thread[];
  /** A timer (timeout or sleep) will end the wait. */
  readonly timed: boolean;
}

/** A snapshot of who waits for whom. Threads and resources are in a deterministic order. */
export interface WaitGraph {
  readonly kernel: Kernel;
  readonly time: number;
  /** Live threads in id order. */
  readonly threads: readonly Thread[];
  /** The wait of every blocked thread. */
  readonly waits: ReadonlyMap<Thread, WaitInfo>;
  /** Every resource waited on or held, in first-seen order (threads by id, waits before holds). */
  readonly resources: readonly Waitable[];
  /** Owners of each resource in `resources`. */
  readonly owners: ReadonlyMap<Waitable, readonly Thread[]>;
}

/** One step of a cycle: `thread` waits on `resource`, which the next step's thread owns. */
export interface CycleStep {
  readonly thread: Thread;
  readonly resource: Waitable;
  readonly kind: WaitKind;
}
/** A wait-for cycle; the last step's resource is owned by the first step's thread. */
export type Cycle = readonly CycleStep[];

/**
 * Snapshot of the wait-for graph of `kernel`'s live threads.
 *
 * @example
 * const g = waitGraph(kernel);
 * for (const w of g.waits.values()) console.log(`${w.thread} waits on ${w.resource?.name}`);
 */
export function waitGraph(kernel: Kernel): WaitGraph {
  const threads = kernel.threads.sort((a, b) => a.id - b.id);
  const waits = new Map<Thread, WaitInfo>();
  const owners = new Map<Waitable, readonly Thread[]>();
  const resources: Waitable[] = [];
  const see = (r: Waitable): void => {
    if (owners.has(r)) return;
    owners.set(r, r.owners());
    resources.push(r);
  };
  for (const t of threads) {
    if (t.state !== S_BLOCKED || t.waitKind === null) continue;
    const r = t.waitOn;
    if (r !== null) see(r);
    waits.set(t, {
      thread: t,
      kind: t.waitKind,
      resource: r,
      since: t.waitSince,
      owners: r === null ? [] : owners.get(r)!,
      timed: t.heapIndex >= 0,
    });
  }
  for (const t of threads) for (const r of t.holding) see(r);
  return { kernel, time: kernel.now(), threads, waits, resources, owners };
}

/**
 * Every deadlocked set of threads in `graph` (a strongly connected component of the thread →
 * owner relation among blocked threads), one cycle each, starting at its lowest thread id.
 * Cycles through a timed wait are included; `cycleIsTimed` tells them apart.
 *
 * @example
 * for (const c of findCycles(waitGraph(kernel))) console.log(c.map((s) => s.thread.name));
 */
export function findCycles(graph: WaitGraph): Cycle[] {
  const next = (t: Thread): readonly Thread[] => {
    const w = graph.waits.get(t);
    return w === undefined ? [] : w.owners.filter((o) => graph.waits.has(o));
  };
  const cycles: Cycle[] = [];
  for (const component of stronglyConnected([...graph.waits.keys()], next)) {
    const first = component[0]!;
    if (component.length === 1 && !next(first).includes(first)) continue;
    const members = new Set(component);
    const path = shortestPathBack(first, (t) => next(t).filter((o) => members.has(o)));
    if (path !== null) cycles.push(path.map((t) => stepOf(t)));
  }
  return cycles;
}

/**
 * True when some wait of the cycle has a timer: the timeout will break it.
 *
 * @example
 * if (!cycleIsTimed(cycle)) throw new DeadlockError(...);
 */
export function cycleIsTimed(cycle: Cycle): boolean {
  return cycle.some((s) => s.thread.heapIndex >= 0);
}

/**
 * The incremental check, made when the running thread `self` is about to wait on `resource`
 * (it is not yet queued): the cycle this wait would close, or null. Follows single owners
 * without allocating; a resource with several owners (rwlock readers) falls back to a bounded
 * search. Owners that are runnable, or blocked with a timer, end the walk.
 *
 * @example
 * const cycle = cycleThrough(self, mutex, WAIT_MUTEX); // in a beforeBlock hook
 */
export function cycleThrough(self: Thread, resource: Waitable, kindId: WaitKindId): Cycle | null {
  const kind = waitKindName(kindId)!;
  let r: Waitable = resource;
  for (let hop = 0; hop < MAX_OWNER_CHAIN; hop++) {
    const o = soleOwner(r);
    if (o === MANY) return searchFrom(self, resource, kind);
    if (o === null) return null;
    if (o === self) return chainFrom(self, resource, kind, hop);
    // The usual exit: the owner is runnable (or running), so the chain ends here.
    if (o.state !== S_BLOCKED) return null;
    const next = o.waitOn;
    if (next === null || o.heapIndex >= 0) return null;
    r = next;
  }
  // Only a chain of that many distinct blocked owners gets here (a cycle closes sooner).
  self.kernel.warn(
    `deadlock detection: the owner chain from ${self} is longer than ${MAX_OWNER_CHAIN} hops; the walk stopped there`,
  );
  return null;
}

/**
 * Re-checks `cycle` against the threads' live state: each thread is blocked on its step's
 * resource and the next thread owns it.
 *
 * @example
 * assert(isRealCycle(error.cycle), 'every reported cycle is real');
 */
export function isRealCycle(cycle: Cycle): boolean {
  if (cycle.length === 0) return false;
  return cycle.every((s, i) => {
    const next = cycle[(i + 1) % cycle.length]!.thread;
    return (
      s.thread.state === S_BLOCKED &&
      s.thread.waitOn === s.resource &&
      s.resource.owners().includes(next)
    );
  });
}

// ---------------------------------------------------------------- internals

const MANY = MANY_OWNERS;

/**
 * The one thread that owns `r`, null if none, MANY if several. The resource answers itself
 * (allocation-free: this runs on every block); one that does not is asked for its owners().
 *
 * @example
 * const o = soleOwner(mutex); // its owner, or null
 */
export function soleOwner(r: Waitable): Thread | null | typeof MANY {
  if (r.soleOwner !== undefined) return r.soleOwner();
  const owners = r.owners();
  return owners.length === 0 ? null : owners.length === 1 ? owners[0]! : MANY;
}

function stepOf(t: Thread): CycleStep {
  return { thread: t, resource: t.waitOn!, kind: t.waitKind! };
}

/** Rebuilds the single-owner chain found by cycleThrough (hops+1 steps, self first). */
function chainFrom(self: Thread, resource: Waitable, kind: WaitKind, hops: number): Cycle {
  const steps: CycleStep[] = [{ thread: self, resource, kind }];
  let r = resource;
  for (let i = 0; i < hops; i++) {
    const o = soleOwner(r) as Thread;
    steps.push(stepOf(o));
    r = o.waitOn!;
  }
  return steps;
}

/** Bounded search through resources with several owners. */
function searchFrom(self: Thread, resource: Waitable, kind: WaitKind): Cycle | null {
  const ownersOf = (t: Thread): readonly Thread[] => {
    const r = t === self ? resource : t.waitOn;
    if (r === null) return [];
    return r
      .owners()
      .filter((o) => o === self || (o.state === S_BLOCKED && o.heapIndex < 0 && o.waitOn !== null));
  };
  const path = shortestPathBack(self, ownersOf);
  if (path === null) return null;
  return path.map((t) => (t === self ? { thread: self, resource, kind } : stepOf(t)));
}

/** Shortest path start → ... → start (breadth first, bounded); the threads in order, or null. */
function shortestPathBack(start: Thread, next: (t: Thread) => readonly Thread[]): Thread[] | null {
  const parent = new Map<Thread, Thread>();
  const queue: Thread[] = [start];
  for (let head = 0; head < queue.length && head < MAX_VISITS; head++) {
    const t = queue[head]!;
    for (const o of next(t)) {
      if (o === start) {
        const path = [t];
        for (let p = t; p !== start && path.length <= MAX_VISITS;) path.push((p = parent.get(p)!));
        return path.reverse();
      }
      if (!parent.has(o)) {
        parent.set(o, t);
        queue.push(o);
      }
    }
  }
  return null;
}

/** Tarjan's strongly connected components, iterative; components and members in id order. */
function stronglyConnected(
  nodes: readonly Thread[],
  next: (t: Thread) => readonly Thread[],
): Thread[][] {
  const index = new Map<Thread, number>();
  const low = new Map<Thread, number>();
  const onStack = new Set<Thread>();
  const stack: Thread[] = [];
  const out: Thread[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { t: Thread; edges: readonly Thread[]; i: number }[] = [];
    const open = (t: Thread): void => {
      index.set(t, counter);
      low.set(t, counter++);
      stack.push(t);
      onStack.add(t);
      work.push({ t, edges: next(t), i: 0 });
    };
    open(root);
    for (let guard = 0; work.length > 0 && guard < MAX_VISITS * 4; guard++) {
      const top = work[work.length - 1]!;
      if (top.i < top.edges.length) {
        const o = top.edges[top.i++]!;
        if (!index.has(o)) open(o);
        else if (onStack.has(o)) low.set(top.t, Math.min(low.get(top.t)!, index.get(o)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.t;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.t)!));
      }
      if (low.get(top.t) === index.get(top.t)) {
        const component: Thread[] = [];
        for (let t = stack.pop()!; ; t = stack.pop()!) {
          onStack.delete(t);
          component.push(t);
          if (t === top.t) break;
        }
        out.push(component.sort((a, b) => a.id - b.id));
      }
    }
  }
  return out.sort((a, b) => a[0]!.id - b[0]!.id);
}
