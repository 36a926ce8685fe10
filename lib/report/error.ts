/**
 * The base of errors that carry a report (DeadlockError, LockOrderError, StallError,
 * UnjoinedThreadError): printing one prints its report, not the object graph behind it.
 *
 * Interface: `ReportError` (`report`, `toJSON()` → the report), `hide(error, key, value)`.
 * Invariants: the only enumerable own properties are plain data (`code`, numbers, strings): the
 * report and every live object (threads, cycles, the kernel, failed threads' errors) are
 * non-enumerable, so node's uncaught-error print (which inspects with `customInspect: false`)
 * shows the report, a short stack and the code, and `JSON.stringify` never meets a cycle. The
 * stack is shortened once, at construction (greenkernel's own frames dropped, see
 * lib/kernel/stack.ts; compiled frames mapped to their sources, lib/report/sourcemap.ts): the
 * report already says where each thread is.
 */
import { GreenkernelError, type ErrorCode } from '../kernel/errors.ts';
import { shortStack } from '../kernel/stack.ts';
import type { Report } from './report.ts';
import { mapStack } from './sourcemap.ts';

/**
 * Defines `error[key] = value` as a read-only, non-enumerable property: reachable in code, left
 * out of util.inspect, uncaught-error prints and JSON.
 *
 * @example
 * hide(this, 'cycle', cycle);
 */
export function hide<T extends object>(error: T, key: string, value: unknown): void {
  Object.defineProperty(error, key, {
    value,
    enumerable: false,
    writable: false,
    configurable: true,
  });
}

/** An error whose message is (or summarises) a report. */
export class ReportError extends GreenkernelError {
  /** The full report (plain data: formatReport, JSON.stringify, reportToDot), when made. */
  declare readonly report: Report | undefined;

  /**
   * @example
   * class MyError extends ReportError { constructor(r: Report) { super('ESTALL', formatReport(r), r); } }
   */
  constructor(
    code: ErrorCode,
    message: string,
    report: Report | undefined,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    hide(this, 'report', report);
    if (typeof this.stack === 'string') this.stack = mapStack(shortStack(this.stack));
  }

  /**
   * The report as plain data, so `JSON.stringify(error)` is `JSON.stringify(error.report)`.
   *
   * @example
   * fs.writeFileSync('deadlock.json', JSON.stringify(error));
   */
  override toJSON(): object {
    return this.report ?? super.toJSON();
  }
}
