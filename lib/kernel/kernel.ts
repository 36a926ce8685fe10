/**
 * Kernel: one scheduler multiplexing green threads on the host's JavaScript thread.
 *
 * Interface: spawn, run (async), runSync, shutdown, hostSource, step, runUntilIdle, advanceTime,
 * kill, now, trace, dump, extension slots; and, internal to the core, the block/wake interface that waits.ts
 * offers primitives. The dispatch loop is in dispatch.ts, run() in runloop.ts, the options,
 * hooks and reporter in options.ts.
 * Invariants (checked with assert where cheap):
 *  - at most one thread of the whole process is RUNNING, and it is cpu.current;
 *  - a thread is in exactly one place: the run queue (RUNNABLE), a resource's wait queue or a
 *    timer/host wait (BLOCKED), executing (RUNNING), or nowhere (EXITED);
 *  - `liveUserThreads` counts non-daemon threads not yet exited; run() settles when it is 0;
 *  - virtual time never moves while a thread is runnable (as in Go's synctest), so the same
 *    program and seed give the same schedule, trace and time, byte for byte.
 * Many kernels can live in one process; each owns its threads, timers and resources.
 */
import { dispatchLoop } from './dispatch.ts';
import { InvalidArgumentError, LimitExceededError } from './errors.ts';
import { abandonOperation, advanceVirtualTime, joinThread, killThread } from './lifecycle.ts';
import { cpu, startRoutine, type Operation, type Routine } from './operation.ts';
import {
  MAX_WARNINGS,
  PLAIN_REPORTER,
  checkedCoreOptions,
  checkSpawnOptions,
  type ClockMode,
  type CoreLimits,
  type KernelCoreOptions,
  type KernelHooks,
  type KernelReporter,
  type KernelSlot,
  type RunOptions,
  type RunResult,
  type SpawnOptions,
} from './options.ts';
import { SeededRandom, streamRandom } from './random.ts';
import { PRIORITY_LEVELS, RunQueue } from './runqueue.ts';
import {
  refuseOwnThread,
  requestShutdown,
  runToCompletion,
  runToCompletionSync,
} from './runloop.ts';
import { HostSource, type HostSourceOptions } from './source.ts';
import type { SchedulingStrategy } from './strategy.ts';
import { F_DAEMON, F_KERNEL, Thread } from './thread.ts';
import { TimerHeap } from './timers.ts';
import { EV_SPAWN, TraceBuffer } from './trace.ts';

