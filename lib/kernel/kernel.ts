/**
 * Kernel: one scheduler multiplexing green threads on the host's JavaScript thread.
 *
 * Interface: spawn, run (async), runSync, step, runUntilIdle, advanceTime, kill, now, trace,
 * dump; and for primitives: block, wake, wakeWithError, reprioritize, join.
 * Invariants (checked with assert where cheap):
 *  - at most one thread of the whole process is RUNNING, and it is cpu.current;
 *  - a thread is in exactly one place: the run queue (RUNNABLE), a resource's wait queue or a
 *    timer/host wait (BLOCKED), executing (RUNNING), or nowhere (EXITED);
 *  - `liveUserThreads` counts non-daemon threads not yet exited; run() settles when it is 0;
 *  - virtual time never moves while a thread is runnable (as in Go's synctest), so the same
 *    program and seed give the same schedule, trace and time, byte for byte.
 * Many kernels can live in one process; each owns its threads, timers and resources.
 */
import createDebug from 'debug';
import { assert } from './assert.ts';
import {
  GreenkernelError,
  InvalidArgumentError,
  LimitExceededError,
  OperationMisuseError,
  ThreadKilledError,
  TimeoutError,
  WouldDeadlockError,
  describeError,
} from './errors.ts';
import {
  BLOCK_MARK,
  CALL_MARK,
  OP_BLOCK,
  OP_BLOCKED,
  OP_FAIL,
  OP_IDLE,
  OP_READY,
  checkRoutine,
  completed,
  cpu,
  enter,
  failed,
  suspended,
  type Operation,
  type Routine,
  type Yielded,
} from './operation.ts';
import { SeededRandom } from './random.ts';
import { PRIORITY_LEVELS, RunQueue } from './runqueue.ts';
import { ThreadQueue } from './queue.ts';
import {
  F_DAEMON,
  F_KERNEL,
  F_KILL_PENDING,
  F_KILLED,
  F_RETURNED,
  F_THREW,
  F_UNWINDING,
  S_BLOCKED,
  S_EXITED,
  S_RUNNABLE,
  Thread,
  type ThreadKind,
  type Waitable,
} from './thread.ts';
import { afterHostDelay } from './time.ts';
import { WAIT_JOIN, WAIT_SLEEP, waitKindName, type WaitKindId } from './waitkind.ts';
import { TimerHeap } from './timers.ts';

const log = createDebug('greenkernel:sched');

/** How the kernel tells time. */
export type ClockMode = 'virtual' | 'real';

export interface KernelCoreOptions {
  /** Name for reports and debug output. Default 'kernel'. */
  name?: string;
  /**
   * Seed of the `'random'` policy. Under the default `'fifo'` policy nothing is drawn at random,
   * so the seed changes nothing; use `policy: 'random'` for schedule variety, each seed giving
   * its own reproducible schedule. Default 0.
   */
  seed?: number;
  /** 'fifo' (default): strict priority, FIFO among equals. 'random': seeded random among equals. */
  policy?: 'fifo' | 'random';
  /** 'virtual' (default): time jumps to the next timer when nothing can run. 'real': wall clock. */
  clock?: ClockMode;
  /** Record a schedule trace (see `trace`). Default false. */
  trace?: boolean;
  /** Limit on steps of one run()/runSync() call, so a livelock ends with ELIMIT. Default 1e9. */
  maxSteps?: number;
  /** Steps run() takes before letting the host event loop turn. Default 10,000. */
  sliceSteps?: number;
  /** Limit on live threads. Default 10,000,000. */
  maxThreads?: number;
  /**
   * Limit on a thread's call depth (frames pushed by `yield* call(...)`): a call past it throws
   * LimitExceededError (ELIMIT) at the `yield*`, which the caller may catch. Default 100,000.
   */
  maxCallDepth?: number;
  /**
   * Limit on trace lines. When it is reached, tracing stops: the lines recorded so far are
   * kept, a last line says where it stopped, and a warning is recorded. Default 1e6.
   */
  maxTraceLines?: number;
}

export interface SpawnOptions {
  /** Name for reports. Default: the body function's name, or 'thread'. */
  name?: string;
  /** 'kernel' or 'user' (default). */
  kind?: ThreadKind;
  /** Integer in [0, 31]; higher runs first. Default 0. */
  priority?: number;
  /** A daemon does not keep run() from settling (driver daemons, I/O completion loops). */
  daemon?: boolean;
}

/** What run() and runSync() settle with. */
export interface RunResult {
  /** Dispatches performed by this call. */
  steps: number;
  /** Kernel time when it settled, in ms. */
  time: number;
}

/** How a lock is requested, for lock-order validation. */
export type LockMode = 'exclusive' | 'read' | 'write';

/**
 * Hooks for the deadlock detector and lock validator (lib/detect/). Absent hooks cost one
 * property load on the paths that would call them.
 */
export interface KernelHooks {
  /**
   * The running thread `t` is about to wait on `resource` (not yet queued, nothing changed
   * yet). May throw to refuse the wait: the error is thrown at the thread's `yield*`.
   */
  beforeBlock?(t: Thread, resource: Waitable | null, kind: WaitKindId, timeoutMs: number | undefined): void;
  /**
   * The running thread `t` requests `lock` (before it is acquired or waited for); `t.held`
   * lists what it already holds. `trylock` requests never wait. May throw to refuse.
   */
  beforeLock?(t: Thread, lock: Waitable, mode: LockMode, trylock: boolean): void;
  /**
   * Blocked `t` now waits on `resource` without having blocked again: a condition-variable
   * waiter moved onto its mutex, or its completion was given a holder. Must not throw (no
   * thread can be refused anything here); it may panic the kernel.
   */
  waitChanged?(t: Thread, resource: Waitable, kind: WaitKindId): void;
}

