/**
 * Running to completion: run() (async, letting the host event loop turn) and runSync(), with
 * what they settle or reject with.
 *
 * Interface: runToCompletion(kernel, { signal }), runToCompletionSync(kernel),
 * requestShutdown(kernel, reason).
 * Invariants: a run settles when the last non-daemon thread exits, or, once shut down, when the
 * last thread of any kind has unwound; it rejects with a stall only when nothing is runnable, no
 * timer is armed, no host call is in flight and no host source is open; at most one run of a
 * kernel at a time, and never from one of its own threads. While run() is pending it listens to
 * its AbortSignal and to the process's 'beforeExit' (the event loop emptied: nothing the kernel
 * waits for can settle) — one listener shared by every pending run(), so many kernels never
 * trip Node's MaxListeners warning — and to nothing once it settled: no listener outlives it.
 */
import { InvalidArgumentError, LimitExceededError } from './errors.ts';
import { killThread } from './lifecycle.ts';
import type { KernelCore } from './kernel.ts';
import { dispatchLoop } from './dispatch.ts';
import { fireDueTimers } from './lifecycle.ts';
import { checkOptionsObject, type RunOptions, type RunResult } from './options.ts';
import { cpu } from './operation.ts';
import { S_BLOCKED } from './thread.ts';
import { afterHostDelay } from './time.ts';

/**
 * Runs until every non-daemon thread has exited, letting the host event loop turn between
 * slices and while host calls are in flight. Rejects with StallError when threads remain but
 * nothing can ever wake them, with UnjoinedThreadError when threads failed with nobody joining
 * them, and with the detector's error on a deadlock in 'fail' mode.
 *
 * @example
 * const kernel = new Kernel();
 * kernel.spawn(function* () { yield* sleep(100); });
 * await kernel.run(); // { steps: 2, time: 100 }
 */
