/**
 * Lock-order validation in the manner of Linux lockdep.
 *
 * Interface: `new LockValidator(options)`, `validator.check(t, lock, mode, trylock)` (the
 * kernel's beforeLock hook), `validator.classOf(lock)`, `validator.edges()`.
 * Every lock belongs to a class (default: its kind and name, e.g. `mutex dev.lock`; or what
 * `classify(lock)` returns). Each time a thread takes class B while holding class A, the order
 * edge A → B is recorded, with the thread, the held chain and a backtrace, the first time it is
 * seen. A new edge that closes a cycle of any length in the class graph is a potential
 * deadlock, reported at once — even if this run never deadlocks.
 * Invariants: each unique chain (held classes + the requested class) is validated once: its
 * 53-bit hash is remembered, so a chain seen before costs a few class look-ups and one Set probe,
 * and a recently seen chain of the same lock objects (up to three held) costs a few identity
 * compares; taking a lock while holding nothing costs one length test. Trylocks never wait, so they add
 * no edge into the lock tried (lockdep does the same). Taking a class while holding the same
 * class (two locks with one name) adds no edge. Graph walks are bounded (MAX_CLASS_VISITS).
 * Nesting (Linux mutex_lock_nested): a lock taken with a subclass n > 0 (`Mutex.lockNested`)
 * belongs to the class `<class>/<n>`, a node of its own, so locks of one class nested in a
 * defined order (level 0, then 1...) record edges between levels: the legal order is never a
 * cycle, and taking the levels the other way round closes one. A held lock's level is read
 * from its `lockSubclass` (absent: 0).
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setCreationHook } from '../kernel/resource.ts';
import type { LockMode } from '../kernel/options.ts';
import type { StackFrame, Thread, Waitable } from '../kernel/thread.ts';

/** One lock-order edge: `thread` took class `to` while holding class `from`. */
export interface OrderEdgeReport {
  readonly from: string;
  readonly to: string;
  readonly thread: { readonly id: number; readonly name: string };
  readonly step: number;
  readonly time: number;
  /** Classes held at that moment, outermost first. */
  readonly held: readonly string[];
  readonly backtrace: readonly StackFrame[];
}
export interface LockOrderReport {
  /** The class cycle, e.g. ['mutex A', 'mutex B', 'mutex A']. */
  readonly classes: readonly string[];
  /** Its edges; the first one is the edge just observed. */
  readonly edges: readonly OrderEdgeReport[];
}
/** Most classes visited by one cycle search. */
export const MAX_CLASS_VISITS = 10_000;
/**
 * Table sizes, fixed as Linux lockdep fixes its own (MAX_LOCKDEP_KEYS, MAX_LOCKDEP_CHAINS,
 * MAX_LOCKDEP_ENTRIES): when one fills, validation switches itself off with a message rather
 * than grow without limit. Inversions kept are bounded too (the rest are counted).
 */
export const MAX_LOCK_CLASSES = 8192;
export const MAX_LOCK_CHAINS = 65_536;
export const MAX_LOCK_ORDER_EDGES = 32_768;
export const MAX_INVERSIONS_KEPT = 1000;

/** Recent chains remembered by lock identity (up to three held locks). */
const MEMO_SIZE = 8;
interface MemoEntry {
  lock: Waitable | null;
  n: number;
  /** The subclasses of the requested and held locks, packed (see subclassesOf). */
  s: number;
  h0: Waitable | null;
  h1: Waitable | null;
  h2: Waitable | null;
}

/** A lock class: every lock with the same key. */
export interface LockClass {
  readonly id: number;
  readonly key: string;
  /** Order edges out of this class: classes taken while holding it. */
  readonly after: Map<LockClass, OrderEdgeReport>;
  /** Its nesting levels 1.. (`<key>/<n>`), made on first use. */
  nested?: LockClass[];
}

/** A lock that may be held at a nesting level (Mutex.lockSubclass). */
interface Nestable {
  readonly lockSubclass?: number;
}