/**
 * What the kernel's errors and dumps are made of: the report layer (lib/report/) installs one
 * with reports, backtraces and cycles; without it the core says less, in plain errors.
 */
export interface KernelReporter {
  /** The error run() rejects with when nothing can run again. */
  stallError(kernel: KernelCore, blocked: readonly Thread[], failures: readonly { thread: Thread; error: unknown }[]): Error;
  /** The error run() rejects with when threads failed with nobody joining them. */
  unjoinedError(kernel: KernelCore, failures: readonly { thread: Thread; error: unknown }[], dropped: number): Error;
  /** kernel.dump(). */
  dump(kernel: KernelCore, threads: readonly Thread[]): string;
}

/** The reporter of a kernel nobody gave one (the core alone): plain errors, one line a thread. */
const PLAIN_REPORTER: KernelReporter = {
  stallError: (k, blocked) =>
    new GreenkernelError('ESTALL', `${k.name}: ${blocked.length} thread(s) blocked, nothing runnable, no timer, no host call in flight: ${blocked.join(', ')}`),
  unjoinedError: (k, failures, dropped) =>
    new GreenkernelError('ETHREAD', `${k.name}: ${failures.length + dropped} thread(s) failed with nobody joining them: ${failures.map((f) => `${f.thread}: ${describeError(f.error)}`).join('; ')}`),
  dump: (_k, threads) => threads.map((t) => `${t} ${t.stateName}${t.waitKind === null ? '' : ` on ${t.waitKind}`}`).join('\n'),
};

/**
 * A typed key for per-kernel state kept by a layer above the core (a primitive's tables, the
 * detector, report settings): `kernel.extension(key)`, `kernel.setExtension(key, value)`.
 *
 * @example
 * const TABLES = new KernelSlot<Map<unknown, WaitChannel>>('wait channels');
 * let table = kernel.extension(TABLES); if (table === undefined) kernel.setExtension(TABLES, (table = new Map()));
 */
export class KernelSlot<T> {
  declare private readonly valueType: T;
  constructor(readonly name: string) {}
}

const DEFAULT_MAX_STEPS = 1e9;
const DEFAULT_SLICE = 10_000;
const MAX_WARNINGS = 10_000;
/**
 * Failed threads nobody has joined yet, kept for run()'s UnjoinedThreadError and stall reports;
 * past this many they are counted, not kept (a long-running kernel must not grow without limit).
 */
export const MAX_UNJOINED_FAILURES = 1000;
const NOTHING_HELD: readonly string[] = Object.freeze([]);
// In real-clock mode, due timers are looked at every 64 dispatches: often enough for ms timers,
// rarely enough that reading the clock (~40 ns) stays off the switch path.
const REAL_CLOCK_TIMER_CHECK = 64;
// How execute() continues with a thread's top frame.
const RESUME_NEXT = 0; // next(): the usual resume
const RESUME_RETURN = 1; // return(): unwinding after a kill, finally blocks run
const RESUME_THROW = 2; // throw(payload): a misuse error delivered at a bare `yield`
const AFTER_RESULT = 3; // payload is the result of a resume already made
const AFTER_THROW = 4; // payload is the error a resume already made threw

/**
 * The scheduler core. Users create `Kernel` (lib/main.ts), which is this with deadlock detection
 * and reports installed; primitives and drivers see a thread's kernel as a KernelCore.
 */
export class KernelCore {
  readonly name: string;
  readonly seed: number;
  readonly clock: ClockMode;
  /** The thread executing now on this kernel, or null between dispatches. */
  get current(): Thread | null {
    const t = cpu.current;
    return t !== null && t.kernel === this ? t : null;
  }
  /** Dispatches since the kernel was created. */
  steps = 0;
  /** Optional hooks installed by the deadlock detector. */
  hooks: KernelHooks = {};
  /** Makes the errors and dumps (the report layer installs one). */
  reporter: KernelReporter = PLAIN_REPORTER;
  private extensions: Map<KernelSlot<unknown>, unknown> | null = null;
  /**
   * Non-fatal anomalies (a thread exited holding a lock, a lock-order inversion in 'warn'
   * mode...), in order. At most MAX_WARNINGS are kept; `warningsDropped` counts the rest.
   */
  readonly warnings: string[] = [];
  /** Warnings not kept because MAX_WARNINGS were already kept. */
  warningsDropped = 0;

  private readonly runq: RunQueue;
  private readonly timers = new TimerHeap();
  /** Live threads, unordered (swap-removal keeps exit O(1)); `threads` sorts by id. */
  private readonly live: Thread[] = [];
  private liveUserThreads = 0;
  private nextThreadId = 1;
  private hostPending = 0;
  private virtualNow = 0;
  private readonly realStart = performance.now();
  /** The lines recorded while tracing is on; null when off or stopped at maxTraceLines. */
  private traceLines: string[] | null;
  /** Every line recorded, kept after tracing stops. */
  private readonly traceKept: string[] = [];
  private readonly maxTraceLines: number;
  private readonly maxSteps: number;
  private readonly sliceSteps: number;
  private readonly maxThreads: number;
  private readonly maxCallDepth: number;
  /** Failed threads nobody joined, in failure order (a Map: a join forgets one in O(1)). */
  private readonly unjoinedFailures = new Map<Thread, unknown>();
  private unjoinedDropped = 0;
  /** Bumped when run() reports the unjoined failures: older ones are no longer counted. */
  private failureEpoch = 1;
  private fatal: unknown = undefined;
  private running = false;
  private hostSignal: (() => void) | null = null;

