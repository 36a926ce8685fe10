/**
 * What a failure found by the explorer looks like: its run replayed with the trace on, as
 * Chrome trace-event JSON or an SVG timeline, the deadlock cycle highlighted.
 *
 * Interface: recordRun(scenario, schedule, options) -> { run, events, highlight },
 * chromeTraceOf(recorded), svgOf(recorded, title).
 * Invariants: the replay is the same run (same decisions, same failure): tracing changes no
 * scheduling decision.
 */
import { DeadlockError } from '../index.ts';
import { traceEvents, type TraceEvent } from '../spi.ts';
import { toChromeTrace, type ChromeTrace } from './chrome.ts';
import { replay } from './explore.ts';
import type { RunOptions, RunRecord, Scenario } from './run.ts';
import { renderTimeline } from './svg.ts';

export interface RecordedRun {
  readonly run: RunRecord;
  readonly events: TraceEvent[];
  /** The threads of the deadlock cycle, when the run deadlocked. */
  readonly highlight: number[];
}

/**
 * Replays `schedule` with the trace recorded.
 *
 * @example
 * const recorded = recordRun(bank, failure.schedule);
 */
export function recordRun(
  scenario: Scenario,
  schedule: string,
  options: RunOptions = {},
): RecordedRun {
  const run = replay(scenario, schedule, { ...options, trace: true });
  const error = run.failure?.error;
  const highlight =
    error instanceof DeadlockError
      ? (error.report.cycles[0] ?? []).map((step) => step.thread.id)
      : [];
  return { run, events: traceEvents(run.kernel), highlight };
}

/**
 * The recorded run as a Chrome trace-event document.
 *
 * @example
 * writeFileSync('fail.json', JSON.stringify(chromeTraceOf(recordRun(bank, schedule))));
 */
export function chromeTraceOf(recorded: RecordedRun, name?: string): ChromeTrace {
  return toChromeTrace(recorded.events, name === undefined ? {} : { name });
}

/**
 * The recorded run as an SVG timeline, the deadlock cycle highlighted.
 *
 * @example
 * writeFileSync('fail.svg', svgOf(recordRun(bank, schedule), 'bank: overdraft'));
 */
export function svgOf(recorded: RecordedRun, title?: string): string {
  return renderTimeline(recorded.events, {
    ...(title === undefined ? {} : { title }),
    highlight: recorded.highlight,
  });
}
