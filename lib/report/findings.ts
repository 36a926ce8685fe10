/**
 * What a detection finding looks like: a report and the error that carries it. The detector
 * (lib/detect/detector.ts) decides what a finding does; this is the sink it hands findings to.
 *
 * Interface: `attachDetection(kernel, options)` (the Kernel constructor calls it with
 * `KernelOptions.detection`), `detectionReports(kernel)`, `DeadlockError`, `LockOrderError`,
 * `REPORT_FINDINGS`.
 * Invariants: every finding's report is kept by the detector, in order (bounded); the error's
 * message is the formatted report, so printing the error prints the report.
 */
import type { KernelCore as Kernel } from '../kernel/kernel.ts';
import {
  detectorOf,
  installDetector,
  resolveDetection,
  type DetectionOptions,
  type Detector,
  type FindingSink,
} from '../detect/detector.ts';
import type { Cycle } from '../detect/waitgraph.ts';
import { backtrace } from './backtrace.ts';
import { ReportError, hide } from './error.ts';
import { buildReport, formatReport, setReportOptions, summarize, type Report } from './report.ts';

/** A wait-for cycle: every thread in it waits for a resource the next one owns. */
export class DeadlockError extends ReportError {
  /** The cycle (live threads and resources; not enumerable), first step = the thread that closed it. */
  declare readonly cycle: Cycle;
  /** The full report (plain data: formatReport, JSON.stringify, reportToDot). */
  declare readonly report: Report;
  constructor(cycle: Cycle, report: Report) {
    super('EDEADLK', formatReport(report), report);
    hide(this, 'cycle', cycle);
  }
}

/** Two lock classes were taken in opposite orders (a cycle in the lock-order graph). */
export class LockOrderError extends ReportError {
  declare readonly report: Report;
  constructor(report: Report) {
    super('EDEADLK', formatReport(report), report);
  }
}

/** Findings as reports: what every Kernel's detector uses. */
export const REPORT_FINDINGS: FindingSink<Report> = {
  deadlock(kernel, f) {
    const first = f.cycle[0]!;
    const report = buildReport(kernel, {
      kind: 'deadlock',
      cycles: [f.cycle],
      pending: { thread: f.thread, resource: first.resource, kind: first.kind },
      ...(f.lockOrder !== null ? { lockOrder: f.lockOrder } : {}),
      notes: [f.note],
    });
    return {
      record: report,
      error: new DeadlockError(f.cycle, report),
      summary: summarize(report),
    };
  },
  lockOrder(kernel, f) {
    const report = buildReport(kernel, {
      kind: 'lock-order',
      threads: [f.thread],
      lockOrder: f.inversion,
      notes: [f.note],
    });
    return { record: report, error: new LockOrderError(report), summary: summarize(report) };
  },
  backtraceOf: backtrace,
};

/**
 * Installs detection on `kernel` (replacing an earlier one), with reports as findings. Returns
 * the detector, or null when everything is off.
 *
 * @example
 * const kernel = new Kernel({ detection: { cycles: 'error', lockOrder: 'warn' } });
 * // or, on an existing kernel:
 * attachDetection(kernel, { cycles: 'warn' });
 */
export function attachDetection(
  kernel: Kernel,
  options?: DetectionOptions | false,
): Detector<Report> | null {
  const settings = resolveDetection(options);
  setReportOptions(kernel, { backtraces: settings.backtraces });
  return installDetector(kernel, settings, REPORT_FINDINGS);
}

/**
 * Every report the detector made on `kernel` so far (deadlocks and lock-order inversions), in
 * order, whatever the mode.
 *
 * @example
 * const [first] = detectionReports(kernel); console.log(formatReport(first));
 */
export function detectionReports(kernel: Kernel): readonly Report[] {
  return (detectorOf(kernel)?.reports ?? []) as readonly Report[];
}
