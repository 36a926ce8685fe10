/**
 * Dispatch: the scheduler loop and the interpreter of what a thread's generator yields — the
 * switch path. Free functions over the kernel's fields, so the hot path is one call deep.
 *
 * Interface: dispatchLoop(kernel, maxSteps, untilNoUserThreads), and the pieces it is made of
 * (runThread, execute, exit).
 * Invariants: the switch path allocates nothing; only greenkernel's own invariants can escape
 * execute() (the kernel panics with them); a thread exits only from its last frame, running.
 */
import createDebug from 'debug';
import { assert } from './assert.ts';
import { LimitExceededError, OperationMisuseError, ThreadKilledError } from './errors.ts';
import type { KernelCore } from './kernel.ts';
import { fireDueTimers } from './lifecycle.ts';
import { MAX_UNJOINED_FAILURES } from './options.ts';
import { EV_EXIT, EV_RUN, EXIT_KILLED, EXIT_RETURNED, EXIT_THREW } from './trace.ts';
import {
  BLOCK_MARK,
  CALL_MARK,
  OP_BLOCKED,
  OP_FAIL,
  OP_IDLE,
  OP_READY,
  cpu,
  type Routine,
  type Yielded,
} from './operation.ts';
import {
  F_DAEMON,
  F_KILL_PENDING,
  F_KILLED,
  F_RETURNED,
  F_THREW,
  F_UNWINDING,
  S_BLOCKED,
  S_EXITED,
  S_RUNNABLE,
  type Thread,
} from './thread.ts';
import { wake, wakeWithError } from './waits.ts';

const log = createDebug('greenkernel:sched');

const NOTHING_HELD: readonly string[] = Object.freeze([]);
// In real-clock mode, due timers are looked at every 64 dispatches: often enough for ms timers,
// rarely enough that reading the clock (~40 ns) stays off the switch path.
const REAL_CLOCK_TIMER_CHECK = 64;
// How execute() continues with a thread's top frame.
const RESUME_NEXT = 0; // next(): the usual resume
const RESUME_RETURN = 1; // return(): unwinding after a kill, finally blocks run
const RESUME_THROW = 2; // throw(payload): a misuse error delivered at a bare `yield`
const AFTER_RESULT = 3; // payload is the result of a resume already made
const AFTER_THROW = 4; // payload is the error a resume already made threw

/**
 * The scheduler loop: dispatches runnable threads, highest priority first, until none is
 * runnable, `maxSteps` were made, the kernel panicked, or (if `untilNoUserThreads`) the last
 * non-daemon thread exited. Returns the number of dispatches. The switch path is here and in
 * execute(): it allocates nothing.
 */
export function dispatchLoop(k: KernelCore, maxSteps: number, untilNoUserThreads: boolean): number {
  const outer = cpu.current; // another kernel's thread, when kernels are nested
  const runq = k.runq;
  const real = k.clock === 'real';
  // Read once per loop: installing a strategy takes effect at the next run, step or slice.
  const strategy = k.strategy;
  let n = 0;
  try {
    while (
      n < maxSteps &&
      k.fatal === undefined &&
      (!untilNoUserThreads || k.liveUserThreads > 0)
    ) {
      if (real && (n & (REAL_CLOCK_TIMER_CHECK - 1)) === 0 && k.timers.size > 0) fireDueTimers(k);
      const t = strategy === null ? runq.dequeueNext() : runq.dequeueChosen(strategy, k);
      if (t === null) break;
      // Stays RUNNABLE while it runs: "running" is `cpu.current === t`, which saves two
      // writes of the state word per switch.
      cpu.current = t;
      k.steps++;
      n++;
      if (k.tracer !== null) k.record(EV_RUN, t, 0, null);
      runThread(k, t);
    }
  } catch (error) {
    // Only greenkernel's own invariants can escape execute(): the kernel is no longer sound.
    // (Or a scheduling strategy's error, which fails the run the same way.)
    k.panic(error);
  } finally {
    cpu.current = outer;
  }
  return n;
}

