/**
 * StallError and the thread dump: what run() reports when threads remain but nothing can ever
 * run again — no runnable thread, no armed timer, no host call in flight.
 *
 * Interface: `new StallError(kernel, blocked)` (made by the kernel's stallError()), and
 * `describeThreads(kernel, threads)` (kernel.dump()). Both use lib/report.ts: per thread its
 * name, kind, priority, state, what it waits for (and who owns it), what it holds and its
 * backtrace, plus every wait-for cycle, the seed and the step. A stall report also says why
 * each ownerless wait can never end (semaphore exhausted, lost wakeup on a condvar or channel,
 * a completion nobody will complete, a lock held by a thread that exited).
 * Invariant: the core raises StallError only when no timer and no host wait can make progress,
 * so a stall report is never premature.
 */
import { GreenkernelError, UnjoinedThreadError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { buildReport, formatReport, type Report } from './report.ts';
import type { Thread } from '../kernel/thread.ts';

/** Nothing can run, nothing is pending, and threads remain blocked. */
export class StallError extends GreenkernelError {
  /** The blocked threads, in id order. */
  readonly blocked: readonly Thread[];
  /** The kernel's seed, to reproduce the run. */
  readonly seed: number;
  /** The kernel's step count when the stall was found. */
  readonly step: number;
  /** The full report (plain data): threads, waits, holds, backtraces, cycles. */
  readonly report: Report;

  /**
   * @example
   * try { kernel.runSync(); } catch (e) { if (e instanceof StallError) console.log(e.report.threads.length); }
   */
  constructor(kernel: Kernel, blocked: readonly Thread[], failures: readonly { thread: Thread; error: unknown }[] = []) {
    const report = buildReport(kernel, { kind: 'stall', threads: blocked, failures });
    super('ESTALL', formatReport(report));
    this.blocked = blocked;
    this.seed = kernel.seed;
    this.step = kernel.steps;
    this.report = report;
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
export function unjoinedThreadError(kernel: Kernel, failures: readonly { thread: Thread; error: unknown }[], dropped: number): UnjoinedThreadError {
  const report = buildReport(kernel, { kind: 'failures', threads: [], failures, failuresDropped: dropped, backtraces: false });
  return new UnjoinedThreadError(
    failures.map((f) => ({ thread: f.thread.toString(), error: f.error })),
    { dropped, report },
  );
}
