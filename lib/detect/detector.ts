/**
 * The deadlock detector: installs the cycle check and the lock-order validator on a kernel,
 * and decides what a finding does (the policy). What a finding looks like — a report, an
 * error — is the report layer's: it passes a FindingSink (lib/report/findings.ts), so this
 * layer never imports it.
 *
 * Interface: `installDetector(kernel, settings, sink)`, `resolveDetection(options)`,
 * `detectorOf(kernel)`, `detectionSettings(kernel)`, `Detector`, `FindingSink`.
 *
 * Switches (DetectionOptions; `detection: false` turns everything off):
 *  - `cycles`: 'fail' (default) — the run fails with DeadlockError (kernel.panic) as soon as a
 *    wait closes a wait-for cycle; 'error' — the thread whose wait would close the cycle gets
 *    DeadlockError (EDEADLK) thrown at its `yield*` and is not queued; 'warn' — the report is
 *    kept (detectionReports, kernel.warnings) and the run goes on (to a stall, usually); 'off'.
 *  - `lockOrder`: 'fail' (panic with LockOrderError), 'warn', or 'off'. Default: 'fail' when
 *    NODE_ENV is 'test' (ava sets it), else 'off'.
 *  - Environment overrides of the defaults (explicit options win): GREENKERNEL_DEADLOCK =
 *    off|warn|error|fail, GREENKERNEL_LOCKDEP = off|warn|fail.
 *  - `lockClass`: 'name' (default: kind and name), 'site' (creation site), or a function;
 *    `backtraces` (default true).
 * Invariants: hooks are installed only for what is on, so a switched-off check costs nothing;
 * a cycle through a timed wait (an owner blocked with a timeout) is not a deadlock and is not
 * reported, nor is one closed by a thread's own timed wait; a cycle that closes without a block
 * (a condvar signal moving its waiter onto a held mutex, a holder declared late) is reported
 * when it closes, through the kernel's waitChanged hook, failing the run; every finding is also
 * kept, in order, in Detector.reports (at most MAX_DETECTION_REPORTS; the rest are counted).
 * Debug output: namespace greenkernel:deadlock.
 */
import createDebug from 'debug';
import { InvalidArgumentError } from '../kernel/errors.ts';
import { KernelSlot, type KernelCore as Kernel } from '../kernel/kernel.ts';
import { LockValidator, classBySite, recordLockSites, type LockOrderReport } from './lockdep.ts';

/** A kernel that classes locks by site stops the recording when it is collected. */
const siteRecordingOwners = new FinalizationRegistry<() => void>((stop) => stop());
import {
  MANY_OWNERS,
  S_BLOCKED,
  type StackFrame,
  type Thread,
  type Waitable,
} from '../kernel/thread.ts';
import { isOwnerless, type WaitKindId } from '../kernel/waitkind.ts';
import { cycleThrough, soleOwner, type Cycle } from './waitgraph.ts';

const log = createDebug('greenkernel:deadlock');

export type CycleMode = 'off' | 'warn' | 'error' | 'fail';
export type LockOrderMode = 'off' | 'warn' | 'fail';

/** KernelOptions.detection. Every field is optional; see the module comment for defaults. */
export interface DetectionOptions {
  cycles?: CycleMode;
  lockOrder?: LockOrderMode;
  /**
   * Lock classes for lock-order validation: 'name' (default: kind and name), 'site' (where the
   * lock was created; locks created before this kernel are classed by name), or a function.
   */
  lockClass?: 'name' | 'site' | ((lock: Waitable) => string);
  /** Include backtraces in reports (cold path). Default true. */
  backtraces?: boolean;
}

/** The settings in force after defaults. */
export interface ResolvedDetection {
  readonly cycles: CycleMode;
  readonly lockOrder: LockOrderMode;
  readonly lockClass: ((lock: Waitable) => string) | undefined;
  readonly backtraces: boolean;
}

