/**
 * One run of a scenario under a chooser: the kernel, the decisions it made, and what failed.
 *
 * Interface: Scenario, ScenarioChecks, RunOptions, RunRecord, FailureKind, runScenario().
 * Invariants: a run is a pure function of (scenario, chooser): its decisions, its failure and
 * its trace are the same every time; the chooser is asked only where two or more threads are
 * runnable (so a list of decisions stays short), the every-step invariant before every
 * dispatch; a run stops at `maxSteps` dispatches (a step-budget failure).
 */
import {
  DeadlockError,
  InvalidArgumentError,
  InvariantViolationError,
  Kernel,
  LimitExceededError,
  LockOrderError,
  StallError,
  UnjoinedThreadError,
  type KernelOptions,
} from '../index.ts';
import type { SchedulingStrategy, Thread } from '../spi.ts';
import { ScheduleMismatchError, type Chooser } from './schedule.ts';

/** What a scenario may check: throw, or return false, to report a violation. */
export interface ScenarioChecks {
  /** Checked before every dispatch and once at the end. */
  readonly invariant?: () => boolean | void;
  /** Checked once, after every thread exited. */
  readonly atEnd?: () => boolean | void;
}

/**
 * A scenario: sets up `kernel` (spawns its threads, makes its locks) and may return checks.
 * It runs synchronously under the virtual clock (no host calls); it must not read anything
 * but the kernel's own state, so that a schedule replays it exactly.
 */
export type Scenario = (kernel: Kernel) => ScenarioChecks | void;

/** What went wrong in a run. */
export type FailureKind =
  'deadlock' | 'lock-order' | 'stall' | 'thread-error' | 'invariant' | 'step-budget' | 'error';

export interface RunOptions {
  /** Dispatches before a run fails with 'step-budget' (default 10,000). */
  readonly maxSteps?: number;
  /** Record the trace (for --trace / --svg). */
  readonly trace?: boolean;
  /** Options of the kernel (default: cycle detection 'fail', lock order off, no backtraces). */
  readonly kernel?: KernelOptions;
}

export interface RunRecord {
  readonly kernel: Kernel;
  /** The index chosen at each point with a choice. */
  readonly decisions: number[];
  /** How many threads were runnable at each point with a choice. */
  readonly widths: number[];
  /** Decisions other than the kernel's own FIFO choice. */
  readonly preemptions: number;
  readonly steps: number;
  readonly failure: { readonly kind: FailureKind; readonly error: unknown } | null;
}

/** Default dispatch budget of one run. */
export const DEFAULT_RUN_STEPS = 10_000;

/**
 * Runs `scenario` once on a fresh kernel, `chooser` deciding at each point with a choice.
 *
 * @example
 * const run = runScenario(bank, chooserFor(parseSchedule('list:1')));
 * run.failure?.kind; // 'invariant'
 */
export function runScenario(
  scenario: Scenario,
  chooser: Chooser,
  options: RunOptions = {},
): RunRecord {
  if (typeof scenario !== 'function')
    throw new InvalidArgumentError('a scenario is a function (kernel) => checks | void');
  const maxSteps = options.maxSteps ?? DEFAULT_RUN_STEPS;
  const kernel = new Kernel({
    name: 'explore',
    detection: { cycles: 'fail', lockOrder: 'off', backtraces: false },
    ...options.kernel,
    maxSteps,
    trace: options.trace === true,
  });
  const decisions: number[] = [];
  const widths: number[] = [];
  let preemptions = 0;
  let checks: ScenarioChecks | void = undefined;
  const strategy: SchedulingStrategy = {
    next(runnable: readonly Thread[]): number {
      if (checks !== undefined && checks.invariant !== undefined) check(checks.invariant, kernel);
      if (runnable.length < 2) return 0;
      const i = chooser.choose(runnable, decisions.length, kernel.steps);
      decisions.push(i);
      widths.push(runnable.length);
      if (i !== 0) preemptions++;
      return i;
    },
  };
  kernel.strategy = strategy;
  let failure: RunRecord['failure'] = null;
  try {
    checks = scenario(kernel);
    kernel.runSync();
    if (checks !== undefined) {
      if (checks.invariant !== undefined) check(checks.invariant, kernel);
      if (checks.atEnd !== undefined) check(checks.atEnd, kernel, 'at the end');
    }
  } catch (error) {
    // Not the scenario's failure: the schedule is not one of its schedules.
    if (error instanceof ScheduleMismatchError) throw error;
    failure = { kind: classify(error), error };
  }
  return { kernel, decisions, widths, preemptions, steps: kernel.steps, failure };
}

function check(predicate: () => boolean | void, kernel: Kernel, when?: string): void {
  let ok: boolean | void;
  try {
    ok = predicate();
  } catch (error) {
    throw new InvariantViolationError(
      `invariant violated ${when ?? `before step ${kernel.steps + 1}`}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (ok === false)
    throw new InvariantViolationError(
      `invariant violated ${when ?? `before step ${kernel.steps + 1}`}: ${predicate.name || 'it'} returned false`,
    );
}

/**
 * The kind of a run's error.
 *
 * @example
 * classify(new StallError(...)); // 'stall'
 */
export function classify(error: unknown): FailureKind {
  if (error instanceof DeadlockError) return 'deadlock';
  if (error instanceof LockOrderError) return 'lock-order';
  if (error instanceof StallError) return 'stall';
  if (error instanceof UnjoinedThreadError) return 'thread-error';
  if (error instanceof InvariantViolationError) return 'invariant';
  if (error instanceof LimitExceededError && /maxSteps/.test(error.message)) return 'step-budget';
  return 'error';
}
