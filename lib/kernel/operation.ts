/**
 * Operations: how a thread asks the kernel for something, typed, without allocating.
 *
 * A thread is a generator. It blocks with `const v = yield* op`, where `op` is an
 * `Operation<T>` returned by a primitive (`mutex.lock()`, `sleep(10)`, `call(fn)`...). Every
 * operation is the same singleton iterator; the per-call state lives in the running thread
 * (`opState`, `opValue`). The primitive does its work synchronously when it is called:
 *  - it completes at once (an uncontended lock): the iterator returns `done` on its first
 *    `next()`, and the thread never leaves its frame — no switch, no allocation;
 *  - it must wait: the primitive queues the thread, and the iterator yields BLOCK to the
 *    scheduler. When the thread is woken, the kernel stores the value (or error) and resumes it;
 *    the iterator's second `next()` returns it (or throws it) at the `yield*`.
 *  - it calls a subroutine: the iterator yields CALL and the scheduler pushes the new generator
 *    onto the thread's own frame stack, so resuming a thread never re-enters its callers'
 *    frames: a switch costs the same at any call depth.
 *
 * A bare `yield` (yielding undefined) gives up the processor to the next runnable thread.
 *
 * Invariant: between a primitive's call and its `yield*`, nothing else runs; an operation that
 * is created but not yielded is detected at the next operation, yield or exit (EOPMISUSE).
 */
import { InvalidArgumentError, NotInThreadError, OperationMisuseError } from './errors.ts';
import type { KernelCore as Kernel } from './kernel.ts';
import type { Thread, Waitable } from './thread.ts';

declare const instructionBrand: unique symbol;
/** An opaque instruction to the scheduler. User code never constructs one. */
export interface Instruction {
  readonly [instructionBrand]: true;
}
/** What a thread's generator may yield: an instruction (through `yield*`), or nothing (`yield`). */
export type Yielded = Instruction | undefined;
/** The generator a thread (or a subroutine called with `call`) runs. */
export type Routine<T = unknown> = Generator<Yielded, T, unknown>;
/** A blocking call's handle: use it at once as `yield* op`. */
export interface Operation<T> {
  [Symbol.iterator](): Iterator<Yielded, T, unknown>;
}

/** The thread's operation state. Each value says who acts next. */
export const OP_IDLE = 0; // no operation in flight
export const OP_READY = 1; // result in opValue; the iterator returns it
export const OP_FAIL = 2; // error in opValue; the iterator throws it
export const OP_BLOCK = 3; // thread queued on a resource; the iterator yields BLOCK
export const OP_BLOCKED = 4; // thread has yielded BLOCK; a wake moves it to READY or FAIL
export const OP_CALL = 5; // generator in opValue; the iterator yields CALL

/** Yielded to the scheduler: the thread has queued itself and gives up the processor. */
export const BLOCK_MARK = Object.freeze({ instruction: 'block' }) as unknown as Instruction;
/** Yielded to the scheduler: push the generator in `opValue` as a new frame. */
export const CALL_MARK = Object.freeze({ instruction: 'call' }) as unknown as Instruction;

/** The processor: which thread is executing right now, across every kernel in the process. */
export const cpu: { current: Thread | null } = { current: null };

// Reused result objects: `yield*` reads `done` and `value` at once, so one of each suffices.
const doneResult: { done: true; value: unknown } = { done: true, value: undefined };
const blockResult = Object.freeze({ done: false, value: BLOCK_MARK });
const callResult = Object.freeze({ done: false, value: CALL_MARK });

