/**
 * The kernel's options, hooks, reporter and extension slots: what the core offers the layers
 * above it (the detector installs hooks, the report layer a reporter, primitives keep
 * per-kernel state in slots), and the defaults and checks of its options.
 *
 * Interface: KernelCoreOptions, SpawnOptions, RunOptions, RunResult, ClockMode, LockMode, KernelHooks,
 * KernelReporter, PLAIN_REPORTER, KernelSlot, the default limits, checkedCoreOptions,
 * checkOptionsObject, positiveInt.
 * Invariant: nothing here imports a layer above the kernel.
 */
import { GreenkernelError, InvalidArgumentError, describeError } from './errors.ts';
import type { KernelCore } from './kernel.ts';
import type { Thread, ThreadKind, Waitable } from './thread.ts';
import type { WaitKindId } from './waitkind.ts';

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
  /** Present when the run ended by kernel.shutdown(reason) or its AbortSignal: the reason. */
  shutdown?: string;
}

/** Options of run(). */
export interface RunOptions {
  /** Aborting it shuts the kernel down, as kernel.shutdown(reason) does. */
  signal?: AbortSignal;
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
  beforeBlock?(
    t: Thread,
    resource: Waitable | null,
    kind: WaitKindId,
    timeoutMs: number | undefined,
  ): void;
  /**
   * The running thread `t` requests `lock` (before it is acquired or waited for); `t.held`
   * lists what it already holds. `trylock` requests never wait. `subclass` is the nesting
   * level a `Mutex.lockNested` declares (absent or 0: none). May throw to refuse.
   */
  beforeLock?(t: Thread, lock: Waitable, mode: LockMode, trylock: boolean, subclass?: number): void;
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
  stallError(
    kernel: KernelCore,
    blocked: readonly Thread[],
    failures: readonly { thread: Thread; error: unknown }[],
  ): Error;
  /**
   * The error run() rejects with when Node's event loop emptied while it waited for host calls
   * or sources that nothing in the process can settle any more (threads of `blocked` wait).
   */
  hostStallError(
    kernel: KernelCore,
    blocked: readonly Thread[],
    failures: readonly { thread: Thread; error: unknown }[],
  ): Error;
  /** The error run() rejects with when threads failed with nobody joining them. */
  unjoinedError(
    kernel: KernelCore,
    failures: readonly { thread: Thread; error: unknown }[],
    dropped: number,
  ): Error;
  /** kernel.dump(). */
  dump(kernel: KernelCore, threads: readonly Thread[]): string;
  /**
   * A `call`ed frame of `thread` threw `error` and its callers are still suspended: add their
   * positions to the error (its JavaScript stack shows only the innermost generator). Cold path:
   * called once per throw out of a called frame, never on the switch path.
   */
  callerFrames?(kernel: KernelCore, thread: Thread, error: unknown): void;
}

/** The reporter of a kernel nobody gave one (the core alone): plain errors, one line a thread. */
export const PLAIN_REPORTER: KernelReporter = {
  stallError: (k, blocked) =>
    new GreenkernelError(
      'ESTALL',
      `${k.name}: ${blocked.length} thread(s) blocked, nothing runnable, no timer, no host call in flight, no host source open: ${blocked.join(', ')}`,
    ),
  hostStallError: (k, blocked) =>
    new GreenkernelError(
      'ESTALL',
      `${k.name}: the event loop is empty: these host calls can never settle (${k.hostPending} in flight, ${k.sources.size} source(s) open); blocked: ${blocked.join(', ')}`,
    ),
  unjoinedError: (k, failures, dropped) =>
    new GreenkernelError(
      'ETHREAD',
      `${k.name}: ${failures.length + dropped} thread(s) failed with nobody joining them: ${failures.map((f) => `${f.thread}: ${describeError(f.error)}`).join('; ')}`,
    ),
  dump: (_k, threads) =>
    threads
      .map((t) => `${t} ${t.stateName}${t.waitKind === null ? '' : ` on ${t.waitKind}`}`)
      .join('\n'),
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

export const DEFAULT_MAX_STEPS = 1e9;
export const DEFAULT_SLICE = 10_000;
export const MAX_WARNINGS = 10_000;
/**
 * Failed threads nobody has joined yet, kept for run()'s UnjoinedThreadError and stall reports;
 * past this many they are counted, not kept (a long-running kernel must not grow without limit).
 */
export const MAX_UNJOINED_FAILURES = 1000;
/**
 * The kernel's options checked, with their defaults: a bad one is refused (EINVAL) before the
 * kernel exists.
 *
 * @example
 * const o = checkedCoreOptions({ seed: 7 }); // o.policy === 'fifo'
 */
export function checkedCoreOptions(options: KernelCoreOptions) {
  checkOptionsObject(options, 'new Kernel(options)');
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed))
    throw new InvalidArgumentError(`seed must be a safe integer, got ${String(seed)}`);
  const clock = options.clock ?? 'virtual';
  if (clock !== 'virtual' && clock !== 'real')
    throw new InvalidArgumentError(`clock must be 'virtual' or 'real', got ${String(clock)}`);
  const policy = options.policy ?? 'fifo';
  if (policy !== 'fifo' && policy !== 'random')
    throw new InvalidArgumentError(`policy must be 'fifo' or 'random', got ${String(policy)}`);
  return {
    name: options.name ?? 'kernel',
    seed,
    clock,
    policy,
    limits: {
      maxTraceLines: positiveInt(options.maxTraceLines ?? 1e6, 'maxTraceLines'),
      maxSteps: positiveInt(options.maxSteps ?? DEFAULT_MAX_STEPS, 'maxSteps'),
      sliceSteps: positiveInt(options.sliceSteps ?? DEFAULT_SLICE, 'sliceSteps'),
      maxThreads: positiveInt(options.maxThreads ?? 10_000_000, 'maxThreads'),
      maxCallDepth: positiveInt(options.maxCallDepth ?? 100_000, 'maxCallDepth'),
    } satisfies CoreLimits,
  };
}

/** A kernel's checked limits (each a positive integer; see KernelCoreOptions for meanings). */
export interface CoreLimits {
  readonly maxTraceLines: number;
  readonly maxSteps: number;
  readonly sliceSteps: number;
  readonly maxThreads: number;
  readonly maxCallDepth: number;
}

export function checkOptionsObject(options: unknown, what: string): void {
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError(`${what}: options must be an object, got ${String(options)}`);
}

export function positiveInt(n: number, what: string): number {
  if (!(Number.isInteger(n) && n > 0))
    throw new InvalidArgumentError(`${what} must be a positive integer, got ${n}`);
  return n;
}

/**
 * Checks spawn()'s options before anything is created (allocation-free: spawn is a hot path):
 * a priority in [0, levels), a kind of 'kernel' or 'user'.
 *
 * @example
 * checkSpawnOptions({ kind: 'kernel', priority: 4 }, PRIORITY_LEVELS);
 */
export function checkSpawnOptions(options: SpawnOptions, levels: number): void {
  checkOptionsObject(options, 'spawn(body, options)');
  const priority = options.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority >= levels) {
    throw new InvalidArgumentError(
      `priority must be an integer in [0, ${levels - 1}], got ${priority}`,
    );
  }
  const kind = options.kind ?? 'user';
  if (kind !== 'kernel' && kind !== 'user')
    throw new InvalidArgumentError(`kind must be 'kernel' or 'user', got ${String(kind)}`);
}