export async function runToCompletion(k: KernelCore, options: RunOptions = {}): Promise<RunResult> {
  checkOptionsObject(options, 'run(options)');
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new InvalidArgumentError('run({ signal }): signal must be an AbortSignal');
  enterRun(k);
  const startSteps = k.steps;
  const onAbort = (): void => requestShutdown(k, abortReason(signal!.reason));
  if (signal !== undefined) {
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  watchEventLoop(k);
  try {
    for (;;) {
      if (k.steps - startSteps >= k.limits.maxSteps) throw limitError(k);
      if (k.stopReason !== null) stopEverything(k);
      runSlice(k);
      throwIfFatal(k);
      if (settled(k)) break;
      if (!k.runq.empty) {
        await turnHostEventLoop();
        continue;
      }
      if (k.clock === 'real' && k.timers.size > 0) {
        fireDueTimers(k);
        if (!k.runq.empty) continue;
      }
      if (k.hostPending > 0 || (k.clock === 'real' && k.timers.size > 0)) {
        await waitForHost(k);
        continue;
      }
      if (k.clock === 'virtual' && k.advanceTime()) continue;
      // An open source is a delivery that may come, not one in flight: virtual time moves first.
      if (k.sources.size > 0) {
        await waitForHost(k);
        continue;
      }
      throw stallError(k);
    }
    return finish(k, startSteps);
  } finally {
    unwatchEventLoop(k);
    signal?.removeEventListener('abort', onAbort);
    leaveRun(k);
  }
}

/**
 * Virtual clock only: like run(), synchronously. Throws if progress needs a host call.
 *
 * @example
 * kernel.spawn(function* () { yield* sleep(5); });
 * kernel.runSync(); // { steps: 2, time: 5 }
 */
export function runToCompletionSync(k: KernelCore): RunResult {
  if (k.clock !== 'virtual')
    throw new InvalidArgumentError('runSync() needs the virtual clock; use run()');
  enterRun(k);
  const startSteps = k.steps;
  try {
    for (;;) {
      if (k.steps - startSteps >= k.limits.maxSteps) throw limitError(k);
      if (k.stopReason !== null) stopEverything(k);
      runSlice(k);
      throwIfFatal(k);
      if (settled(k)) break;
      if (!k.runq.empty) continue;
      if (k.hostPending > 0)
        throw new InvalidArgumentError(
          `${k.name}: threads wait for host calls; use run(), not runSync()`,
        );
      if (k.advanceTime()) continue;
      if (k.sources.size > 0)
        throw new InvalidArgumentError(
          `${k.name}: threads wait while host sources are open; use run(), not runSync()`,
        );
      throw stallError(k);
    }
    return finish(k, startSteps);
  } finally {
    leaveRun(k);
  }
}

export function enterRun(k: KernelCore): void {
  if (k.running) throw new InvalidArgumentError(`${k.name}: run() is already in progress`);
  refuseOwnThread(k, 'run()');
  k.running = true;
}

function leaveRun(k: KernelCore): void {
  k.running = false;
  k.stopReason = null;
}

/** Done: no non-daemon thread left, or, shutting down, no thread at all. */
function settled(k: KernelCore): boolean {
  return k.liveUserThreads === 0 && (k.stopReason === null || k.live.length === 0);
}

/**
 * Asks the running kernel to stop (kernel.shutdown, an aborted signal): see KernelCore.shutdown.
 *
 * @example
 * requestShutdown(kernel, 'SIGTERM');
 */
export function requestShutdown(k: KernelCore, reason: string): void {
  if (typeof reason !== 'string')
    throw new InvalidArgumentError(
      `shutdown(reason): reason must be a string, got ${typeof reason}`,
    );
  if (!k.running)
    throw new InvalidArgumentError(
      `${k.name}: shutdown() stops a run in progress, and none is (call it while run() is pending)`,
    );
  if (k.stopReason !== null) return; // the first reason stands
  k.stopReason = reason;
  // From a thread: the others are killed now, the caller once the slice ends (it cannot kill
  // itself mid-dispatch); from the host, run() does it all as soon as it looks again.
  if (k.current !== null) stopEverything(k);
  k.pokeIfOutside();
}

/**
 * Shutting down: closes every host source and kills every live thread (each unwinds through
 * its finally blocks when next dispatched). Repeated each turn, so a thread spawned while
 * unwinding is killed too; a thread killed already is left to unwind.
 */
function stopEverything(k: KernelCore): void {
  for (const source of [...k.sources]) source.close();
  const self = k.current;
  for (const t of k.live.slice()) if (t !== self) killThread(k, t, k.stopReason!);
}

function abortReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/**
 * Kernels whose run() is pending. Process-wide by nature: 'beforeExit' is one event of the one
 * process; a kernel is in it only while its run() is pending, so nothing outlives a run.
 */
const pendingRuns = new Set<KernelCore>();

function onBeforeExit(): void {
  for (const k of [...pendingRuns]) hostStall(k);
}

function watchEventLoop(k: KernelCore): void {
  if (pendingRuns.size === 0) process.on('beforeExit', onBeforeExit);
  pendingRuns.add(k);
}

function unwatchEventLoop(k: KernelCore): void {
  pendingRuns.delete(k);
  if (pendingRuns.size === 0) process.off('beforeExit', onBeforeExit);
}

/**
 * Node's event loop emptied while run() waited for the host: the host calls in flight and the
 * sources open can never settle. Rejects run() with the reporter's host-stall error.
 */
function hostStall(k: KernelCore): void {
  if (k.hostSignal === null || k.fatal !== undefined) return; // not waiting for the host
  const blocked = k.threads.filter((t) => t.state === S_BLOCKED);
  k.panic(k.reporter.hostStallError(k, blocked, k.unjoined));
  k.pokeHost();
}

/** One slice: dispatches until idle, the slice ends, or the run is settled. */
export function runSlice(k: KernelCore): void {
  dispatchLoop(k, k.limits.sliceSteps, k.stopReason === null);
}

export function finish(k: KernelCore, startSteps: number): RunResult {
  if (k.unjoinedFailures.size > 0 || k.unjoinedDropped > 0) {
    const error = k.reporter.unjoinedError(k, k.unjoined, k.unjoinedDropped);
    // Reported now, as a join would: a later join of one of them changes no count.
    k.failureEpoch++;
    k.unjoinedFailures.clear();
    k.unjoinedDropped = 0;
    throw error;
  }
  const result: RunResult = { steps: k.steps - startSteps, time: k.now() };
  if (k.stopReason !== null) result.shutdown = k.stopReason;
  return result;
}

export function throwIfFatal(k: KernelCore): void {
  if (k.fatal === undefined) return;
  const error = k.fatal;
  k.fatal = undefined;
  throw error;
}

export function limitError(k: KernelCore): LimitExceededError {
  return new LimitExceededError(
    `${k.name}: run exceeded maxSteps=${k.limits.maxSteps} (livelock?)`,
  );
}

/** The error run() rejects with when nothing can ever run again. */
export function stallError(k: KernelCore): Error {
  const blocked = k.threads.filter((t) => t.state === S_BLOCKED);
  return k.reporter.stallError(k, blocked, k.unjoined);
}

/** Waits until a host call settles, or (real clock) the next timer is due. */
export function waitForHost(k: KernelCore): Promise<void> {
  return new Promise<void>((resolve) => {
    let cancelTimer: (() => void) | null = null;
    const done = (): void => {
      if (cancelTimer !== null) cancelTimer();
      k.hostSignal = null;
      resolve();
    };
    k.hostSignal = done;
    if (k.clock === 'real' && k.timers.size > 0) {
      cancelTimer = afterHostDelay(Math.max(0, k.timers.nextDeadline() - k.now()), done);
    }
  });
}

function turnHostEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Refuses to drive kernel `k` from one of its own threads: that thread is in the middle of a
 * dispatch of `k`, so a nested one would corrupt the run queue.
 *
 * @example
 * refuseOwnThread(kernel, 'step()'); // InvalidArgumentError when called from a thread of kernel
 */
export function refuseOwnThread(k: KernelCore, what: string): void {
  const running = cpu.current;
  if (running !== null && running.kernel === k)
    throw new InvalidArgumentError(
      `${what}: a thread cannot drive its own kernel (${running} is running on ${k.name})`,
    );
}