  /**
   * @example
   * const kernel = new Kernel({ seed: 7, policy: 'random', trace: true });
   */
  constructor(options: KernelCoreOptions = {}) {
    checkOptionsObject(options, 'new Kernel(options)');
    this.name = options.name ?? 'kernel';
    this.seed = options.seed ?? 0;
    if (!Number.isSafeInteger(this.seed)) throw new InvalidArgumentError(`seed must be a safe integer, got ${String(this.seed)}`);
    this.clock = options.clock ?? 'virtual';
    if (this.clock !== 'virtual' && this.clock !== 'real') throw new InvalidArgumentError(`clock must be 'virtual' or 'real', got ${String(this.clock)}`);
    const policy = options.policy ?? 'fifo';
    if (policy !== 'fifo' && policy !== 'random') throw new InvalidArgumentError(`policy must be 'fifo' or 'random', got ${String(policy)}`);
    this.runq = new RunQueue(policy === 'random' ? new SeededRandom(this.seed) : null);
    this.traceLines = options.trace === true ? this.traceKept : null;
    this.maxTraceLines = positiveInt(options.maxTraceLines ?? 1e6, 'maxTraceLines');
    this.maxSteps = positiveInt(options.maxSteps ?? DEFAULT_MAX_STEPS, 'maxSteps');
    this.sliceSteps = positiveInt(options.sliceSteps ?? DEFAULT_SLICE, 'sliceSteps');
    this.maxThreads = positiveInt(options.maxThreads ?? 10_000_000, 'maxThreads');
    this.maxCallDepth = positiveInt(options.maxCallDepth ?? 100_000, 'maxCallDepth');
  }

  /**
   * The state a layer above the core keeps for this kernel under `slot`, or undefined.
   *
   * @example
   * const table = kernel.extension(TABLES);
   */
  extension<T>(slot: KernelSlot<T>): T | undefined {
    return this.extensions === null ? undefined : (this.extensions.get(slot) as T | undefined);
  }

  /**
   * Keeps `value` for this kernel under `slot` (undefined forgets it).
   *
   * @example
   * kernel.setExtension(TABLES, new Map());
   */
  setExtension<T>(slot: KernelSlot<T>, value: T | undefined): void {
    if (value === undefined) this.extensions?.delete(slot);
    else (this.extensions ??= new Map()).set(slot, value);
  }

  // ---------------------------------------------------------------- threads

  /**
   * Creates a runnable thread running `body`. Callable from the host or from a thread.
   *
   * @example
   * const t = kernel.spawn(function* producer() { yield; return 1; }, { kind: 'kernel', priority: 4 });
   */
  spawn<T>(body: () => Routine<T>, options: SpawnOptions = {}): Thread<T> {
    if (typeof body !== 'function') throw new InvalidArgumentError('spawn(body): body must be a generator function');
    checkOptionsObject(options, 'spawn(body, options)');
    const priority = options.priority ?? 0;
    if (!Number.isInteger(priority) || priority < 0 || priority >= PRIORITY_LEVELS) {
      throw new InvalidArgumentError(`priority must be an integer in [0, ${PRIORITY_LEVELS - 1}], got ${priority}`);
    }
    const kind = options.kind ?? 'user';
    if (kind !== 'kernel' && kind !== 'user') throw new InvalidArgumentError(`kind must be 'kernel' or 'user', got ${String(kind)}`);
    if (this.live.length >= this.maxThreads) throw new LimitExceededError(`${this.name}: more than ${this.maxThreads} live threads`);
    const routine = checkRoutine(body(), 'spawn(body)');
    const flags = (kind === 'kernel' ? F_KERNEL : 0) | (options.daemon === true ? F_DAEMON : 0);
    const id = this.nextThreadId++;
    const name = options.name ?? (body.name !== '' ? body.name : 'thread');
    const t = new Thread<T>(this, id, name, routine as Routine, flags, priority);
    t.liveIndex = this.live.length;
    this.live.push(t as Thread);
    if ((flags & F_DAEMON) === 0) this.liveUserThreads++;
    this.runq.enqueue(t as Thread);
    if (this.traceLines !== null) this.record('spawn', t as Thread, `${kind} prio=${priority}`);
    this.pokeIfOutside();
    return t;
  }

  /** Live threads (not exited), in id order. */
  get threads(): Thread[] {
    return this.live.slice().sort((a, b) => a.id - b.id);
  }

  /** Non-daemon threads not yet exited. */
  get liveCount(): number {
    return this.liveUserThreads;
  }

  /** Host waits (hostcall) in flight. */
  get pendingHostCalls(): number {
    return this.hostPending;
  }

  /** Armed timers (sleeps and wait timeouts). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Runnable threads. */
  get runnableCount(): number {
    return this.runq.size;
  }

