/**
 * greenkernel: a cooperative green-thread runtime that hosts kernel-style drivers on one
 * JavaScript thread. See README.md.
 */
export { Kernel, MAX_UNJOINED_FAILURES } from './kernel/kernel.ts';
export { hostcall } from './kernel/host.ts';
export { sleep } from './kernel/time.ts';
export type { ClockMode, KernelHooks, KernelOptions, LockMode, RunResult, SpawnOptions } from './kernel/kernel.ts';
export { MAX_OWNER_CHAIN, Thread } from './kernel/thread.ts';
export type { ExitStatus, ThreadKind, ThreadState, Waitable } from './kernel/thread.ts';
export { registerWaitKind, waitKindName } from './kernel/waitkind.ts';
export type { WaitKind, WaitKindId, WaitKindSpec } from './kernel/waitkind.ts';
export { call, currentKernel, currentThread } from './kernel/operation.ts';
export type { Instruction, Operation, Routine, Yielded } from './kernel/operation.ts';
export { Mutex, WAIT_MUTEX } from './sync/mutex.ts';
export { RWLock } from './sync/rwlock.ts';
export { CondVar } from './sync/condvar.ts';
export { Semaphore } from './sync/semaphore.ts';
export { Completion } from './sync/completion.ts';
export { WaitChannel, tsleep, wakeup, wakeupOne } from './sync/channel.ts';
export { StallError, describeThreads } from './report/stall.ts';
export { SeededRandom } from './kernel/random.ts';
export { PRIORITY_LEVELS } from './kernel/runqueue.ts';
export { InvariantError } from './kernel/assert.ts';
export * from './kernel/errors.ts';
export { waitGraph, findCycles, cycleThrough, cycleIsTimed, isRealCycle } from './detect/waitgraph.ts';
export type { Cycle, CycleStep, WaitGraph, WaitInfo } from './detect/waitgraph.ts';
export { MAX_DETECTION_REPORTS, attachDetection, detectionReports, detectionSettings, detectorOf, resolveDetection, DeadlockError, LockOrderError, Detector } from './detect/deadlock.ts';
export type { CycleMode, DetectionOptions, LockOrderMode, ResolvedDetection } from './detect/deadlock.ts';
export { LockValidator, MAX_INVERSIONS_KEPT, MAX_LOCK_CHAINS, MAX_LOCK_CLASSES, MAX_LOCK_ORDER_EDGES, classByName, classBySite, lockSitesRecorded, recordLockSites } from './detect/lockdep.ts';
export type { LockClass, LockValidatorOptions } from './detect/lockdep.ts';
export { buildReport, formatReport, reportToDot, waitGraphDot, summarize, setReportOptions } from './report/report.ts';
export type { Report, ReportKind, ReportSpec, ThreadReport, WaitReport, CycleStepReport, LockOrderReport, OrderEdgeReport, ResourceRef, ThreadRef } from './report/report.ts';
export { backtrace, backtraceSupport, formatFrames, displayPath, MAX_FRAMES } from './report/backtrace.ts';
export type { StackFrame } from './report/backtrace.ts';
