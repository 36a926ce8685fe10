/**
 * Thread: one green thread of a Kernel — a generator with its own frame stack.
 *
 * Interface: name, id, kind, priority, state, join(), kill(), and read-only views of what it
 * waits for and holds (for the wait-for graph and reports).
 * Invariants:
 *  - state RUNNABLE ⇔ the thread is in its kernel's run queue, or is cpu.current (running: the
 *    state word is not written on every switch);
 *  - state BLOCKED ⇔ waitKind !== null (waitOn is the resource, or null for sleep);
 *  - waitOn of a thread not BLOCKED is null, or, while the result of its operation is not yet
 *    consumed (opState READY or FAIL), the resource that woke it: the grant kill revokes;
 *  - state EXITED ⇒ no frames, no queue, no timer;
 *  - heapIndex >= 0 ⇔ a timer (sleep or wait timeout) is armed.
 * Field layout is kept small on purpose: 100,000 blocked threads must fit in ~60 MB.
 */
import type { KernelCore as Kernel } from './kernel.ts';
import type { Signallable, Waitable } from './waitable.ts';

export { MANY_OWNERS, MAX_OWNER_CHAIN, NO_OWNERS } from './waitable.ts';
export type { Signallable, StackFrame, Waitable } from './waitable.ts';
import { PRIORITY_LEVELS } from './queue.ts';
import { waitKindName, type WaitKind, type WaitKindId } from './waitkind.ts';
import {
  BASE_SHIFT,
  F_KERNEL,
  F_DAEMON,
  F_RETURNED,
  F_THREW,
  F_KILLED,
  FLAGS_MASK,
  FLAGS_SHIFT,
  OP_MASK,
  OP_SHIFT,
  PRIO_MASK,
  PRIO_SHIFT,
  REACQUIRE_BIT,
  S_BLOCKED,
  S_RUNNABLE,
  STATE_MASK,
  WAIT_MASK,
  WAIT_SHIFT,
} from './threadword.ts';

export {
  F_DAEMON,
  F_KERNEL,
  F_KILL_PENDING,
  F_KILLED,
  F_REACQUIRE,
  F_RETURNED,
  F_THREW,
  F_UNWINDING,
  S_BLOCKED,
  S_EXITED,
  S_RUNNABLE,
} from './threadword.ts';
import type { Linked, ThreadQueue } from './queue.ts';
import { OP_BLOCK, OP_BLOCKED, cpu, type Operation, type Routine } from './operation.ts';

/** Kernel threads run driver daemons and I/O completion; user threads call into drivers. */
export type ThreadKind = 'kernel' | 'user';
/** A thread's life: runnable (queued), running, blocked (waiting), exited. */
export type ThreadState = 'runnable' | 'running' | 'blocked' | 'exited';
/** How a thread ended. */
export type ExitStatus = 'returned' | 'threw' | 'killed';

const STATE_NAMES: readonly ThreadState[] = ['runnable', 'runnable', 'blocked', 'exited'];

/**
 * What only some threads need: a timer, joiners, an exit value. Allocated on first
 * use, so a thread that never sleeps, locks or is joined does not pay for it.
 */
class ThreadExtras {
  deadline = 0;
  timerSeq = 0;
  heapIndex = -1;
  joiners: ThreadQueue<Thread> | null = null;
  result: unknown = undefined;
  /** Callers beyond the second, outermost first (deep call chains are the rare case). */
  moreCallers: Routine[] | null = null;
  /** The condition variable whose signal moved it onto its mutex (F_REACQUIRE), to pass on if killed. */
  signalledBy: Signallable | null = null;
  /** While unwinding after a kill: the depth of the deepest frame still to be returned from. */
  unwindDepth = 0;
  /** It threw with nobody joining: the kernel's failure epoch then (0: joined, or never failed). */
  failureEpoch = 0;
}

/**
 * A green thread. Create threads with `kernel.spawn`, never with `new`.
 *
 * Memory matters (a million blocked threads must fit): besides its generators a thread is one
 * object of 16 slots; the two outermost callers live in slots, deeper ones in its extras.
 */
