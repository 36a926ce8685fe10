/**
 * greenkernel/debug: for tools — the wait-for graph, the detector and the lock validator, the
 * report builders and backtraces. Reading them never changes a kernel.
 */
export {
  cycleIsTimed,
  cycleThrough,
  findCycles,
  isRealCycle,
  soleOwner,
  waitGraph,
} from './detect/waitgraph.ts';
export type { WaitGraph, WaitInfo } from './detect/waitgraph.ts';
export { Detector, detectorOf, installDetector } from './detect/detector.ts';
export type { Finding, FindingSink } from './detect/detector.ts';
export {
  LockValidator,
  classByName,
  classBySite,
  lockSitesRecorded,
  recordLockSites,
} from './detect/lockdep.ts';
export type { LockClass, LockValidatorOptions } from './detect/lockdep.ts';
export { REPORT_FINDINGS } from './report/findings.ts';
export { buildReport, setReportOptions, summarize } from './report/report.ts';
export { waitGraphDot } from './report/dot.ts';
export type { ReportSpec } from './report/report.ts';
export { describeThreads, REPORTER } from './report/stall.ts';
export {
  MAX_FRAMES,
  backtrace,
  backtraceSupport,
  displayPath,
  formatFrames,
} from './report/backtrace.ts';