/** The nesting level `lock` is held at. */
function subclassOf(lock: Waitable): number {
  return (lock as Nestable).lockSubclass ?? 0;
}

export interface LockValidatorOptions {
  /** Class key of a lock. Default: `${lock.resourceKind} ${lock.name}`. */
  classify?: (lock: Waitable) => string;
  /** Backtrace of the thread taking a new edge (cold path: once per new edge). */
  backtraceOf?: (t: Thread) => StackFrame[];
  /** Called with each inversion found; may throw or panic. */
  onInversion: (inversion: LockOrderReport, t: Thread) => void;
  /** Called once when a table fills and validation switches itself off. */
  onFull?: (message: string) => void;
  /** Table sizes (defaults: MAX_LOCK_CLASSES, MAX_LOCK_CHAINS, MAX_LOCK_ORDER_EDGES). */
  maxClasses?: number;
  maxChains?: number;
  maxEdges?: number;
}

const creationSites = new WeakMap<object, string>();
const LIB_DIR = fileURLToPath(new URL('..', import.meta.url)); // lib/, whatever folder this file is in

/** Holders of site recording (kernels classing locks by site, and direct callers). */
let siteRecorders = 0;

/**
 * Records where each lock is created, for classBySite, until the returned function is called.
 * Capturing a stack costs microseconds per lock (100k mutexes: 3.9 ms without, 3.9 s with), so
 * recording is on only while someone holds it: a kernel with `lockClass: 'site'` holds it
 * until its detector is detached or the kernel is garbage-collected. Locks created while it is
 * off are classed by name.
 *
 * @example
 * const stop = recordLockSites(); const m = new Mutex('buf'); stop();
 * classBySite(m); // 'mutex @ src/bio.ts:12'
 */
export function recordLockSites(): () => void {
  if (siteRecorders++ === 0) setCreationHook(recordSite);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--siteRecorders === 0) setCreationHook(null);
  };
}

function recordSite(lock: object): void {
  creationSites.set(lock, callerSite());
}

/**
 * True while lock creation sites are being recorded.
 *
 * @example
 * const stop = recordLockSites(); lockSitesRecorded(); // true
 */
export function lockSitesRecorded(): boolean {
  return siteRecorders > 0;
}

/**
 * A class key by creation site, as lockdep keys a lock class by where it is initialised: every
 * lock created at one line of code is one class, whatever its name. Falls back to classByName
 * for a lock created while sites were not recorded.
 *
 * @example
 * new Kernel({ detection: { lockOrder: 'fail', lockClass: 'site' } });
 */
export function classBySite(lock: Waitable): string {
  const site = creationSites.get(lock);
  return site === undefined ? classByName(lock) : `${lock.resourceKind} @ ${site}`;
}

/** `file:line` of the first stack frame outside greenkernel's own lib/ (the creating code). */
function callerSite(): string {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (m === null) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (file.startsWith(LIB_DIR)) continue;
    return `${relative(process.cwd(), file)}:${m[2]}`;
  }
  return 'unknown site';
}

/**
 * The class key used when none is configured: kind and name.
 *
 * @example
 * classByName(new Mutex('dev.lock')); // 'mutex dev.lock'
 */
export function classByName(lock: Waitable): string {
  return `${lock.resourceKind} ${lock.name}`;
}

export class LockValidator {
  private readonly byLock = new WeakMap<Waitable, LockClass>();
  private readonly byKey = new Map<string, LockClass>();
  private readonly chains = new Set<number>();
  private readonly classify: (lock: Waitable) => string;
  private readonly memo: MemoEntry[] = Array.from({ length: MEMO_SIZE }, () => ({
    lock: null,
    n: 0,
    s: 0,
    h0: null,
    h1: null,
    h2: null,
  }));
  private memoNext = 0;
  /** Inversions reported so far, in order (at most MAX_INVERSIONS_KEPT; the rest are counted). */
  readonly inversions: LockOrderReport[] = [];
  inversionsDropped = 0;
  /** Chains validated (each unique chain once): a cold-path counter, for tests and stats. */
  chainsValidated = 0;
  /** Why validation switched itself off (a table filled), or null while it runs. */
  stopped: string | null = null;
  private edgeCount = 0;
  private readonly maxClasses: number;
  private readonly maxChains: number;
  private readonly maxEdges: number;