  /**
   * Kills `t` (see Thread.kill). A thread cannot kill itself: it returns instead.
   *
   * @example
   * kernel.kill(worker, 'shutdown');
   */
  kill(t: Thread, reason = 'killed'): void {
    if (t.kernel !== this) throw new InvalidArgumentError(`thread ${t} belongs to kernel ${t.kernel.name}, not ${this.name}`);
    if (t.state === S_EXITED || (t.flags & (F_KILL_PENDING | F_UNWINDING)) !== 0) return;
    if (t === cpu.current) throw new InvalidArgumentError(`thread ${t} cannot kill itself: return from its body instead`);
    t.flags |= F_KILL_PENDING;
    t.result = reason;
    if (this.traceLines !== null) this.record('kill', t, reason);
    if (t.state === S_BLOCKED) {
      // A condition-variable waiter first takes its mutex back, as a pthread cancellation does,
      // so that its `finally { m.unlock() }` holds: it unwinds when the mutex is handed to it.
      const resource = t.waitOn;
      if (resource !== null && resource.onKill !== undefined && resource.onKill(t)) return;
      this.cancelWait(t);
      t.opState = OP_IDLE;
      t.opValue = undefined;
      t.state = S_RUNNABLE;
      this.runq.enqueue(t);
      this.pokeIfOutside();
      return;
    }
    // Woken with a grant it has not seen (it is suspended in the `yield*` that asked for it, so
    // no `try` protects what it was given): the grant goes back and on to the next in line.
    this.revokeUnseenGrant(t);
  }

  /** If `t` holds a grant it has not seen yet (opState READY, waitOn the granter), revokes it. */
  private revokeUnseenGrant(t: Thread): void {
    const granter = t.waitOn;
    if (granter === null || t.opState !== OP_READY) return;
    t.waitOn = null;
    if (granter.revokeGrant !== undefined) granter.revokeGrant(t);
  }

  /** @internal join(): see Thread.join. */
  join(target: Thread, timeoutMs: number | undefined): Operation<unknown> {
    const self = enter('join()', timeoutMs);
    if (target.kernel !== this) return failed(self, new InvalidArgumentError(`cannot join ${target}: it belongs to kernel ${target.kernel.name}`));
    if (target === self) return failed(self, new WouldDeadlockError(`thread ${self} cannot join itself`));
    if (target.state === S_EXITED) return this.joinResult(self, target);
    this.block(self, target, WAIT_JOIN, timeoutMs);
    if (target.joiners === null) target.joiners = new ThreadQueue<Thread>();
    target.joiners.enqueue(self);
    return suspended(self);
  }

  private joinResult(self: Thread, target: Thread): Operation<unknown> {
    if ((target.flags & F_RETURNED) !== 0) return completed(self, target.result);
    this.observeFailure(target);
    return failed(self, target.result);
  }

  // ---------------------------------------------------------------- time

  /**
   * Current kernel time in ms: virtual time, or ms since the kernel was created (real clock).
   *
   * @example
   * const t0 = kernel.now(); yield* sleep(10); kernel.now() - t0; // 10 under the virtual clock
   */
  now(): number {
    return this.clock === 'virtual' ? this.virtualNow : performance.now() - this.realStart;
  }

  /**
   * Virtual clock only: jumps to the earliest timer and fires every timer due then. Returns
   * false when no timer is armed. run() and runSync() call this when nothing is runnable.
   *
   * @example
   * kernel.runUntilIdle(); kernel.advanceTime(); kernel.runUntilIdle();
   */
  advanceTime(): boolean {
    if (this.clock !== 'virtual') throw new InvalidArgumentError('advanceTime() is for the virtual clock');
    const next = this.timers.nextDeadline();
    if (next === Infinity) return false;
    if (next > this.virtualNow) this.virtualNow = next;
    this.fireDueTimers();
    return true;
  }

  private fireDueTimers(): void {
    const now = this.now();
    for (let t = this.timers.popDue(now); t !== null; t = this.timers.popDue(now)) {
      if (this.traceLines !== null) this.record('timer', t, t.waitKind ?? '');
      if (t.waitKindId === WAIT_SLEEP) {
        this.wake(t, undefined);
        continue;
      }
      const resource = t.waitOn;
      assert(resource !== null && t.state === S_BLOCKED, 'a timed-out waiter is blocked on a resource');
      if (resource.onTimeout !== undefined) {
        resource.onTimeout(t);
      } else {
        resource.removeWaiter(t);
        this.wakeWithError(t, new TimeoutError(`${resource.resourceKind} ${resource.name}`, now - t.waitSince));
      }
    }
  }

  // ---------------------------------------------------------------- blocking (for primitives)

  /**
   * @internal Records that the running thread `t` is about to wait on `resource`, arming a
   * timeout if given. The caller queues `t` on the resource only after this returns (the
   * deadlock detector's hook may refuse the wait by throwing), then returns `suspended(t)`.
   */
  block(t: Thread, resource: Waitable | null, kind: WaitKindId, timeoutMs: number | undefined): void {
    assert(t === cpu.current && t.state === S_RUNNABLE, 'only the running thread blocks itself');
    // enter(what, timeoutMs) refused a bad one before the primitive changed anything.
    assert(timeoutMs === undefined || (timeoutMs >= 0 && timeoutMs < Infinity), 'block: the timeout was checked by enter()');
    if (this.hooks.beforeBlock !== undefined) this.hooks.beforeBlock(t, resource, kind, timeoutMs);
    t.markBlocked(kind);
    t.waitOn = resource;
    t.waitSince = this.now();
    if (timeoutMs !== undefined) this.timers.arm(t, t.waitSince + timeoutMs);
    if (this.traceLines !== null) this.record('block', t, resource === null ? waitKindName(kind)! : `${waitKindName(kind)} ${resource.name}`);
  }