export class Thread<T = unknown> implements Linked, Waitable {
  // Fields are assigned in the constructor, in this order, rather than declared with
  // initializers: spawn is a hot path, and plain stores in the constructor are cheaper than
  // ES2022 class-field definitions. One shape for every thread.
  /** SPI (Linked): the wait queue links; only a ThreadQueue writes them (and the RunQueue `qnext`, while the thread is runnable). */ declare qnext: Linked | null;
  /** SPI (Linked). */ declare qprev: Linked | null;
  /** SPI (Linked). */ declare qowner: ThreadQueue<Linked> | null;
  /** @internal the generator that runs now */ declare top: Routine | null;
  /** @internal outermost caller */ declare private caller1: Routine | null;
  /** @internal second caller */ declare private caller2: Routine | null;
  /** @internal value, error or pending frame of the operation in flight */ declare opValue: unknown;
  /** @internal what it waits on, or what woke it (see the invariants above) */ declare waitOn: Waitable | null;
  /** @internal virtual time the current wait began */ declare waitSince: number;
  /** @internal state, opState, flags, priorities, waitKind: see the layout above */ declare private word: number;
  /** @internal position in the kernel's table of live threads */ declare liveIndex: number;
  declare private extras: ThreadExtras | null;
  /**
   * @internal locks held, in acquisition order; null when none. A slot of its own, not in the
   * extras: a thread that takes one lock would otherwise allocate both. Changed only by
   * addHeld/removeHeld (a one-lock list may be a resource's shared frozen one).
   */
  declare held: readonly Waitable[] | null;
  declare readonly kernel: Kernel;
  declare readonly id: number;
  declare readonly name: string;

  /** @internal */
  constructor(
    kernel: Kernel,
    id: number,
    name: string,
    body: Routine,
    flags: number,
    basePriority: number,
  ) {
    this.qnext = null;
    this.qprev = null;
    this.qowner = null;
    this.top = body;
    this.caller1 = null;
    this.caller2 = null;
    this.opValue = undefined;
    this.waitOn = null;
    this.waitSince = 0;
    this.word =
      S_RUNNABLE |
      (flags << FLAGS_SHIFT) |
      (basePriority << PRIO_SHIFT) |
      (basePriority << BASE_SHIFT);
    this.liveIndex = -1;
    this.extras = null;
    this.held = null;
    this.kernel = kernel;
    this.id = id;
    this.name = name;
  }

  /** For the wait-for graph: joiners wait on a thread. A getter, so it costs no per-thread slot. */
  get resourceKind(): string {
    return 'thread';
  }

  /** @internal S_RUNNABLE, S_BLOCKED or S_EXITED; the running thread is RUNNABLE and cpu.current. */
  get state(): number {
    return this.word & STATE_MASK;
  }
  /** @internal */
  set state(s: number) {
    this.word = (this.word & ~STATE_MASK) | s;
  }
  /** @internal the operation protocol's state (operation.ts). */
  get opState(): number {
    return (this.word & OP_MASK) >> OP_SHIFT;
  }
  /** @internal */
  set opState(s: number) {
    this.word = (this.word & ~OP_MASK) | (s << OP_SHIFT);
  }
  /** @internal F_* bits. */
  get flags(): number {
    return (this.word & FLAGS_MASK) >> FLAGS_SHIFT;
  }
  /** @internal */
  set flags(f: number) {
    this.word = (this.word & ~FLAGS_MASK) | (f << FLAGS_SHIFT);
  }
  /** Effective priority: the base priority, raised by priority inheritance. Higher runs first. */
  get priority(): number {
    return (this.word & PRIO_MASK) >> PRIO_SHIFT;
  }
  /** @internal only reprioritize (waits.ts) changes it, keeping its queue ordered. */
  set priority(p: number) {
    this.word = (this.word & ~PRIO_MASK) | (p << PRIO_SHIFT);
  }
  /** The priority the thread was given; priority inheritance never changes it. */
  get basePriority(): number {
    return (this.word >> BASE_SHIFT) & (PRIORITY_LEVELS - 1);
  }
  /** What it waits for (a registered wait kind's name), or null. */
  get waitKind(): WaitKind | null {
    return waitKindName(this.waitKindId);
  }
  /** @internal the registered id of what it waits for; 0 when not waiting. */
  get waitKindId(): WaitKindId {
    return (this.word & WAIT_MASK) >>> WAIT_SHIFT;
  }
  /** @internal */
  set waitKindId(id: WaitKindId) {
    this.word = (this.word & ~WAIT_MASK) | (id << WAIT_SHIFT);
  }

