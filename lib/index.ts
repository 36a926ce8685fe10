/**
 * greenkernel: a cooperative green-thread runtime that hosts kernel-style drivers on one
 * JavaScript thread. See README.md.
 */
export { Kernel, MAX_UNJOINED_FAILURES } from './kernel.ts';
export { hostcall } from './host.ts';
export { sleep } from './time.ts';
export type { ClockMode, KernelHooks, KernelOptions, LockMode, RunResult, SpawnOptions } from './kernel.ts';
export { MAX_OWNER_CHAIN, Thread } from './thread.ts';
export type { ExitStatus, ThreadKind, ThreadState, WaitKind, Waitable } from './thread.ts';
export { call, currentKernel, currentThread } from './operation.ts';
export type { Instruction, Operation, Routine, Yielded } from './operation.ts';
export { Mutex } from './mutex.ts';
export { RWLock } from './rwlock.ts';
export { CondVar } from './condvar.ts';
export { Semaphore } from './semaphore.ts';
export { Completion } from './completion.ts';
export { WaitChannel, tsleep, wakeup, wakeupOne } from './channel.ts';
export { StallError, describeThreads } from './stall.ts';
export { SeededRandom } from './random.ts';
export { PRIORITY_LEVELS } from './runqueue.ts';
export { InvariantError } from './assert.ts';
export * from './errors.ts';
export { waitGraph, findCycles, cycleThrough, cycleIsTimed, isRealCycle } from './waitgraph.ts';
export type { Cycle, CycleStep, WaitGraph, WaitInfo } from './waitgraph.ts';
export { MAX_DETECTION_REPORTS, attachDetection, detectionReports, detectionSettings, detectorOf, resolveDetection, DeadlockError, LockOrderError, Detector } from './deadlock.ts';
export type { CycleMode, DetectionOptions, LockOrderMode, ResolvedDetection } from './deadlock.ts';
export { LockValidator, MAX_INVERSIONS_KEPT, MAX_LOCK_CHAINS, MAX_LOCK_CLASSES, MAX_LOCK_ORDER_EDGES, classByName, classBySite, lockSitesRecorded, recordLockSites } from './lockdep.ts';
export type { LockClass, LockValidatorOptions } from './lockdep.ts';
export { buildReport, formatReport, reportToDot, waitGraphDot, summarize, setReportOptions } from './report.ts';
export type { Report, ReportKind, ReportSpec, ThreadReport, WaitReport, CycleStepReport, LockOrderReport, OrderEdgeReport, ResourceRef, ThreadRef } from './report.ts';
export { backtrace, backtraceSupport, formatFrames, displayPath, MAX_FRAMES } from './backtrace.ts';
export type { StackFrame } from './backtrace.ts';