/**
 * Runs `t` until it blocks, yields or exits, handling calls and returns between its frames.
 * The common outcomes of the first resume (a bare yield, a block) are handled right here,
 * without the frame-stack loop: that is the whole switch path.
 */
export function runThread(k: KernelCore, t: Thread): void {
  if ((t.flags & F_KILL_PENDING) !== 0) {
    t.flags = (t.flags & ~F_KILL_PENDING) | F_UNWINDING;
    t.unwindDepth = t.depth;
    return execute(k, t, RESUME_RETURN, undefined);
  }
  let r: IteratorResult<Yielded, unknown>;
  try {
    r = t.top!.next();
  } catch (error) {
    return execute(k, t, AFTER_THROW, error);
  }
  if (r.done !== true) {
    const yielded = r.value;
    if (yielded === undefined && t.opState === OP_IDLE) {
      k.runq.enqueue(t);
      return;
    }
    if (yielded === BLOCK_MARK) {
      // The primitive queued the thread and set its state; a self-wake never reaches here.
      assert(
        t.opState === OP_BLOCKED && t.state === S_BLOCKED,
        'a thread yields BLOCK only from a blocking operation',
      );
      return;
    }
  } else if (t.depth === 0 && t.opState === OP_IDLE) {
    // The last frame returned with no operation pending (execute() would pop no frame and
    // call exit just so): a short-lived thread's life is spawn, one resume and this exit.
    return exit(k, t, F_RETURNED, r.value);
  }
  execute(k, t, AFTER_RESULT, r);
}

/**
 * The general case of runThread: starts by handling `payload` (a result of the top frame, an
 * error it threw) or by resuming it as `mode` says, then loops over calls and returns.
 */
export function execute(k: KernelCore, t: Thread, mode: number, payload: unknown): void {
  let frame = t.top!;
  // No step limit here: a thread runs until it yields, as in any cooperative kernel. Each
  // iteration is one resume of one frame; calls and returns are the only loops back.
  for (;;) {
    let r: IteratorResult<Yielded, unknown>;
    if (mode === AFTER_RESULT) {
      r = payload as IteratorResult<Yielded, unknown>;
    } else {
      try {
        if (mode === RESUME_NEXT) r = frame.next();
        else if (mode === RESUME_RETURN) r = frame.return(undefined);
        else if (mode === RESUME_THROW) r = frame.throw(payload);
        else throw payload; // AFTER_THROW
      } catch (error) {
        if (t.opState !== OP_IDLE) k.abandonedOperation(t);
        if ((t.flags & F_UNWINDING) !== 0)
          k.warn(`${t}: error while unwinding after kill: ${String(error)}`);
        else if (k.reporter.callerFrames !== undefined && t.depth > 0)
          k.reporter.callerFrames(k, t, error); // while the callers still sit at their call
        if (!t.popFrame()) return exit(k, t, F_THREW, error);
        frame = t.top!;
        mode = resumeModeAfterPop(k, t);
        t.opState = OP_FAIL;
        t.opValue = error;
        continue;
      }
    }
    mode = RESUME_NEXT;
    if (r.done === true) {
      if (t.opState !== OP_IDLE) {
        // Returned with an operation created but never yielded: that frame failed.
        payload = misuse(k, t, undefined, true);
        mode = AFTER_THROW;
        continue;
      }
      if (!t.popFrame()) return exit(k, t, F_RETURNED, r.value);
      frame = t.top!;
      mode = resumeModeAfterPop(k, t);
      t.opState = OP_READY;
      t.opValue = r.value;
      continue;
    }
    const yielded = r.value;
    if (yielded === BLOCK_MARK) {
      assert(
        t.opState === OP_BLOCKED && t.state === S_BLOCKED,
        'a thread yields BLOCK only from a blocking operation',
      );
      return;
    }
    if (yielded === CALL_MARK) {
      if (t.depth >= k.limits.maxCallDepth) {
        // Refused at the caller's `yield* call(...)`; the callee never started.
        t.opState = OP_FAIL;
        t.opValue = new LimitExceededError(
          `${t}: call depth would exceed maxCallDepth=${k.limits.maxCallDepth} (runaway recursion?)`,
        );
        continue;
      }
      const callee = t.opValue as Routine;
      t.opState = OP_IDLE;
      t.opValue = undefined;
      t.pushFrame(callee);
      frame = callee;
      continue;
    }
    if (yielded === undefined && t.opState === OP_IDLE) {
      k.runq.enqueue(t);
      return;
    }
    payload = misuse(k, t, yielded);
    mode = RESUME_THROW;
  }
}