  /** @internal Wakes blocked `t` (already unlinked from its resource) with `value`. */
  wake(t: Thread, value: unknown): void {
    this.resume(t, OP_READY, value);
  }

  /** @internal Wakes blocked `t` (already unlinked from its resource); `error` is thrown at its yield*. */
  wakeWithError(t: Thread, error: unknown): void {
    this.resume(t, OP_FAIL, error);
  }

  /**
   * @internal Moves blocked `t` from one wait to another without running it (condition
   * variable → mutex "wait morphing"). `t` must already be queued on `resource`.
   */
  rewait(t: Thread, resource: Waitable, kind: WaitKindId): void {
    assert(t.state === S_BLOCKED, 'rewait: thread is blocked');
    this.timers.cancel(t);
    t.waitOn = resource;
    t.waitKindId = kind;
    if (this.traceLines !== null) this.record('rewait', t, `${waitKindName(kind)} ${resource.name}`);
    if (this.hooks.waitChanged !== undefined) this.hooks.waitChanged(t, resource, kind);
  }

  private resume(t: Thread, opState: number, value: unknown): void {
    assert(t.state === S_BLOCKED, 'only a blocked thread is woken');
    assert(t.opState === OP_BLOCKED || t.opState === OP_BLOCK, 'a woken thread has an operation in flight');
    if (t.heapIndex >= 0) this.timers.cancel(t);
    // waitOn stays: it names the granter until the thread consumes the result (see Thread).
    t.opValue = value;
    if (this.traceLines !== null) this.record(opState === OP_READY ? 'wake' : 'wake-error', t, '');
    t.markWoken(S_RUNNABLE, opState);
    // Woken before it yielded (it woke itself): the operation completes without a switch.
    if (t === cpu.current) return;
    this.runq.enqueue(t);
    this.pokeIfOutside();
  }

  /**
   * A thread became runnable from host code (a callback, an interrupt, another kernel's
   * thread): an idle run() must look again. Inside this kernel's own dispatch, run() is busy
   * and will see the thread anyway, so the common path costs one compare.
   */
  private pokeIfOutside(): void {
    const running = cpu.current;
    if (running === null || running.kernel !== this) this.pokeHost();
  }

  /**
   * Records a non-fatal anomaly in `warnings` (bounded: a long-running kernel that repeats one
   * must not grow without limit; the count of dropped ones is kept).
   *
   * @example
   * kernel.warn(`${t} exited holding mutex dev.lock`);
   */
  warn(message: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(message);
    else this.warningsDropped++;
  }

  /** @internal Unlinks blocked `t` from whatever it waits on (kill, misuse). */
  cancelWait(t: Thread): void {
    this.timers.cancel(t);
    if (t.waitOn !== null) t.waitOn.removeWaiter(t);
    t.waitOn = null;
    t.waitKindId = 0;
  }

  /**
   * @internal Changes `t`'s effective priority (priority inheritance), keeping the queue it is
   * in ordered: the run queue, or the wait queue it blocks in (it moves behind the waiters of
   * its new priority, as a turnstile requeues a boosted waiter).
   */
  reprioritize(t: Thread, priority: number): void {
    assert(Number.isInteger(priority) && priority >= 0 && priority < PRIORITY_LEVELS, 'priority in range');
    if (t.priority === priority) return;
    const waitQueue = t.qowner;
    if (waitQueue !== null) {
      waitQueue.remove(t);
      t.priority = priority;
      waitQueue.enqueue(t);
    } else if (t.state === S_RUNNABLE && t !== cpu.current) {
      this.runq.remove(t);
      t.priority = priority;
      this.runq.enqueue(t);
    } else {
      t.priority = priority;
    }
    if (this.traceLines !== null) this.record('prio', t, String(priority));
  }

  /** @internal A host wait began (hostcall). */
  hostBegin(): void {
    this.hostPending++;
  }

  /** @internal A host wait ended or was abandoned; wakes run() if it is waiting for the host. */
  hostEnd(): void {
    this.hostPending--;
    assert(this.hostPending >= 0, 'host wait count went negative');
    this.pokeHost();
  }

  /** @internal Something changed from outside a dispatch: let an idle run() look again. */
  pokeHost(): void {
    const signal = this.hostSignal;
    if (signal !== null) {
      this.hostSignal = null;
      signal();
    }
  }

  /**
   * @internal Fails the whole run (used by the deadlock detector in 'fail' mode). The first
   * error stands, unless `replacing` names it: a more precise finding about the same event.
   */
  panic(error: unknown, replacing?: unknown): void {
    if (this.fatal === undefined || (replacing !== undefined && this.fatal === replacing)) this.fatal = error;
  }

  // ---------------------------------------------------------------- dispatch

  /**
   * Dispatches one runnable thread until it blocks, yields or exits. Returns false when no
   * thread is runnable. For embedding: drive the kernel step by step.
   *
   * @example
   * while (kernel.step()) {}
   */
  step(): boolean {
    this.refuseOwnThread('step()');
    return this.dispatchLoop(1, false) === 1;
  }

  /**
   * Steps until no thread is runnable or `maxSteps` dispatches were made; does not move time.
   * Returns the number of dispatches made.
   *
   * @example
   * kernel.runUntilIdle(1000);
   */
  runUntilIdle(maxSteps = this.maxSteps): number {
    this.refuseOwnThread('runUntilIdle()');
    return this.dispatchLoop(maxSteps, false);
  }

