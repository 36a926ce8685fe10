/**
 * greenkernel/explore: schedule exploration for tests and the command line. A scenario (a
 * function that sets up a kernel) runs under many schedules — random, PCT, bounded-preemption
 * DFS — and every failure comes with a schedule string that `replay` and `greenkernel explore
 * FILE --replay SCHEDULE` reproduce exactly. Runs can be exported as Chrome trace-event JSON or
 * drawn as an SVG timeline.
 *
 * Interface: explore, replay, shrink, exploreTest, runScenario, parseSchedule, formatSchedule,
 * toChromeTrace, renderTimeline, and their types.
 * Invariants: imports the runtime only through greenkernel and greenkernel/spi (a layer above
 * the entry points, like the drivers).
 */
export { explore, replay, shrink, MAX_RUNS, MAX_SHRINK_RUNS } from './explore.ts';
export type { ExploreFailure, ExploreOptions, ExploreResult, StrategyName } from './explore.ts';
export { runScenario, classify, DEFAULT_RUN_STEPS } from './run.ts';
export type { FailureKind, RunOptions, RunRecord, Scenario, ScenarioChecks } from './run.ts';
export {
  MAX_DECISIONS,
  MAX_PCT_DEPTH,
  decisionsOf,
  formatDecisions,
  formatSchedule,
  parseSchedule,
  ScheduleMismatchError,
} from './schedule.ts';
export type { Schedule } from './schedule.ts';
export { exploreTest } from './test.ts';
export type { ExploreTestOptions, TestContext } from './test.ts';
export { toChromeTrace, TRACE_SCALE } from './chrome.ts';
export type { ChromeEvent, ChromeTrace } from './chrome.ts';
export { renderTimeline, SVG_COLOURS } from './svg.ts';
export type { TimelineOptions } from './svg.ts';
export { buildTimeline } from './timeline.ts';
export type { Arrow, At, LaneState, Mark, Segment, Timeline } from './timeline.ts';
export { chromeTraceOf, recordRun, svgOf } from './artifacts.ts';
export type { RecordedRun } from './artifacts.ts';