  /** @internal BLOCKED with an operation in flight (BLOCK or BLOCKED): what a wake expects. */
  blockedInOperation(): boolean {
    const w = this.word & (STATE_MASK | OP_MASK);
    return (
      w === (S_BLOCKED | (OP_BLOCKED << OP_SHIFT)) || w === (S_BLOCKED | (OP_BLOCK << OP_SHIFT))
    );
  }
  /** @internal One write for a block: state BLOCKED, wait kind `kind`, no longer re-acquiring. */
  markBlocked(kind: WaitKindId): void {
    this.word =
      (this.word & ~(STATE_MASK | WAIT_MASK | REACQUIRE_BIT)) | S_BLOCKED | (kind << WAIT_SHIFT);
  }
  /** @internal One write: it waits for (or is handed) a mutex to re-take after a condvar wait. */
  markReacquire(): void {
    this.word |= REACQUIRE_BIT;
  }
  /** @internal One write when the thread has consumed its operation's result: no operation, not re-acquiring. */
  finishOp(): void {
    this.word &= ~(OP_MASK | REACQUIRE_BIT);
  }
  /** @internal One write for a wake: `state`, operation state `opState`, no wait kind. */
  markWoken(state: number, opState: number): void {
    this.word = (this.word & ~(STATE_MASK | OP_MASK | WAIT_MASK)) | state | (opState << OP_SHIFT);
  }

  private get more(): ThreadExtras {
    return this.extras ?? (this.extras = new ThreadExtras());
  }
  /** @internal timer deadline (kernel ms). */
  get deadline(): number {
    return this.extras === null ? 0 : this.extras.deadline;
  }
  /** @internal */
  set deadline(ms: number) {
    this.more.deadline = ms;
  }
  /** @internal FIFO tie-break among equal deadlines. */
  get timerSeq(): number {
    return this.extras === null ? 0 : this.extras.timerSeq;
  }
  /** @internal */
  set timerSeq(n: number) {
    this.more.timerSeq = n;
  }
  /** @internal position in the kernel's timer heap, -1 when no timer is armed. */
  get heapIndex(): number {
    return this.extras === null ? -1 : this.extras.heapIndex;
  }
  /** @internal */
  set heapIndex(i: number) {
    if (this.extras !== null || i !== -1) this.more.heapIndex = i;
  }
  /** @internal see ThreadExtras.signalledBy. */
  get signalledBy(): Signallable | null {
    return this.extras === null ? null : this.extras.signalledBy;
  }
  /** @internal */
  set signalledBy(cv: Signallable | null) {
    if (this.extras !== null || cv !== null) this.more.signalledBy = cv;
  }
  /** @internal see ThreadExtras.unwindDepth. */
  get unwindDepth(): number {
    return this.extras === null ? 0 : this.extras.unwindDepth;
  }
  /** @internal */
  set unwindDepth(d: number) {
    this.more.unwindDepth = d;
  }
  /** @internal see ThreadExtras.failureEpoch. */
  get failureEpoch(): number {
    return this.extras === null ? 0 : this.extras.failureEpoch;
  }
  /** @internal */
  set failureEpoch(e: number) {
    if (this.extras !== null || e !== 0) this.more.failureEpoch = e;
  }
  /** @internal threads waiting in join(). */
  get joiners(): ThreadQueue<Thread> | null {
    return this.extras === null ? null : this.extras.joiners;
  }
  /** @internal */
  set joiners(q: ThreadQueue<Thread> | null) {
    this.more.joiners = q;
  }
  /** @internal return value, error, or kill reason. */
  get result(): unknown {
    return this.extras === null ? undefined : this.extras.result;
  }
  /** @internal */
  set result(r: unknown) {
    // undefined is what the getter answers without extras: most threads return nothing, and
    // exiting must not allocate a record just to say so.
    if (r === undefined && this.extras === null) return;
    this.more.result = r;
  }

  /** Number of suspended callers below the running frame (derived: one slot less per thread). */
  get depth(): number {
    if (this.caller1 === null) return 0;
    if (this.caller2 === null) return 1;
    const more = this.extras === null ? null : this.extras.moreCallers;
    return more === null ? 2 : 2 + more.length;
  }