const operationIterator = {
  [Symbol.iterator]() {
    return operationIterator;
  },
  next(): IteratorResult<Yielded, unknown> {
    const t = cpu.current;
    if (t === null) throw new NotInThreadError('yield* of an operation');
    switch (t.opState) {
      case OP_READY: {
        const value = t.opValue;
        t.finishOp();
        t.opValue = undefined;
        t.waitOn = null; // the grant is seen: nothing left to revoke
        doneResult.value = value;
        return doneResult;
      }
      case OP_FAIL: {
        const error = t.opValue;
        t.finishOp();
        t.opValue = undefined;
        t.waitOn = null;
        throw error;
      }
      case OP_BLOCK:
        t.opState = OP_BLOCKED;
        return blockResult;
      case OP_CALL:
        return callResult;
      default:
        throw new OperationMisuseError(
          `thread ${t.name} resumed an operation that is not in flight (state ${t.opState}): ` +
            'yield* each operation exactly once, right where it is created',
        );
    }
  },
  return(value: unknown): IteratorResult<Yielded, unknown> {
    // Reached when a thread is killed while suspended in `yield*`: forget the operation (a
    // grant it had was revoked by the kill).
    const t = cpu.current;
    if (t !== null) {
      t.finishOp();
      t.opValue = undefined;
      t.waitOn = null;
    }
    doneResult.value = value;
    return doneResult;
  },
};

/**
 * The running thread, checked to be free to start an operation, and the operation's timeout
 * checked (see checkTimeout). Primitives call this first, so that a bad argument is refused
 * before anything changes, whether or not the operation would have to wait.
 *
 * @example
 * const self = enter('Mutex.lock()', timeoutMs); // throws NotInThreadError outside a thread
 */
export function enter(what: string, timeoutMs?: number): Thread {
  const t = cpu.current;
  if (t === null) throw new NotInThreadError(what);
  if (timeoutMs !== undefined) checkTimeout(timeoutMs);
  if (t.opState !== OP_IDLE) {
    t.kernel.abandonedOperation(t);
    throw new OperationMisuseError(
      `thread ${t.name} called ${what} while an earlier operation was not yielded: ` +
        'write `yield* op` right where the operation is created',
    );
  }
  return t;
}

/**
 * Completes the running thread's operation at once with `value` (no switch).
 *
 * @example
 * return completed<void>(self, undefined); // the lock was free
 */
export function completed<T>(t: Thread, value: T): Operation<T> {
  t.opState = OP_READY;
  t.opValue = value;
  return operationIterator as unknown as Operation<T>;
}

/**
 * Completes the running thread's operation at once with a grant from `resource` (an
 * uncontended lock or semaphore unit): if the operation is abandoned before the thread yields
 * it, the kernel revokes the grant through `resource.revokeGrant`, as it does for a grant
 * handed to a waiter that is killed before it runs.
 *
 * @example
 * this.owner = self; return granted(self, this);
 */
export function granted(t: Thread, resource: Waitable): Operation<void> {
  t.opState = OP_READY;
  t.opValue = undefined;
  t.waitOn = resource;
  return operationIterator as unknown as Operation<void>;
}

/**
 * Fails the running thread's operation at once: `error` is thrown at its `yield*`.
 *
 * @example
 * return failed(self, new WouldDeadlockError('locking against myself'));
 */
export function failed<T = never>(t: Thread, error: unknown): Operation<T> {
  t.opState = OP_FAIL;
  t.opValue = error;
  return operationIterator as unknown as Operation<T>;
}

/**
 * Marks the running thread's operation as waiting: the caller has already queued the thread
 * (see block in waits.ts). The result arrives through wake or wakeWithError (waits.ts).
 *
 * @example
 * block(self, this, 'mutex', timeoutMs);
 * return suspended<void>(self);
 */
export function suspended<T>(t: Thread): Operation<T> {
  t.opState = OP_BLOCK;
  return operationIterator as unknown as Operation<T>;
}

/**
 * Calls a generator function as a subroutine on the thread's own frame stack. Resuming the
 * thread later costs the same however deep the call chain is, and every frame shows in
 * backtraces. Plain `yield* fn()` also works, but re-enters every caller on each resume.
 *
 * @example
 * function* readBlock(dev: Device, n: number) { ...; return data; }
 * const data = yield* call(readBlock, dev, 7);
 */
