/**
 * greenkernel: a cooperative green-thread runtime that hosts kernel-style drivers on one
 * JavaScript thread. This is the user API the README documents; authors of primitives and
 * drivers also import 'greenkernel/spi', tools 'greenkernel/debug'. See ARCHITECTURE.md.
 */
export { Kernel } from './main.ts';
export type { KernelOptions } from './main.ts';
export { MAX_UNJOINED_FAILURES } from './kernel/kernel.ts';
export type { ClockMode, RunOptions, RunResult, SpawnOptions } from './kernel/kernel.ts';
export { DEFAULT_SOURCE_CAPACITY, HostSource, MAX_HOST_SOURCES } from './kernel/source.ts';
export type { HostSourceOptions, SourceResult } from './kernel/source.ts';
export { Thread, MAX_OWNER_CHAIN } from './kernel/thread.ts';
export type { ExitStatus, ThreadKind, ThreadState, Waitable } from './kernel/thread.ts';
export type { WaitKind } from './kernel/waitkind.ts';
export { call, currentKernel, currentThread } from './kernel/operation.ts';
export type { Instruction, Operation, Routine, Yielded } from './kernel/operation.ts';
export { hostcall } from './kernel/host.ts';
export { sleep } from './kernel/time.ts';
export { PRIORITY_LEVELS } from './kernel/queue.ts';
export { InvariantError } from './kernel/assert.ts';
export * from './kernel/errors.ts';
export { Mutex } from './sync/mutex.ts';
export { RWLock } from './sync/rwlock.ts';
export { CondVar } from './sync/condvar.ts';
export { Semaphore } from './sync/semaphore.ts';
export { Completion } from './sync/completion.ts';
export { tsleep, wakeup, wakeupOne } from './sync/channel.ts';
export { MAX_DETECTION_REPORTS, detectionSettings, resolveDetection } from './detect/detector.ts';
export type {
  CycleMode,
  DetectionOptions,
  LockOrderMode,
  ResolvedDetection,
} from './detect/detector.ts';
export {
  MAX_INVERSIONS_KEPT,
  MAX_LOCK_CHAINS,
  MAX_LOCK_CLASSES,
  MAX_LOCK_ORDER_EDGES,
} from './detect/lockdep.ts';
export type { Cycle, CycleStep } from './detect/waitgraph.ts';
export {
  DeadlockError,
  LockOrderError,
  attachDetection,
  detectionReports,
} from './report/findings.ts';
export { HostStallError, StallError, UnjoinedThreadError } from './report/stall.ts';
export { ReportError } from './report/error.ts';
export { formatMs, roundMs } from './kernel/ms.ts';
export { formatReport } from './report/report.ts';
export { reportToDot } from './report/dot.ts';
export type {
  Report,
  ReportKind,
  ThreadReport,
  WaitReport,
  CycleStepReport,
  FailureReport,
  LockOrderReport,
  OrderEdgeReport,
  ResourceRef,
  ThreadRef,
} from './report/report.ts';
export type { StackFrame } from './kernel/thread.ts';