export { KernelSlot, MAX_UNJOINED_FAILURES } from './options.ts';
export type {
  ClockMode,
  KernelCoreOptions,
  KernelHooks,
  KernelReporter,
  LockMode,
  RunOptions,
  RunResult,
  SpawnOptions,
} from './options.ts';

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
  /**
   * Chooses the next thread at every scheduling point when set (see strategy.ts; the schedule
   * explorer installs one); null: the `policy` option decides. Read when a run, step or slice
   * starts.
   */
  strategy: SchedulingStrategy | null = null;
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

  /** @internal */ readonly runq: RunQueue;
  /** @internal */ readonly timers = new TimerHeap();
  /** Live threads, unordered (swap-removal keeps exit O(1)); `threads` sorts by id. */
  /** @internal */ readonly live: Thread[] = [];
  /** @internal */ liveUserThreads = 0;
  /** @internal */ nextThreadId = 1;
  /** @internal */ hostPending = 0;
  /** @internal */ virtualNow = 0;
  /** @internal */ readonly realStart = performance.now();
  /** The trace being recorded: null while tracing is off, or after it stopped at maxTraceLines. */
  /** @internal */ tracer: TraceBuffer | null = null;
  /** Every line recorded, kept after tracing stops. */
  /** @internal */ traceKept: TraceBuffer | null = null;
  /** @internal The checked limits (options.ts). */ readonly limits: CoreLimits;
  /** Failed threads nobody joined, in failure order (a Map: a join forgets one in O(1)). */
  /** @internal */ readonly unjoinedFailures = new Map<Thread, unknown>();
  /** @internal */ unjoinedDropped = 0;
  /** Bumped when run() reports the unjoined failures: older ones are no longer counted. */
  /** @internal */ failureEpoch = 1;
  /** @internal */ fatal: unknown = undefined;
  /** @internal */ running = false;
  /** @internal */ hostSignal: (() => void) | null = null;
  /** @internal Open host sources: each keeps run() waiting for the host. */ readonly sources =
    new Set<HostSource<unknown>>();
  /** @internal Why it is shutting down, or null. */ stopReason: string | null = null;

  /**
   * @example
   * const kernel = new Kernel({ seed: 7, policy: 'random', trace: true });
   */
  constructor(options: KernelCoreOptions = {}) {
    const o = checkedCoreOptions(options);
    this.name = o.name;
    this.seed = o.seed;
    this.clock = o.clock;
    this.runq = new RunQueue(o.policy === 'random' ? new SeededRandom(this.seed) : null);
    this.limits = o.limits;
    if (options.trace === true) this.tracing = true;
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

  /**
   * A component's own random stream, from the seed and `stream`: it never moves the schedule.
   *
   * @example
   * const rng = kernel.random('disk0'); rng.below(100);
   */
  random(stream: string): SeededRandom {
    return streamRandom(this.seed, stream);
  }

  // ---------------------------------------------------------------- threads

  /**
   * Creates a runnable thread running `body`. Callable from the host or from a thread.
   *
   * @example
   * const t = kernel.spawn(function* producer() { yield; return 1; }, { kind: 'kernel', priority: 4 });
   */
  spawn<T>(body: () => Routine<T>, options: SpawnOptions = {}): Thread<T> {
    if (typeof body !== 'function')
      throw new InvalidArgumentError('spawn(body): body must be a generator function');
    checkSpawnOptions(options, PRIORITY_LEVELS);
    const priority = options.priority ?? 0;
    if (this.live.length >= this.limits.maxThreads)
      throw new LimitExceededError(
        `${this.name}: more than ${this.limits.maxThreads} live threads`,
      );
    const routine = startRoutine(body, 'spawn(body)');
    const flags =
      (options.kind === 'kernel' ? F_KERNEL : 0) | (options.daemon === true ? F_DAEMON : 0);
    const id = this.nextThreadId++;
    const name = options.name ?? (body.name !== '' ? body.name : 'thread');
    const t = new Thread<T>(this, id, name, routine as Routine, flags, priority);
    t.liveIndex = this.live.length;
    this.live.push(t as Thread);
    if ((flags & F_DAEMON) === 0) this.liveUserThreads++;
    this.runq.enqueue(t as Thread);
    if (this.tracer !== null) this.record(EV_SPAWN, t as Thread, 0, null);
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

  /** Host sources open (see hostSource). */
  get openSources(): HostSource<unknown>[] {
    return [...this.sources];
  }

  /**
   * Opens an interrupt line from the host (source.ts): the host `deliver()`s, threads take
   * with `yield* source.next()`; until it is closed run() waits for the host, not a stall
   * (refused while the kernel shuts down).
   *
   * @example
   * const irq = kernel.hostSource<Request>('http'); server.on('request', (r) => irq.deliver(r));
   */
  hostSource<T = void>(name: string, options?: HostSourceOptions): HostSource<T> {
    return new HostSource<T>(this, name, options);
  }

  /**
   * Stops the run in progress: closes every source, kills every thread (daemons too; a calling
   * thread when the slice ends), each unwinding through its finally blocks; run() settles with
   * `{ ..., shutdown: reason }`. Again while stopping: nothing; with no run pending: EINVAL.
   *
   * @example
   * process.once('SIGTERM', () => kernel.shutdown('SIGTERM'));
   */
  shutdown(reason = 'shutdown'): void {
    requestShutdown(this, reason);
  }

  /** Armed timers (sleeps and wait timeouts). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Runnable threads (counted, O(runnable): for reports and tests, not for a hot loop). */
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
    killThread(this, t, reason);
  }

  /** @internal join(): see Thread.join. */
  join(target: Thread, timeoutMs: number | undefined): Operation<unknown> {
    return joinThread(this, target, timeoutMs);
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
    return advanceVirtualTime(this);
  }

  // ---------------------------------------------------------------- waking run() (the wait/wake interface is in waits.ts)

  /**
   * A thread became runnable from host code (a callback, an interrupt, another kernel's
   * thread): an idle run() must look again. Inside this kernel's own dispatch, run() is busy
   * and will see the thread anyway, so the common path costs one compare.
   */
  /** @internal */
  pokeIfOutside(): void {
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
    if (this.fatal === undefined || (replacing !== undefined && this.fatal === replacing))
      this.fatal = error;
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
    refuseOwnThread(this, 'step()');
    return dispatchLoop(this, 1, false) === 1;
  }

  /**
   * Steps until no thread is runnable or `maxSteps` dispatches were made; does not move time.
   * Returns the number of dispatches made.
   *
   * @example
   * kernel.runUntilIdle(1000);
   */
  runUntilIdle(maxSteps = this.limits.maxSteps): number {
    refuseOwnThread(this, 'runUntilIdle()');
    return dispatchLoop(this, maxSteps, false);
  }

  /** @internal The running thread `t` created an operation and never yielded it: undo it. */
  abandonedOperation(t: Thread): void {
    abandonOperation(this, t);
  }

  /** @internal Failed threads nobody joined yet, in failure order (for reports). */
  get unjoined(): { thread: Thread; error: unknown }[] {
    return [...this.unjoinedFailures].map(([thread, error]) => ({ thread, error }));
  }

  // ---------------------------------------------------------------- running to completion

  /**
   * Runs until every non-daemon thread has exited (after shutdown: every thread), letting the
   * host event loop turn. Rejects with StallError when nothing can ever wake the threads left
   * (HostStallError: the event loop emptied under host calls or sources), UnjoinedThreadError,
   * or the detector's error. Aborting `signal` shuts the kernel down (see shutdown).
   *
   * @example
   * const kernel = new Kernel();
   * kernel.spawn(function* () { yield* sleep(100); });
   * await kernel.run({ signal: AbortSignal.timeout(60_000) }); // { steps: 2, time: 100 }
   */
  run(options?: RunOptions): Promise<RunResult> {
    return runToCompletion(this, options);
  }

  /**
   * Virtual clock only: like run(), synchronously. Throws if progress needs a host call.
   *
   * @example
   * kernel.spawn(function* () { yield* sleep(5); });
   * kernel.runSync(); // { steps: 2, time: 5 }
   */
  runSync(): RunResult {
    return runToCompletionSync(this);
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
    return this.traceKept === null ? '' : this.traceKept.lines().join('\n');
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

  /**
   * Whether the schedule trace is being recorded: on from the start with `trace: true`, and
   * switchable at any time (recording costs a few array writes per event; see trace.ts).
   *
   * @example
   * kernel.tracing = true; kernel.runSync(); console.log(kernel.trace);
   */
  get tracing(): boolean {
    return this.tracer !== null;
  }
  set tracing(on: boolean) {
    if (!on) {
      this.tracer = null;
      return;
    }
    this.traceKept ??= new TraceBuffer(this.limits.maxTraceLines);
    if (!this.traceKept.full) this.tracer = this.traceKept;
  }

  /** @internal Records an event (tracing is on: callers test `tracer !== null` first). */
  record(event: number, t: Thread, arg: number, ref: unknown): void {
    if (this.tracer!.record(this.steps, this.now(), event, t, arg, ref)) return;
    this.tracer = null;
    this.warn(
      `${this.name}: the trace stopped at step ${this.steps} (maxTraceLines=${this.limits.maxTraceLines})`,
    );
  }
}