export function call<A extends unknown[], T>(
  fn: (...args: A) => Routine<T>,
  ...args: A
): Operation<T> {
  const t = enter('call()');
  if (typeof fn !== 'function')
    throw new InvalidArgumentError('call(fn): fn must be a generator function');
  // Made before the operation starts: if fn throws, the thread simply gets the error here.
  const routine = checkRoutine(fn(...args), 'call(fn)');
  t.opState = OP_CALL;
  t.opValue = routine;
  return operationIterator as unknown as Operation<T>;
}

/** %GeneratorPrototype%: what the `prototype` of every generator function inherits from. */
const GENERATOR_PROTOTYPE: unknown = (
  Object.getPrototypeOf(function* probe() {}) as { prototype: unknown }
).prototype;

/** %GeneratorFunction.prototype%: what every generator function inherits from. */
const GENERATOR_FUNCTION_PROTOTYPE: unknown = Object.getPrototypeOf(function* probe() {});
/** The generator function spawned last (its calls always return generators), or null. */
let lastGeneratorFunction: unknown = null;

/**
 * Calls a thread body and checks what it returned (checkRoutine). A body spawned again, as a
 * pool's workers are, is a generator function already known to return a generator: one compare.
 *
 * @example
 * const routine = startRoutine(body, 'spawn(body)');
 */
export function startRoutine<T>(body: () => Routine<T>, what: string): Routine<T> {
  if (body === lastGeneratorFunction) return body();
  // Asked of the function, not of its generator: closures of one function* share a map, where
  // each closure's generators have their own (a megamorphic load when bodies are closures).
  if (Object.getPrototypeOf(body) === GENERATOR_FUNCTION_PROTOTYPE) {
    lastGeneratorFunction = body;
    return body();
  }
  return checkRoutine(body(), what); // an arrow or plain function: check what it returned
}

/**
 * Checks that a body returned a generator a thread can run: not an async generator, not a
 * plain value. Returns it.
 *
 * @example
 * const routine = checkRoutine(body(), 'spawn(body)');
 */
export function checkRoutine<T>(routine: Routine<T>, what: string): Routine<T> {
  // The common case, a generator object: its prototype is its function's `prototype`, whose own
  // is %GeneratorPrototype%. Asked through Object.getPrototypeOf, which stays fast however many
  // generator functions there are; looking up `next` and Symbol.asyncIterator on the object
  // itself is a megamorphic property load (each generator function has its own map), which
  // was a third of spawn's cost.
  if (routine !== null && typeof routine === 'object') {
    const proto: unknown = Object.getPrototypeOf(routine);
    if (proto !== null && Object.getPrototypeOf(proto) === GENERATOR_PROTOTYPE) return routine;
  }
  const r = routine as unknown as { next?: unknown; [Symbol.asyncIterator]?: unknown } | null;
  if (r === null || typeof r !== 'object' || typeof r.next !== 'function') {
    throw new InvalidArgumentError(
      `${what}: the function must return a generator (write function*)`,
    );
  }
  if (typeof r[Symbol.asyncIterator] === 'function') {
    throw new InvalidArgumentError(
      `${what}: an async generator cannot run on a thread; write function* and wait for host promises with yield* hostcall(p)`,
    );
  }
  return routine;
}

/**
 * Checks a duration in ms: a finite number >= 0, else InvalidArgumentError. Returns it.
 *
 * @example
 * timers.arm(t, now + checkTimeout(timeoutMs));
 */
export function checkTimeout(ms: number): number {
  if (typeof ms !== 'number' || !(ms >= 0) || ms === Infinity) {
    throw new InvalidArgumentError(`a time must be a finite number of ms >= 0, got ${String(ms)}`);
  }
  return ms;
}

/**
 * The running thread. Throws outside a thread.
 *
 * @example
 * function* worker() { console.log(currentThread().name); }
 */
export function currentThread(): Thread {
  const t = cpu.current;
  if (t === null) throw new NotInThreadError('currentThread()');
  return t;
}

/**
 * The kernel of the running thread. Throws outside a thread.
 *
 * @example
 * function* worker() { currentKernel().spawn(helper); }
 */
export function currentKernel(): Kernel {
  return currentThread().kernel;
}