/** What the detector makes of a finding, through its sink: a record to keep, the error to raise, one line. */
export interface Finding<R> {
  readonly record: R;
  readonly error: Error;
  readonly summary: string;
}

/** Turns findings into records and errors (the report layer's FindingSink makes reports). */
export interface FindingSink<R> {
  /** `thread`'s wait closed `cycle` (first step: `thread`); `lockOrder`: the inversion that request showed. */
  deadlock(
    kernel: Kernel,
    f: { thread: Thread; cycle: Cycle; lockOrder: LockOrderReport | null; note: string },
  ): Finding<R>;
  /** `thread`'s lock request showed a lock-order inversion. */
  lockOrder(
    kernel: Kernel,
    f: { thread: Thread; inversion: LockOrderReport; note: string },
  ): Finding<R>;
  /** The backtrace recorded with a new lock-order edge (when backtraces are on). */
  backtraceOf(t: Thread): StackFrame[];
}

const DETECTOR = new KernelSlot<Detector<unknown>>('detector');
/** Findings kept per kernel (3 KB or more each); past this many they are counted, not kept. */
export const MAX_DETECTION_REPORTS = 1000;
const CYCLE_MODES: readonly string[] = ['off', 'warn', 'error', 'fail'];
const ORDER_MODES: readonly string[] = ['off', 'warn', 'fail'];

/**
 * Settings after defaults and environment overrides.
 *
 * @example
 * resolveDetection({}).cycles; // 'fail'
 * resolveDetection(false).lockOrder; // 'off'
 */
export function resolveDetection(options: DetectionOptions | false | undefined): ResolvedDetection {
  if (options === false)
    return { cycles: 'off', lockOrder: 'off', lockClass: undefined, backtraces: true };
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError(
      `detection must be an object of settings, or false to switch detection off; got ${String(options)}`,
    );
  }
  const o = options ?? {};
  const envCycles = process.env.GREENKERNEL_DEADLOCK;
  const envOrder = process.env.GREENKERNEL_LOCKDEP;
  const cycles =
    o.cycles ??
    (envCycles !== undefined && CYCLE_MODES.includes(envCycles)
      ? (envCycles as CycleMode)
      : 'fail');
  const lockOrder =
    o.lockOrder ??
    (envOrder !== undefined && ORDER_MODES.includes(envOrder)
      ? (envOrder as LockOrderMode)
      : process.env.NODE_ENV === 'test'
        ? 'fail'
        : 'off');
  if (!CYCLE_MODES.includes(cycles))
    throw new InvalidArgumentError(
      `detection.cycles must be one of ${CYCLE_MODES.join(', ')}, got ${String(cycles)}`,
    );
  if (!ORDER_MODES.includes(lockOrder))
    throw new InvalidArgumentError(
      `detection.lockOrder must be one of ${ORDER_MODES.join(', ')}, got ${String(lockOrder)}`,
    );
  const lockClass =
    o.lockClass === 'site' ? classBySite : o.lockClass === 'name' ? undefined : o.lockClass;
  if (lockClass !== undefined && typeof lockClass !== 'function') {
    throw new InvalidArgumentError(
      `detection.lockClass must be 'name', 'site' or a function, got ${String(lockClass)}`,
    );
  }
  return { cycles, lockOrder, lockClass, backtraces: o.backtraces ?? true };
}

/**
 * Installs detection with `settings` on `kernel` (replacing an earlier one, whose findings it
 * keeps); findings go to `sink`. Returns the detector, or null when everything is off.
 *
 * @example
 * installDetector(kernel, resolveDetection({ cycles: 'warn' }), reportFindings);
 */
export function installDetector<R>(
  kernel: Kernel,
  settings: ResolvedDetection,
  sink: FindingSink<R>,
): Detector<R> | null {
  const old = kernel.extension(DETECTOR);
  if (old !== undefined) old.detach();
  if (settings.cycles === 'off' && settings.lockOrder === 'off') {
    kernel.setExtension(DETECTOR, undefined);
    return null;
  }
  const d = new Detector<R>(kernel, settings, sink, (old?.reports ?? []) as R[]);
  kernel.setExtension(DETECTOR, d as Detector<unknown>);
  return d;
}