/**
 * How to continue a caller whose callee frame just ended. Unwinding after a kill, a frame that
 * was suspended when the kill came is returned from (its finally blocks run); a frame that a
 * finally block called since then runs normally, so its caller — that finally block — gets
 * its result or error at the `yield* call(...)` and goes on to its end.
 */
export function resumeModeAfterPop(k: KernelCore, t: Thread): number {
  if ((t.flags & F_UNWINDING) === 0) return RESUME_NEXT;
  const depth = t.depth;
  if (depth >= t.unwindDepth) return RESUME_NEXT;
  t.unwindDepth = depth;
  return RESUME_RETURN;
}

/**
 * A thread yielded something other than an operation, or yielded while an operation it created
 * was not yielded. Cleans up and returns the error to throw at its `yield`.
 */
export function misuse(
  k: KernelCore,
  t: Thread,
  yielded: unknown,
  returned = false,
): OperationMisuseError {
  const pending = t.opState !== OP_IDLE;
  if (pending) k.abandonedOperation(t);
  return new OperationMisuseError(
    pending
      ? `thread ${t} ${returned ? 'returned' : 'yielded'} while an operation was not yielded: write \`yield* op\` where the operation is created`
      : `thread ${t} yielded ${describeValue(yielded)}; yield nothing (to give up the processor) or yield* an operation`,
  );
}

export function exit(k: KernelCore, t: Thread, how: number, value: unknown): void {
  assert(
    t === cpu.current && t.state === S_RUNNABLE && t.depth === 0,
    'a thread exits from its last frame while running',
  );
  const held =
    t.held === null || t.held.length === 0
      ? NOTHING_HELD
      : t.held.map((r) => `${r.resourceKind} ${r.name}`);
  if ((t.flags & F_UNWINDING) !== 0) {
    how = F_KILLED;
    value = new ThreadKilledError(t.toString(), String(t.result), held);
  }
  if (held.length > 0) {
    k.warn(`${t} exited holding ${held.join(', ')}`);
    if (log.enabled) log('%s: %s exited holding %o', k.name, t.toString(), held);
  }
  t.flags |= how;
  t.result = value;
  t.state = S_EXITED;
  t.clearFrames();
  forget(k, t);
  if ((t.flags & F_DAEMON) === 0) k.liveUserThreads--;
  if (k.tracer !== null)
    k.record(
      EV_EXIT,
      t,
      how === F_RETURNED ? EXIT_RETURNED : how === F_THREW ? EXIT_THREW : EXIT_KILLED,
      null,
    );
  const joiners = t.joiners;
  if (joiners !== null && joiners.length > 0) {
    for (let j = joiners.popFront(); j !== null; j = joiners.popFront()) {
      if (how === F_RETURNED) wake(j, value);
      else wakeWithError(j, value);
    }
  } else if (how === F_THREW) {
    t.failureEpoch = k.failureEpoch;
    if (k.unjoinedFailures.size < MAX_UNJOINED_FAILURES) k.unjoinedFailures.set(t, value);
    else k.unjoinedDropped++;
    if (log.enabled) log('%s: %s threw with nobody joining: %O', k.name, t.toString(), value);
  }
}

/** Removes exited `t` from the live table in O(1): the last thread takes its place. */
export function forget(k: KernelCore, t: Thread): void {
  const i = t.liveIndex;
  assert(k.live[i] === t, 'live table index out of sync');
  const last = k.live.pop()!;
  if (last !== t) {
    k.live[i] = last;
    last.liveIndex = i;
  }
  t.liveIndex = -1;
}

function describeValue(v: unknown): string {
  if (v !== null && typeof v === 'object' && typeof (v as Promise<unknown>).then === 'function')
    return 'a Promise (use yield* hostcall(promise))';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