  /**
   * @example
   * const v = new LockValidator({ onInversion: (r) => console.warn(r.classes.join(' -> ')) });
   * kernel.hooks.beforeLock = (t, lock, mode, trylock) => v.check(t, lock, mode, trylock);
   */
  constructor(private readonly options: LockValidatorOptions) {
    this.classify = options.classify ?? classByName;
    this.maxClasses = options.maxClasses ?? MAX_LOCK_CLASSES;
    this.maxChains = options.maxChains ?? MAX_LOCK_CHAINS;
    this.maxEdges = options.maxEdges ?? MAX_LOCK_ORDER_EDGES;
  }

  /**
   * The beforeLock hook: validates `t` taking `lock` while holding `t.held`.
   *
   * @example
   * validator.check(thread, mutexB, 'exclusive', false); // thread holds mutexA: edge A -> B
   */
  readonly check = (
    t: Thread,
    lock: Waitable,
    _mode: LockMode,
    trylock: boolean,
    subclass = 0,
  ): void => {
    const held = t.held;
    if (held === null || held.length === 0 || trylock || this.stopped !== null) return;
    const n = held.length;
    // Subclasses are below 8: three bits each for the request and up to three held locks.
    let s = subclass;
    if (n <= 3) for (let i = 0; i < n; i++) s |= subclassOf(held[i]!) << (3 * i + 3);
    // Front cache of recent chains by lock identity: a hit means the same locks, hence the same
    // classes, were validated before — no class look-ups at all.
    const memo = this.memo;
    if (n <= 3) {
      const h0 = held[0]!;
      const h1 = n > 1 ? held[1]! : null;
      const h2 = n > 2 ? held[2]! : null;
      for (let i = 0; i < MEMO_SIZE; i++) {
        const e = memo[i]!;
        if (e.lock === lock && e.n === n && e.s === s && e.h0 === h0 && e.h1 === h1 && e.h2 === h2)
          return;
      }
    }
    this.checkChain(t, lock, held, subclass);
    if (n <= 3) {
      const e = memo[this.memoNext]!;
      this.memoNext = (this.memoNext + 1) % MEMO_SIZE;
      e.lock = lock;
      e.n = n;
      e.s = s;
      e.h0 = held[0]!;
      e.h1 = n > 1 ? held[1]! : null;
      e.h2 = n > 2 ? held[2]! : null;
    }
  };

  /** The hashed chain check (see check). */
  private checkChain(t: Thread, lock: Waitable, held: readonly Waitable[], subclass: number): void {
    const cls = this.classOf(lock, subclass);
    // Chain hash over (held classes, requested class): two independent 32-bit mixes → 53 bits.
    let h1 = Math.imul(cls.id + 1, 0x9e3779b1);
    let h2 = cls.id ^ 0x5bd1e995;
    for (let i = 0; i < held.length; i++) {
      const h = held[i]!;
      const id = this.classOf(h, subclassOf(h)).id;
      h1 = Math.imul(h1 ^ (id + 1), 0x85ebca6b);
      h1 ^= h1 >>> 13;
      h2 = Math.imul(h2 + id + 0x27d4eb2f, 0xc2b2ae35);
      h2 ^= h2 >>> 16;
    }
    const key = (h1 >>> 0) * 0x200000 + (h2 >>> 11);
    if (this.chains.has(key)) return;
    if (this.byKey.size > this.maxClasses)
      return this.stop(`more than ${this.maxClasses} lock classes (MAX_LOCK_CLASSES)`);
    if (this.chains.size >= this.maxChains)
      return this.stop(`more than ${this.maxChains} lock chains (MAX_LOCK_CHAINS)`);
    this.chains.add(key);
    this.validate(t, held, cls);
  }

