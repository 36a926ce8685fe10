/**
 * greenkernel/spi: for authors of primitives and drivers — what the library's own primitives
 * (lib/sync/) are built from. The block, cache and file-system layers import only this and
 * the user API, as an outside author would. See ARCHITECTURE.md for the protocol.
 */
export { KernelCore, KernelSlot } from './kernel/kernel.ts';
export type { KernelCoreOptions, KernelHooks, KernelReporter, LockMode } from './kernel/kernel.ts';
export { MANY_OWNERS, MAX_OWNER_CHAIN, NO_OWNERS, Thread } from './kernel/thread.ts';
export type { Waitable } from './kernel/thread.ts';
export type { Signallable } from './kernel/thread.ts';
export {
  checkRoutine,
  checkTimeout,
  completed,
  enter,
  failed,
  granted,
  suspended,
} from './kernel/operation.ts';
export {
  block,
  cancelWait,
  hostBegin,
  hostEnd,
  panic,
  reprioritize,
  rewait,
  wake,
  wakeWithError,
} from './kernel/waits.ts';
export {
  MAX_WAIT_KINDS,
  WAIT_HOST,
  WAIT_JOIN,
  WAIT_KIND_BITS,
  WAIT_SLEEP,
  isOwnerless,
  registerWaitKind,
  waitKindId,
  waitKindName,
  waitKindSpec,
} from './kernel/waitkind.ts';
export type { WaitKindId, WaitKindSpec } from './kernel/waitkind.ts';
export { WAIT_SOURCE } from './kernel/source.ts';
export { ThreadQueue } from './kernel/queue.ts';
export type { Linked } from './kernel/queue.ts';
export { Resource } from './kernel/resource.ts';
export { SeededRandom } from './kernel/random.ts';
export type { SchedulingStrategy } from './kernel/strategy.ts';
export { traceEvents } from './kernel/trace.ts';
export type { TraceEvent } from './kernel/trace.ts';
export { assert } from './kernel/assert.ts';
export { afterHostDelay } from './kernel/time.ts';
export {
  addHeld,
  lendPriority,
  removeHeld,
  restorePriority,
  takeWaiters,
} from './sync/priority.ts';
export type { Lock } from './sync/priority.ts';
export { WAIT_MUTEX } from './sync/mutex.ts';
export { WAIT_RWLOCK_READ, WAIT_RWLOCK_WRITE } from './sync/rwlock.ts';
export { WAIT_CONDVAR } from './sync/condvar.ts';
export { WAIT_SEMAPHORE } from './sync/semaphore.ts';
export { WAIT_COMPLETION } from './sync/completion.ts';
export { WAIT_CHANNEL, WaitChannel } from './sync/channel.ts';