  /** A thread cannot drive its own kernel: it is in the middle of a dispatch of it. */
  private refuseOwnThread(what: string): void {
    const running = cpu.current;
    if (running !== null && running.kernel === this) throw new InvalidArgumentError(`${what}: a thread cannot drive its own kernel (${running} is running on ${this.name})`);
  }

  /**
   * The scheduler loop: dispatches runnable threads, highest priority first, until none is
   * runnable, `maxSteps` were made, the kernel panicked, or (if `untilNoUserThreads`) the last
   * non-daemon thread exited. Returns the number of dispatches. The switch path is here and in
   * execute(): it allocates nothing.
   */
  private dispatchLoop(maxSteps: number, untilNoUserThreads: boolean): number {
    const outer = cpu.current; // another kernel's thread, when kernels are nested
    const runq = this.runq;
    const real = this.clock === 'real';
    let n = 0;
    try {
      while (n < maxSteps && this.fatal === undefined && (!untilNoUserThreads || this.liveUserThreads > 0)) {
        if (real && (n & (REAL_CLOCK_TIMER_CHECK - 1)) === 0 && this.timers.size > 0) this.fireDueTimers();
        const t = runq.dequeueNext();
        if (t === null) break;
        // Stays RUNNABLE while it runs: "running" is `cpu.current === t`, which saves two
        // writes of the state word per switch.
        cpu.current = t;
        this.steps++;
        n++;
        if (this.traceLines !== null) this.record('run', t, '');
        this.runThread(t);
      }
    } catch (error) {
      // Only greenkernel's own invariants can escape execute(): the kernel is no longer sound.
      this.panic(error);
    } finally {
      cpu.current = outer;
    }
    return n;
  }

  /**
   * Runs `t` until it blocks, yields or exits, handling calls and returns between its frames.
   * The common outcomes of the first resume (a bare yield, a block) are handled right here,
   * without the frame-stack loop: that is the whole switch path.
   */
  private runThread(t: Thread): void {
    if ((t.flags & F_KILL_PENDING) !== 0) {
      t.flags = (t.flags & ~F_KILL_PENDING) | F_UNWINDING;
      t.unwindDepth = t.depth;
      return this.execute(t, RESUME_RETURN, undefined);
    }
    let r: IteratorResult<Yielded, unknown>;
    try {
      r = t.top!.next();
    } catch (error) {
      return this.execute(t, AFTER_THROW, error);
    }
    if (r.done !== true) {
      const yielded = r.value;
      if (yielded === undefined && t.opState === OP_IDLE) {
        this.runq.enqueue(t);
        return;
      }
      if (yielded === BLOCK_MARK) {
        // The primitive queued the thread and set its state; a self-wake never reaches here.
        assert(t.opState === OP_BLOCKED && t.state === S_BLOCKED, 'a thread yields BLOCK only from a blocking operation');
        return;
      }
    }
    this.execute(t, AFTER_RESULT, r);
  }

  /**
   * The general case of runThread: starts by handling `payload` (a result of the top frame, an
   * error it threw) or by resuming it as `mode` says, then loops over calls and returns.
   */
  private execute(t: Thread, mode: number, payload: unknown): void {
    let frame = t.top!;
    // No step limit here: a thread runs until it yields, as in any cooperative kernel. Each
    // iteration is one resume of one frame; calls and returns are the only loops back.
    for (;;) {
      let r: IteratorResult<Yielded, unknown>;
      if (mode === AFTER_RESULT) {
        r = payload as IteratorResult<Yielded, unknown>;
      } else {
        try {
          if (mode === RESUME_NEXT) r = frame.next();
          else if (mode === RESUME_RETURN) r = frame.return(undefined);
          else if (mode === RESUME_THROW) r = frame.throw(payload);
          else throw payload; // AFTER_THROW
        } catch (error) {
          if (t.opState !== OP_IDLE) this.abandonedOperation(t);
          if ((t.flags & F_UNWINDING) !== 0) this.warn(`${t}: error while unwinding after kill: ${String(error)}`);
          if (!t.popFrame()) return this.exit(t, F_THREW, error);
          frame = t.top!;
          mode = this.resumeModeAfterPop(t);
          t.opState = OP_FAIL;
          t.opValue = error;
          continue;
        }
      }
      mode = RESUME_NEXT;
      if (r.done === true) {
        if (t.opState !== OP_IDLE) {
          // Returned with an operation created but never yielded: that frame failed.
          payload = this.misuse(t, undefined, true);
          mode = AFTER_THROW;
          continue;
        }
        if (!t.popFrame()) return this.exit(t, F_RETURNED, r.value);
        frame = t.top!;
        mode = this.resumeModeAfterPop(t);
        t.opState = OP_READY;
        t.opValue = r.value;
        continue;
      }
      const yielded = r.value;
      if (yielded === BLOCK_MARK) {
        assert(t.opState === OP_BLOCKED && t.state === S_BLOCKED, 'a thread yields BLOCK only from a blocking operation');
        return;
      }
      if (yielded === CALL_MARK) {
        if (t.depth >= this.maxCallDepth) {
          // Refused at the caller's `yield* call(...)`; the callee never started.
          t.opState = OP_FAIL;
          t.opValue = new LimitExceededError(`${t}: call depth would exceed maxCallDepth=${this.maxCallDepth} (runaway recursion?)`);
          continue;
        }
        const callee = t.opValue as Routine;
        t.opState = OP_IDLE;
        t.opValue = undefined;
        t.pushFrame(callee);
        frame = callee;
        continue;
      }
      if (yielded === undefined && t.opState === OP_IDLE) {
        this.runq.enqueue(t);
        return;
      }
      payload = this.misuse(t, yielded);
      mode = RESUME_THROW;
    }
  }