/**
 * The detector installed on `kernel`, or null (everything off).
 *
 * @example
 * detectorOf(kernel)?.validator?.edges(); // lock-order edges seen so far
 */
export function detectorOf(kernel: Kernel): Detector<unknown> | null {
  return kernel.extension(DETECTOR) ?? null;
}

/**
 * The settings in force on `kernel` (all 'off' when no detector is installed).
 *
 * @example
 * detectionSettings(kernel).lockOrder; // 'fail' under ava
 */
export function detectionSettings(kernel: Kernel): ResolvedDetection {
  return kernel.extension(DETECTOR)?.settings ?? resolveDetection(false);
}

/** Per-kernel detector state. Create it with installDetector (or attachDetection). */
export class Detector<R> {
  readonly validator: LockValidator | null;
  /**
   * Stops site recording, when this detector classes locks by site: sites are recorded for
   * every lock created while it is attached (a lock exists before it meets a kernel).
   */
  private readonly stopSiteRecording: (() => void) | null;
  /** The inversion found by the lock request being made now ('fail' mode), until it blocks or not. */
  private pendingOrder: {
    thread: Thread;
    step: number;
    error: Error;
    inversion: LockOrderReport;
  } | null = null;

  /** @internal */
  constructor(
    private readonly kernel: Kernel,
    readonly settings: ResolvedDetection,
    private readonly sink: FindingSink<R>,
    readonly reports: R[],
  ) {
    const hooks = kernel.hooks;
    if (settings.cycles !== 'off') {
      hooks.beforeBlock = this.beforeBlock;
      hooks.waitChanged = this.waitChanged;
    }
    if (settings.lockOrder !== 'off') {
      const v = new LockValidator({
        ...(settings.lockClass !== undefined ? { classify: settings.lockClass } : {}),
        ...(settings.backtraces ? { backtraceOf: (t: Thread) => sink.backtraceOf(t) } : {}),
        onInversion: (inversion, t) => this.onInversion(inversion, t),
        onFull: (message) => {
          this.kernel.warn(`${this.kernel.name}: ${message}`);
          if (kernel.hooks.beforeLock === v.check) kernel.hooks.beforeLock = undefined;
        },
      });
      this.validator = v;
      hooks.beforeLock = v.check;
    } else {
      this.validator = null;
    }
    if (settings.lockClass === classBySite && settings.lockOrder !== 'off') {
      this.stopSiteRecording = recordLockSites();
      siteRecordingOwners.register(kernel, this.stopSiteRecording, this);
    } else {
      this.stopSiteRecording = null;
    }
  }

  /** Reports made past MAX_DETECTION_REPORTS: counted, not kept. */
  reportsDropped = 0;

  private keep(finding: Finding<R>): void {
    if (this.reports.length < MAX_DETECTION_REPORTS) this.reports.push(finding.record);
    else this.reportsDropped++;
    if (log.enabled) log('%s', finding.error.message);
  }

  /** Removes this detector's hooks. */
  detach(): void {
    const hooks = this.kernel.hooks;
    // Assigned, not deleted: deleting would turn the hooks object into a slow dictionary.
    if (hooks.beforeBlock === this.beforeBlock) hooks.beforeBlock = undefined;
    if (hooks.waitChanged === this.waitChanged) hooks.waitChanged = undefined;
    if (this.validator !== null && hooks.beforeLock === this.validator.check)
      hooks.beforeLock = undefined;
    if (this.stopSiteRecording !== null) {
      this.stopSiteRecording();
      siteRecordingOwners.unregister(this);
    }
  }

