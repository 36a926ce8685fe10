/**
 * Running to completion: run() (async, letting the host event loop turn) and runSync(), with
 * what they settle or reject with.
 *
 * Interface: runToCompletion(kernel), runToCompletionSync(kernel).
 * Invariants: a run settles when the last non-daemon thread exits; it rejects with a stall only
 * when nothing is runnable, no timer is armed and no host call is in flight; at most one run of
 * a kernel at a time, and never from one of its own threads.
 */
import { InvalidArgumentError, LimitExceededError } from './errors.ts';
import type { KernelCore } from './kernel.ts';
import { dispatchLoop } from './dispatch.ts';
import { fireDueTimers } from './lifecycle.ts';
import type { RunResult } from './options.ts';
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
export async function runToCompletion(k: KernelCore): Promise<RunResult> {
  enterRun(k);
  const startSteps = k.steps;
  try {
    for (;;) {
      if (k.steps - startSteps >= k.maxSteps) throw limitError(k);
      runSlice(k);
      throwIfFatal(k);
      if (k.liveUserThreads === 0) break;
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
      throw stallError(k);
    }
    return finish(k, startSteps);
  } finally {
    k.running = false;
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
      if (k.steps - startSteps >= k.maxSteps) throw limitError(k);
      runSlice(k);
      throwIfFatal(k);
      if (k.liveUserThreads === 0) break;
      if (!k.runq.empty) continue;
      if (k.hostPending > 0)
        throw new InvalidArgumentError(
          `${k.name}: threads wait for host calls; use run(), not runSync()`,
        );
      if (k.advanceTime()) continue;
      throw stallError(k);
    }
    return finish(k, startSteps);
  } finally {
    k.running = false;
  }
}

export function enterRun(k: KernelCore): void {
  if (k.running) throw new InvalidArgumentError(`${k.name}: run() is already in progress`);
  k.refuseOwnThread('run()');
  k.running = true;
}

/** One slice: dispatches until idle, the slice ends, or the last non-daemon thread exits. */
export function runSlice(k: KernelCore): void {
  dispatchLoop(k, k.sliceSteps, true);
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
  return { steps: k.steps - startSteps, time: k.now() };
}

export function throwIfFatal(k: KernelCore): void {
  if (k.fatal === undefined) return;
  const error = k.fatal;
  k.fatal = undefined;
  throw error;
}

export function limitError(k: KernelCore): LimitExceededError {
  return new LimitExceededError(`${k.name}: run exceeded maxSteps=${k.maxSteps} (livelock?)`);
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