  /**
   * How to continue a caller whose callee frame just ended. Unwinding after a kill, a frame that
   * was suspended when the kill came is returned from (its finally blocks run); a frame that a
   * finally block called since then runs normally, so its caller — that finally block — gets
   * its result or error at the `yield* call(...)` and goes on to its end.
   */
  private resumeModeAfterPop(t: Thread): number {
    if ((t.flags & F_UNWINDING) === 0) return RESUME_NEXT;
    const depth = t.depth;
    if (depth >= t.unwindDepth) return RESUME_NEXT;
    t.unwindDepth = depth;
    return RESUME_RETURN;
  }

  /**
   * A thread yielded something other than an operation, or yielded while an operation it created
   * was not yielded. Cleans up and returns the error to throw at its `yield`.
   */
  private misuse(t: Thread, yielded: unknown, returned = false): OperationMisuseError {
    const pending = t.opState !== OP_IDLE;
    if (pending) this.abandonedOperation(t);
    return new OperationMisuseError(
      pending
        ? `thread ${t} ${returned ? 'returned' : 'yielded'} while an operation was not yielded: write \`yield* op\` where the operation is created`
        : `thread ${t} yielded ${describeValue(yielded)}; yield nothing (to give up the processor) or yield* an operation`,
    );
  }

  /** @internal The running thread `t` created an operation and never yielded it: undo its wait. */
  abandonedOperation(t: Thread): void {
    assert(t === cpu.current, 'only the running thread abandons an operation');
    if (t.state === S_BLOCKED) {
      this.cancelWait(t);
      t.state = S_RUNNABLE; // running again: see dispatchLoop
    } else {
      this.revokeUnseenGrant(t); // an uncontended lock is rolled back like a contended one
    }
    t.finishOp();
    t.opValue = undefined;
    t.waitOn = null;
    this.warn(`${t}: an operation was created but never yielded`);
  }

  private exit(t: Thread, how: number, value: unknown): void {
    assert(t === cpu.current && t.state === S_RUNNABLE && t.depth === 0, 'a thread exits from its last frame while running');
    const held = t.held === null || t.held.length === 0 ? NOTHING_HELD : t.held.map((r) => `${r.resourceKind} ${r.name}`);
    if ((t.flags & F_UNWINDING) !== 0) {
      how = F_KILLED;
      value = new ThreadKilledError(t.toString(), String(t.result), held);
    }
    if (held.length > 0) {
      this.warn(`${t} exited holding ${held.join(', ')}`);
      if (log.enabled) log('%s: %s exited holding %o', this.name, t.toString(), held);
    }
    t.flags |= how;
    t.result = value;
    t.state = S_EXITED;
    t.clearFrames();
    this.forget(t);
    if ((t.flags & F_DAEMON) === 0) this.liveUserThreads--;
    if (this.traceLines !== null) this.record('exit', t, how === F_RETURNED ? 'returned' : how === F_THREW ? 'threw' : 'killed');
    const joiners = t.joiners;
    if (joiners !== null && joiners.length > 0) {
      for (let j = joiners.popFront(); j !== null; j = joiners.popFront()) {
        if (how === F_RETURNED) this.wake(j, value);
        else this.wakeWithError(j, value);
      }
    } else if (how === F_THREW) {
      t.failureEpoch = this.failureEpoch;
      if (this.unjoinedFailures.size < MAX_UNJOINED_FAILURES) this.unjoinedFailures.set(t, value);
      else this.unjoinedDropped++;
      if (log.enabled) log('%s: %s threw with nobody joining: %O', this.name, t.toString(), value);
    }
  }

  /** Removes exited `t` from the live table in O(1): the last thread takes its place. */
  private forget(t: Thread): void {
    const i = t.liveIndex;
    assert(this.live[i] === t, 'live table index out of sync');
    const last = this.live.pop()!;
    if (last !== t) {
      this.live[i] = last;
      last.liveIndex = i;
    }
    t.liveIndex = -1;
  }

  private observeFailure(t: Thread): void {
    if (t.failureEpoch !== this.failureEpoch) return; // joined already, or reported by a finished run()
    t.failureEpoch = 0;
    if (!this.unjoinedFailures.delete(t)) this.unjoinedDropped--; // it was counted, not kept
    assert(this.unjoinedDropped >= 0, 'unjoined failures: a dropped one was counted');
  }

  /** @internal Failed threads nobody joined yet, in failure order (for reports). */
  get unjoined(): { thread: Thread; error: unknown }[] {
    return [...this.unjoinedFailures].map(([thread, error]) => ({ thread, error }));
  }

  // ---------------------------------------------------------------- running to completion

