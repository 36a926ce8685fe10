/**
 * Thread: one green thread of a Kernel — a generator with its own frame stack.
 *
 * Interface: name, id, kind, priority, state, join(), kill(), and read-only views of what it
 * waits for and holds (for the wait-for graph and reports).
 * Invariants:
 *  - state RUNNABLE ⇔ the thread is linked in its kernel's run queue;
 *  - state BLOCKED ⇔ waitKind !== null (waitOn is the resource, or null for sleep/host);
 *  - state EXITED ⇒ no frames, no queue, no timer;
 *  - heapIndex >= 0 ⇔ a timer (sleep or wait timeout) is armed.
 * Field layout is kept small on purpose: 100,000 blocked threads must fit in ~60 MB.
 */
import type { Kernel } from './kernel.ts';
import type { Linked, ThreadQueue } from './queue.ts';
import { OP_IDLE, type Operation, type Routine } from './operation.ts';

/** Kernel threads run driver daemons and I/O completion; user threads call into drivers. */
export type ThreadKind = 'kernel' | 'user';
/** A thread's life: runnable (queued), running, blocked (waiting), exited. */
export type ThreadState = 'runnable' | 'running' | 'blocked' | 'exited';
/** What a blocked thread waits for. */
export type WaitKind =
  | 'mutex'
  | 'rwlock-read'
  | 'rwlock-write'
  | 'condvar'
  | 'semaphore'
  | 'channel'
  | 'completion'
  | 'join'
  | 'sleep'
  | 'host';
/** How a thread ended. */
export type ExitStatus = 'returned' | 'threw' | 'killed';

export const S_RUNNABLE = 0;
export const S_RUNNING = 1;
export const S_BLOCKED = 2;
export const S_EXITED = 3;
const STATE_NAMES: readonly ThreadState[] = ['runnable', 'running', 'blocked', 'exited'];

/** Bits of Thread.flags. */
export const F_KERNEL = 1;
export const F_DAEMON = 2;
export const F_KILL_PENDING = 4; // kill() was called; the thread unwinds when it next runs
export const F_UNWINDING = 8; // frames are being returned from (finally blocks run)
export const F_RETURNED = 16;
export const F_THREW = 32;
export const F_KILLED = 64;
export const F_ERROR_OBSERVED = 128; // a joiner received the error (or it was reported)

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
}

/** A green thread. Create threads with `kernel.spawn`, never with `new`. */
export class Thread<T = unknown> implements Linked, Waitable {
  /** For the wait-for graph: joiners wait on a thread. A getter, so it costs no per-thread slot. */
  get resourceKind(): string {
    return 'thread';
  }
  /** @internal */ qnext: Linked | null = null;
  /** @internal */ qprev: Linked | null = null;
  /** @internal */ qowner: ThreadQueue<Linked> | null = null;
  /** @internal the generator that runs now */ top: Routine | null;
  /** @internal suspended callers, innermost last; null until the first call */ callers: Routine[] | null = null;
  /** @internal number of live frames in callers */ depth = 0;
  /** @internal */ opState = OP_IDLE;
  /** @internal value, error or pending frame of the operation in flight */ opValue: unknown = undefined;
  /** @internal */ state = S_RUNNABLE;
  /** @internal */ flags: number;
  /** Effective priority: the base priority, raised by priority inheritance. Higher runs first. */
  priority: number;
  /** @internal */ waitOn: Waitable | null = null;
  /** @internal */ waitKind: WaitKind | null = null;
  /** @internal virtual time the current wait began */ waitSince = 0;
  /** @internal timer deadline (virtual ms) */ deadline = 0;
  /** @internal FIFO tie-break among equal deadlines */ timerSeq = 0;
  /** @internal position in the kernel's timer heap, -1 when no timer is armed */ heapIndex = -1;
  /** @internal locks held, in acquisition order */ held: Waitable[] | null = null;
  /** @internal threads waiting in join() */ joiners: ThreadQueue<Thread> | null = null;
  /** @internal return value, error, or kill reason */ result: unknown = undefined;

  /** @internal */
  constructor(
    readonly kernel: Kernel,
    readonly id: number,
    readonly name: string,
    body: Routine,
    flags: number,
    /** The priority the thread was given; priority inheritance never changes it. */
    readonly basePriority: number,
  ) {
    this.top = body;
    this.flags = flags;
    this.priority = basePriority;
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
    return STATE_NAMES[this.state]!;
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
  get outcome(): { status: 'returned'; value: T } | { status: 'threw' | 'killed'; error: unknown } | null {
    const status = this.exitStatus;
    if (status === null) return null;
    return status === 'returned' ? { status, value: this.result as T } : { status, error: this.result };
  }
  /** What it waits for now, or null. */
  get waitingFor(): { kind: WaitKind; resource: Waitable | null; since: number } | null {
    return this.waitKind === null ? null : { kind: this.waitKind, resource: this.waitOn, since: this.waitSince };
  }
  /** The locks it holds, in acquisition order. */
  get holding(): readonly Waitable[] {
    return this.held === null ? [] : this.held.slice();
  }
  /** Frames of the thread, outermost first (for backtraces). */
  get frames(): readonly Routine[] {
    const out: Routine[] = [];
    for (let i = 0; i < this.depth; i++) out.push(this.callers![i]!);
    if (this.top !== null) out.push(this.top);
    return out;
  }

  /** As a join target, a thread is owned by itself: joiners wait for it to run. */
  owners(): readonly Thread[] {
    return [this as Thread];
  }
  /** @internal */
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