  /** @internal Makes `callee` the running frame; the current one becomes its caller. */
  pushFrame(callee: Routine): void {
    const caller = this.top!;
    if (this.caller1 === null) this.caller1 = caller;
    else if (this.caller2 === null) this.caller2 = caller;
    else (this.more.moreCallers ??= []).push(caller);
    this.top = callee;
  }

  /** @internal Drops the finished top frame and resumes its caller; false when it was the last. */
  popFrame(): boolean {
    const more = this.extras === null ? null : this.extras.moreCallers;
    if (more !== null && more.length > 0) {
      this.top = more.pop()!;
    } else if (this.caller2 !== null) {
      this.top = this.caller2;
      this.caller2 = null;
    } else if (this.caller1 !== null) {
      this.top = this.caller1;
      this.caller1 = null;
    } else {
      return false;
    }
    return true;
  }

  /** @internal Drops every frame (the thread exited). */
  clearFrames(): void {
    this.top = this.caller1 = this.caller2 = null;
    if (this.extras !== null) this.extras.moreCallers = null;
  }

  /** 'kernel' or 'user'. */
  get kind(): ThreadKind {
    return (this.flags & F_KERNEL) !== 0 ? 'kernel' : 'user';
  }
  /** A daemon thread does not keep `kernel.run()` from settling. */
  get daemon(): boolean {
    return (this.flags & F_DAEMON) !== 0;
  }
  /** 'runnable', 'running', 'blocked' or 'exited'. */
  get stateName(): ThreadState {
    return this === cpu.current ? 'running' : STATE_NAMES[this.state]!;
  }
  /** How it ended, or null while it lives. */
  get exitStatus(): ExitStatus | null {
    if ((this.flags & F_RETURNED) !== 0) return 'returned';
    if ((this.flags & F_THREW) !== 0) return 'threw';
    if ((this.flags & F_KILLED) !== 0) return 'killed';
    return null;
  }
  /**
   * How it ended and with what, or null while it lives. Reading it does not count as joining:
   * an error nobody joined is still reported by run().
   */
  get outcome():
    { status: 'returned'; value: T } | { status: 'threw' | 'killed'; error: unknown } | null {
    const status = this.exitStatus;
    if (status === null) return null;
    return status === 'returned'
      ? { status, value: this.result as T }
      : { status, error: this.result };
  }
  /** What it waits for now, or null. */
  get waitingFor(): { kind: WaitKind; resource: Waitable | null; since: number } | null {
    return this.waitKind === null
      ? null
      : { kind: this.waitKind, resource: this.waitOn, since: this.waitSince };
  }
  /** The locks it holds, in acquisition order. */
  get holding(): readonly Waitable[] {
    return this.held === null ? [] : this.held.slice();
  }
  /** Frames of the thread, outermost first (for backtraces). */
  get frames(): readonly Routine[] {
    const out: Routine[] = [];
    if (this.caller1 !== null) out.push(this.caller1);
    if (this.caller2 !== null) out.push(this.caller2);
    const more = this.extras === null ? null : this.extras.moreCallers;
    if (more !== null) out.push(...more);
    if (this.top !== null) out.push(this.top);
    return out;
  }

  /** As a join target, a thread is owned by itself: joiners wait for it to run. */
  owners(): readonly Thread[] {
    return [this as Thread];
  }
  /** SPI (Waitable). */
  soleOwner(): Thread {
    return this as Thread;
  }
  /** SPI (Waitable). */
  removeWaiter(t: Thread): void {
    this.joiners!.remove(t);
  }

  /**
   * Waits until this thread exits; returns its value or throws its error (ThreadKilledError if
   * it was killed). Joining yourself is EDEADLK.
   *
   * @example
   * const worker = kernel.spawn(function* () { yield* sleep(5); return 42; });
   * const answer = yield* worker.join(); // 42
   */
  join(timeoutMs?: number): Operation<T> {
    return this.kernel.join(this, timeoutMs) as Operation<T>;
  }

  /**
   * Kills the thread: it is taken off whatever it waits on, and its frames are returned from, so
   * its `finally` blocks run (they may block). Joiners get ThreadKilledError listing any lock it
   * still held at exit. Killing an exited thread does nothing.
   *
   * @example
   * daemon.kill('driver detached');
   */
  kill(reason = 'killed'): void {
    this.kernel.kill(this, reason);
  }

  toString(): string {
    return `${this.name}#${this.id}`;
  }
}