  /**
   * Runs until every non-daemon thread has exited, letting the host event loop turn between
   * slices and while host calls are in flight. Rejects with StallError when threads remain but
   * nothing can ever wake them, with UnjoinedThreadError when threads failed with nobody joining
   * them, and with the detector's error on a deadlock in 'fail' mode.
   *
   * @example
   * const kernel = new Kernel();
   * kernel.spawn(function* () { yield* sleep(100); });
   * await kernel.run(); // { steps: 2, time: 100 }
   */
  async run(): Promise<RunResult> {
    this.enterRun();
    const startSteps = this.steps;
    try {
      for (;;) {
        if (this.steps - startSteps >= this.maxSteps) throw this.limitError();
        this.runSlice();
        this.throwIfFatal();
        if (this.liveUserThreads === 0) break;
        if (!this.runq.empty) {
          await turnHostEventLoop();
          continue;
        }
        if (this.clock === 'real' && this.timers.size > 0) {
          this.fireDueTimers();
          if (!this.runq.empty) continue;
        }
        if (this.hostPending > 0 || (this.clock === 'real' && this.timers.size > 0)) {
          await this.waitForHost();
          continue;
        }
        if (this.clock === 'virtual' && this.advanceTime()) continue;
        throw this.stallError();
      }
      return this.finish(startSteps);
    } finally {
      this.running = false;
    }
  }

  /**
   * Virtual clock only: like run(), synchronously. Throws if progress needs a host call.
   *
   * @example
   * kernel.spawn(function* () { yield* sleep(5); });
   * kernel.runSync(); // { steps: 2, time: 5 }
   */
  runSync(): RunResult {
    if (this.clock !== 'virtual') throw new InvalidArgumentError('runSync() needs the virtual clock; use run()');
    this.enterRun();
    const startSteps = this.steps;
    try {
      for (;;) {
        if (this.steps - startSteps >= this.maxSteps) throw this.limitError();
        this.runSlice();
        this.throwIfFatal();
        if (this.liveUserThreads === 0) break;
        if (!this.runq.empty) continue;
        if (this.hostPending > 0) throw new InvalidArgumentError(`${this.name}: threads wait for host calls; use run(), not runSync()`);
        if (this.advanceTime()) continue;
        throw this.stallError();
      }
      return this.finish(startSteps);
    } finally {
      this.running = false;
    }
  }

  private enterRun(): void {
    if (this.running) throw new InvalidArgumentError(`${this.name}: run() is already in progress`);
    this.refuseOwnThread('run()');
    this.running = true;
  }

  /** One slice: dispatches until idle, the slice ends, or the last non-daemon thread exits. */
  private runSlice(): void {
    this.dispatchLoop(this.sliceSteps, true);
  }

  private finish(startSteps: number): RunResult {
    if (this.unjoinedFailures.size > 0 || this.unjoinedDropped > 0) {
      const error = this.reporter.unjoinedError(this, this.unjoined, this.unjoinedDropped);
      // Reported now, as a join would: a later join of one of them changes no count.
      this.failureEpoch++;
      this.unjoinedFailures.clear();
      this.unjoinedDropped = 0;
      throw error;
    }
    return { steps: this.steps - startSteps, time: this.now() };
  }

  private throwIfFatal(): void {
    if (this.fatal === undefined) return;
    const error = this.fatal;
    this.fatal = undefined;
    throw error;
  }

  private limitError(): LimitExceededError {
    return new LimitExceededError(`${this.name}: run exceeded maxSteps=${this.maxSteps} (livelock?)`);
  }

  /** The error run() rejects with when nothing can ever run again. */
  private stallError(): Error {
    const blocked = this.threads.filter((t) => t.state === S_BLOCKED);
    return this.reporter.stallError(this, blocked, this.unjoined);
  }

  /** Waits until a host call settles, or (real clock) the next timer is due. */
  private waitForHost(): Promise<void> {
    return new Promise<void>((resolve) => {
      let cancelTimer: (() => void) | null = null;
      const done = (): void => {
        if (cancelTimer !== null) cancelTimer();
        this.hostSignal = null;
        resolve();
      };
      this.hostSignal = done;
      if (this.clock === 'real' && this.timers.size > 0) {
        cancelTimer = afterHostDelay(Math.max(0, this.timers.nextDeadline() - this.now()), done);
      }
    });
  }

  // ---------------------------------------------------------------- observation

  /**
   * The schedule trace: one line per event (`step time event thread detail`). Identical for
   * two runs of the same program with the same seed. Empty unless created with `trace: true`.
   *
   * @example
   * const a = new Kernel({ seed: 3, policy: 'random', trace: true }); // ...run...
   * a.trace === b.trace; // same seed, same program
   */
  get trace(): string {
    return this.traceKept.join('\n');
  }

  /**
   * A human-readable dump of every live thread (like a Go goroutine dump).
   *
   * @example
   * console.log(kernel.dump());
   */
  dump(): string {
    return this.reporter.dump(this, this.threads);
  }

  private record(event: string, t: Thread, detail: string): void {
    const lines = this.traceLines!;
    if (lines.length >= this.maxTraceLines) {
      lines.push(`${this.steps} ${this.now()} trace-stopped maxTraceLines=${this.maxTraceLines} reached; later events are not recorded`);
      this.warn(`${this.name}: the trace stopped at step ${this.steps} (maxTraceLines=${this.maxTraceLines})`);
      this.traceLines = null;
      return;
    }
    lines.push(`${this.steps} ${this.now()} ${event} ${t.name}#${t.id}${detail === '' ? '' : ' ' + detail}`);
  }
}

function checkOptionsObject(options: unknown, what: string): void {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`${what}: options must be an object, got ${String(options)}`);
}

function positiveInt(n: number, what: string): number {
  if (!(Number.isInteger(n) && n > 0)) throw new InvalidArgumentError(`${what} must be a positive integer, got ${n}`);
  return n;
}

function describeValue(v: unknown): string {
  if (v !== null && typeof v === 'object' && typeof (v as Promise<unknown>).then === 'function') return 'a Promise (use yield* hostcall(promise))';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function turnHostEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