  /**
   * The class of `lock` (created on first sight); with a subclass, that nesting level's class.
   *
   * @example
   * validator.classOf(m).key; // 'mutex m'
   * validator.classOf(m, 1).key; // 'mutex m/1'
   */
  classOf(lock: Waitable, subclass = 0): LockClass {
    let c = this.byLock.get(lock);
    if (c === undefined) {
      c = this.classByKey(this.classify(lock));
      this.byLock.set(lock, c);
    }
    if (subclass === 0) return c;
    const levels = (c.nested ??= []);
    return (levels[subclass] ??= this.classByKey(`${c.key}/${subclass}`));
  }

  private classByKey(key: string): LockClass {
    let c = this.byKey.get(key);
    if (c === undefined) {
      c = { id: this.byKey.size, key, after: new Map() };
      this.byKey.set(key, c);
    }
    return c;
  }

  /**
   * Every order edge seen so far, in the order first observed.
   *
   * @example
   * validator.edges().map((e) => `${e.from} -> ${e.to}`);
   */
  edges(): OrderEdgeReport[] {
    const all: OrderEdgeReport[] = [];
    for (const c of this.byKey.values()) for (const e of c.after.values()) all.push(e);
    return all.sort((a, b) => a.step - b.step);
  }

  /** A chain not seen before: add its new edges, looking for a cycle each one closes. */
  private validate(t: Thread, held: readonly Waitable[], cls: LockClass): void {
    const classOfHeld = (h: Waitable) => this.classOf(h, subclassOf(h));
    this.chainsValidated++;
    let frames: StackFrame[] | null = null;
    let chain: string[] | null = null;
    for (let i = 0; i < held.length; i++) {
      const from = classOfHeld(held[i]!);
      if (from === cls || from.after.has(cls)) continue;
      if (this.edgeCount >= this.maxEdges)
        return this.stop(`more than ${this.maxEdges} lock-order edges (MAX_LOCK_ORDER_EDGES)`);
      this.edgeCount++;
      chain ??= held.map((h) => classOfHeld(h).key);
      frames ??= this.options.backtraceOf?.(t) ?? [];
      const edge: OrderEdgeReport = {
        from: from.key,
        to: cls.key,
        thread: { id: t.id, name: t.name },
        step: t.kernel.steps,
        time: t.kernel.now(),
        held: chain,
        backtrace: frames,
      };
      from.after.set(cls, edge);
      const back = this.pathBetween(cls, from);
      if (back !== null) {
        const inversion: LockOrderReport = {
          classes: [from.key, cls.key, ...back.map((e) => e.to)],
          edges: [edge, ...back],
        };
        if (this.inversions.length < MAX_INVERSIONS_KEPT) this.inversions.push(inversion);
        else this.inversionsDropped++;
        this.options.onInversion(inversion, t);
      }
    }
  }

  /** A table is full: validation switches itself off, once, and says so. */
  private stop(why: string): void {
    if (this.stopped !== null) return;
    this.stopped = `lock-order validation switched off: ${why}; lock orders are no longer checked`;
    this.options.onFull?.(this.stopped);
  }

  /** Edges of a shortest path from → ... → to in the class graph (breadth first), or null. */
  private pathBetween(from: LockClass, to: LockClass): OrderEdgeReport[] | null {
    const via = new Map<LockClass, { prev: LockClass; edge: OrderEdgeReport }>();
    const queue: LockClass[] = [from];
    for (let head = 0; head < queue.length && head < MAX_CLASS_VISITS; head++) {
      const c = queue[head]!;
      for (const [next, edge] of c.after) {
        if (next === from || via.has(next)) continue;
        via.set(next, { prev: c, edge });
        if (next === to) {
          const path: OrderEdgeReport[] = [];
          for (let x: LockClass = to; x !== from && path.length < MAX_CLASS_VISITS;) {
            const step = via.get(x)!;
            path.push(step.edge);
            x = step.prev;
          }
          return path.reverse();
        }
        queue.push(next);
      }
    }
    return null;
  }
}
