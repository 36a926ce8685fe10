/**
 * The kernel's reporter: StallError (threads remain but nothing can ever run again — no
 * runnable thread, no armed timer, no host call in flight, no host source open),
 * HostStallError (the event loop emptied under host calls or sources), UnjoinedThreadError, and the
 * thread dump.
 *
 * Interface: REPORTER (installed on every Kernel by lib/main.ts; it also adds caller chains to
 * errors, see callers.ts), `new StallError(kernel,
 * blocked, failures)`, `unjoinedThreadError(...)`, `describeThreads(kernel, threads)`
 * (kernel.dump()). They use report.ts: per thread its
 * name, kind, priority, state, what it waits for (and who owns it), what it holds and its
 * backtrace, plus every wait-for cycle, the seed and the step. A stall report also says why
 * each ownerless wait can never end (semaphore exhausted, lost wakeup on a condvar or channel,
 * a completion nobody will complete, a lock held by a thread that exited).
 * Invariant: the core raises StallError only when no timer and no host wait can make progress,
 * so a stall report is never premature.
 */
import { describeError } from '../kernel/errors.ts';
import { appendCallerFrames } from './callers.ts';
import { ReportError, hide } from './error.ts';
import type { KernelCore as Kernel, KernelReporter } from '../kernel/kernel.ts';
import { buildReport, formatReport, type Report } from './report.ts';
import type { Thread } from '../kernel/thread.ts';

/** Nothing can run, nothing is pending, and threads remain blocked. */
export class StallError extends ReportError {
  /** The blocked threads, in id order (live objects: not enumerable). */
  declare readonly blocked: readonly Thread[];
  /** The kernel's seed, to reproduce the run. */
  readonly seed: number;
  /** The kernel's step count when the stall was found. */
  readonly step: number;
  /** The full report (plain data): threads, waits, holds, backtraces, cycles. */
  declare readonly report: Report;

  /**
   * @example
   * try { kernel.runSync(); } catch (e) { if (e instanceof StallError) console.log(e.report.threads.length); }
   */
  constructor(
    kernel: Kernel,
    blocked: readonly Thread[],
    failures: readonly { thread: Thread; error: unknown }[] = [],
    report: Report = buildReport(kernel, { kind: 'stall', threads: blocked, failures }),
  ) {
    super('ESTALL', formatReport(report), report);
    hide(this, 'blocked', blocked);
    this.seed = kernel.seed;
    this.step = kernel.steps;
  }
}

/**
 * Node's event loop emptied while run() waited for host calls or host sources: nothing in the
 * process can settle them any more, so the run can never end (without this, the process would
 * exit silently with code 13 under a top-level await). The report (kind 'host-stall') names the
 * host calls in flight, the sources open, and every blocked thread, those behind them included.
 */
export class HostStallError extends StallError {
  /** Host calls in flight when the event loop emptied. */
  readonly hostCalls: number;
  /** Names of the host sources open then. */
  readonly sources: readonly string[];

  /**
   * @example
   * try { await kernel.run(); } catch (e) { if (e instanceof HostStallError) console.log(e.hostCalls); }
   */
  constructor(
    kernel: Kernel,
    blocked: readonly Thread[],
    failures: readonly { thread: Thread; error: unknown }[] = [],
  ) {
    super(
      kernel,
      blocked,
      failures,
      buildReport(kernel, { kind: 'host-stall', threads: blocked, failures }),
    );
    this.hostCalls = kernel.pendingHostCalls;
    this.sources = kernel.openSources.map((s) => s.name);
  }
}

/** Failures named one per line in an UnjoinedThreadError's message; the rest are counted. */
const FAILURES_IN_MESSAGE = 20;

/**
 * Threads failed and their errors were never delivered to a joiner. `failures` keeps them in
 * the order the threads failed, up to the kernel's MAX_UNJOINED_FAILURES; `dropped` counts the
 * ones past that bound, so the total is always known.
 */
export class UnjoinedThreadError extends ReportError {
  /** The failed threads' names and errors (not enumerable: the errors may be anything). */
  declare readonly failures: readonly { thread: string; error: unknown }[];
  /** Failures past the kernel's bound, counted but not kept. */
  readonly dropped: number;
  /** The report (kind 'failures'), when the kernel made this error. */
  declare readonly report: Report | undefined;
  constructor(
    failures: readonly { thread: string; error: unknown }[],
    options: { dropped?: number; report?: Report } = {},
  ) {
    const dropped = options.dropped ?? 0;
    const lines = failures
      .slice(0, FAILURES_IN_MESSAGE)
      .map((f) => `  ${f.thread}: ${describeError(f.error)}`);
    if (failures.length > FAILURES_IN_MESSAGE)
      lines.push(`  ... and ${failures.length - FAILURES_IN_MESSAGE} more in .failures`);
    if (dropped > 0)
      lines.push(`  (${dropped} more not kept: the kernel keeps at most ${failures.length})`);
    super(
      'ETHREAD',
      `${failures.length + dropped} thread(s) failed with nobody joining them:\n${lines.join('\n')}`,
      options.report,
      { cause: failures[0]?.error },
    );
    hide(this, 'failures', failures);
    this.dropped = dropped;
  }
}

/**
 * The full dump of `threads` (default for kernel.dump(): every live thread), like a Go
 * goroutine dump: header, wait-for cycles, then one paragraph per thread with its backtrace.
 *
 * @example
 * console.log(describeThreads(kernel, kernel.threads)); // what kernel.dump() prints
 */
export function describeThreads(kernel: Kernel, threads: readonly Thread[]): string {
  return formatReport(buildReport(kernel, { kind: 'dump', threads }));
}

/**
 * The error run() rejects with when threads failed with nobody joining them: every kept
 * failure, the count of those past the kernel's bound, and a report of kind 'failures'.
 *
 * @example
 * throw unjoinedThreadError(kernel, kernel.unjoined, 0);
 */
export function unjoinedThreadError(
  kernel: Kernel,
  failures: readonly { thread: Thread; error: unknown }[],
  dropped: number,
): UnjoinedThreadError {
  const report = buildReport(kernel, {
    kind: 'failures',
    threads: [],
    failures,
    failuresDropped: dropped,
    backtraces: false,
  });
  return new UnjoinedThreadError(
    failures.map((f) => ({ thread: f.thread.toString(), error: f.error })),
    { dropped, report },
  );
}

/**
 * The reporter the composed Kernel installs (lib/main.ts): stall and unjoined-failure errors
 * with full reports, Go-style dumps, and the caller chain added to errors thrown out of called
 * frames (lib/report/callers.ts).
 *
 * @example
 * kernel.reporter = REPORTER;
 */
export const REPORTER: KernelReporter = {
  stallError: (kernel, blocked, failures) => new StallError(kernel, blocked, failures),
  hostStallError: (kernel, blocked, failures) => new HostStallError(kernel, blocked, failures),
  unjoinedError: unjoinedThreadError,
  dump: describeThreads,
  callerFrames: appendCallerFrames,
};