  /**
   * The beforeBlock hook (hot: every block). A timed wait ends by itself: never a deadlock.
   * The common case — a mutex whose owner is runnable — returns before any call.
   */
  private readonly beforeBlock = makeBeforeBlock(this as Detector<unknown>);

  /** @internal The slow part of the hook: walk the owner chain. */
  checkBlock(t: Thread, resource: Waitable, kind: WaitKindId): void {
    const cycle = cycleThrough(t, resource, kind);
    if (cycle !== null) this.onCycle(t, cycle);
  }

  /**
   * @internal The waitChanged hook: blocked `t` now waits on `resource` without having blocked
   * again (a condvar waiter moved onto its mutex, a completion given a holder). Nobody can be
   * refused a wait here, so 'error' mode fails the run as 'fail' does.
   */
  readonly waitChanged = (t: Thread, resource: Waitable, kind: WaitKindId): void => {
    if (t.heapIndex >= 0) return; // a timed wait ends by itself: not a deadlock
    const cycle = cycleThrough(t, resource, kind);
    if (cycle !== null) this.onCycle(t, cycle, false);
  };

  private onCycle(t: Thread, cycle: Cycle, refusable = true): void {
    const first = cycle[0]!;
    const mode = this.settings.cycles === 'error' && !refusable ? 'fail' : this.settings.cycles;
    // The lock request that showed an inversion a moment ago is the one that closed the cycle:
    // what happened is this deadlock, and the lock-order finding rides along.
    const order =
      this.pendingOrder !== null &&
      this.pendingOrder.thread === t &&
      this.pendingOrder.step === this.kernel.steps
        ? this.pendingOrder
        : null;
    this.pendingOrder = null;
    const finding = this.sink.deadlock(this.kernel, {
      thread: t,
      cycle,
      lockOrder: order === null ? null : order.inversion,
      note:
        mode === 'error'
          ? `${t} was refused the wait with EDEADLK (detection.cycles = 'error')`
          : refusable
            ? `${t} closed the cycle; the run ${mode === 'fail' ? 'fails' : 'goes on'} (detection.cycles = '${this.settings.cycles}')`
            : `the cycle closed when ${t}'s wait moved to ${first.kind} ${first.resource.name}; the run ${mode === 'fail' ? 'fails' : 'goes on'} (detection.cycles = '${this.settings.cycles}')`,
    });
    this.keep(finding);
    if (mode === 'warn') {
      this.kernel.warn(finding.summary);
      return;
    }
    if (mode === 'error') throw finding.error;
    this.kernel.panic(finding.error, order?.error);
  }

  private onInversion(inversion: LockOrderReport, t: Thread): void {
    const finding = this.sink.lockOrder(this.kernel, {
      thread: t,
      inversion,
      note: `detection.lockOrder = '${this.settings.lockOrder}'`,
    });
    this.keep(finding);
    if (this.settings.lockOrder === 'warn') {
      this.kernel.warn(finding.summary);
      return;
    }
    // If this very request now blocks and closes a cycle, onCycle reports the deadlock instead.
    this.pendingOrder = { thread: t, step: this.kernel.steps, error: finding.error, inversion };
    this.kernel.panic(finding.error);
  }
}

function makeBeforeBlock(
  d: Detector<unknown>,
): (t: Thread, resource: Waitable | null, kind: WaitKindId, timeoutMs: number | undefined) => void {
  return function beforeBlock(
    t: Thread,
    resource: Waitable | null,
    kind: WaitKindId,
    timeoutMs: number | undefined,
  ): void {
    // Ownerless kinds (semaphore, condvar, channel): no edge out of them, so no cycle through them.
    if (resource === null || isOwnerless(kind)) return;
    // The common case, an owner that is running or runnable, returns after one call.
    const o = soleOwner(resource);
    if (o === null || (o !== MANY_OWNERS && o !== t && o.state !== S_BLOCKED)) return;
    if (timeoutMs !== undefined) return; // a timed wait ends by itself: not a deadlock
    d.checkBlock(t, resource, kind);
  };
}
