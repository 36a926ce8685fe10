/**
 * Typed errors of greenkernel.
 *
 * Every error the runtime raises is a `GreenkernelError` with a stable, POSIX-like `code`, so
 * callers can branch on `err.code` without parsing messages. Misuse of a primitive is never
 * silently ignored: it raises one of these, naming the threads and the resource involved.
 */
import { formatMs } from './ms.ts';
import { shortStack } from './stack.ts';

/** Stable error codes; each maps to one class below. */
export type ErrorCode =
  | 'EPERM' // operation not permitted: unlocking what you do not hold
  | 'EDEADLK' // the wait would deadlock: locking against myself, or closing a wait-for cycle
  | 'ETIMEDOUT' // a blocking wait reached its timeout
  | 'EKILLED' // the thread was killed
  | 'EINVAL' // invalid argument or invalid state for the call
  | 'ENOTHREAD' // a blocking call made outside any thread
  | 'EOPMISUSE' // an operation created but not yielded with `yield*`
  | 'EXDEV' // a resource used from two kernels
  | 'ESTALL' // nothing can run, nothing pending, threads remain blocked
  | 'ETHREAD' // threads failed and nobody joined them
  | 'EHOST' // the host rejected a hypercall with a non-Error value
  | 'EIO' // a device error
  | 'ERANGE' // a block number or length outside the device
  | 'ENODEV' // the device was detached
  | 'ENOMEM' // a memory quota was exhausted or denied
  | 'ENOSPC' // no space left
  | 'ENOENT' // file system: no such file or directory
  | 'EEXIST' // file system: the name exists
  | 'ENOTDIR' // file system: a path component is not a directory
  | 'EISDIR' // file system: a directory where a file was expected
  | 'ENOTEMPTY' // file system: the directory is not empty
  | 'ENAMETOOLONG' // file system: a name or a path is too long
  | 'EFBIG' // file system: the file would exceed the largest file size
  | 'EBADF' // file system: a stale or closed file handle
  | 'EBUSY' // file system: mounted, or busy
  | 'EUCLEAN' // file system: the image is corrupt (bad superblock or journal)
  | 'EPIPE' // a delivery to a host source that was closed
  | 'ELIMIT' // a configured limit was exceeded
  | 'EVIOLATED'; // a scenario's invariant was violated (schedule exploration)

/** What node's `util.inspect` calls (a registered symbol: no import of node:util here). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
type Inspect = (value: unknown, options: object) => string;

/**
 * Base class of every error raised by greenkernel. `util.inspect` (console.log, the REPL) shows
 * its name, code, message and a short stack (greenkernel's own frames left out), then its own
 * enumerable data; live objects (threads, kernels, resources) are kept in non-enumerable
 * properties, so neither inspect nor an uncaught-error print walks the object graph.
 * `JSON.stringify` gives `{ name, code, message }` (errors with a report give the report).
 */
export class GreenkernelError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /**
   * Plain data for JSON.stringify.
   *
   * @example
   * JSON.stringify(new InvalidArgumentError('x')); // {"name":"InvalidArgumentError","code":"EINVAL",...}
   */
  toJSON(): object {
    return { name: this.name, code: this.code, message: this.message };
  }

  /** @internal what util.inspect prints: `Name [CODE]: message`, a short stack, own data. */
  [INSPECT](_depth: number, options: object, inspect?: Inspect): string {
    const stack = shortStack(this.stack ?? `${this.name}: ${this.message}`);
    const head = `${this.name}: `;
    const text = stack.startsWith(head)
      ? `${this.name} [${this.code}]: ${stack.slice(head.length)}`
      : stack;
    const own: Record<string, unknown> = {};
    let any = false;
    for (const key of Object.keys(this))
      if (key !== 'name' && key !== 'code' && key !== 'message' && key !== 'stack') {
        own[key] = (this as unknown as Record<string, unknown>)[key];
        any = true;
      }
    const cause =
      this.cause === undefined || inspect === undefined ? '' : inspect(this.cause, options);
    return [
      text,
      any && inspect !== undefined ? inspect(own, options) : '',
      cause === '' ? '' : `[cause]: ${cause}`,
    ]
      .filter((s) => s !== '')
      .join('\n');
  }
}

/** Unlocking a lock you do not hold, or signalling without the required lock. */
export class NotOwnerError extends GreenkernelError {
  constructor(message: string) {
    super('EPERM', message);
  }
}

/** The wait would never end: locking against myself, or a wait-for cycle (see DeadlockError). */
export class WouldDeadlockError extends GreenkernelError {
  constructor(message: string) {
    super('EDEADLK', message);
  }
}

/** A blocking wait reached its timeout. `waitedMs` is virtual (or real) time spent waiting. */
export class TimeoutError extends GreenkernelError {
  readonly waitedMs: number;
  constructor(what: string, waitedMs: number) {
    super('ETIMEDOUT', `timed out after ${formatMs(waitedMs)} waiting for ${what}`);
    this.waitedMs = waitedMs;
  }
}

/** Delivered to joiners of a killed thread. `held` lists the resources it still held at exit. */
export class ThreadKilledError extends GreenkernelError {
  readonly held: readonly string[];
  constructor(threadName: string, reason: string, held: readonly string[]) {
    const still = held.length > 0 ? `; it still held ${held.join(', ')}` : '';
    super('EKILLED', `thread ${threadName} was killed (${reason})${still}`);
    this.held = held;
  }
}

/** Invalid argument, or a call that is invalid in the current state. */
export class InvalidArgumentError extends GreenkernelError {
  constructor(message: string) {
    super('EINVAL', message);
  }
}

/** A blocking call was made outside any greenkernel thread. */
export class NotInThreadError extends GreenkernelError {
  constructor(what: string) {
    super('ENOTHREAD', `${what} must be called from inside a greenkernel thread (with yield*)`);
  }
}

/** An operation was created (e.g. `mutex.lock()`) but not immediately yielded with `yield*`. */
export class OperationMisuseError extends GreenkernelError {
  constructor(message: string) {
    super('EOPMISUSE', message);
  }
}

/**
 * A thread of one kernel tried to take or wait on a resource bound to another kernel. Waking
 * operations (up, signal, broadcast, complete, fail, wakeup) may come from anywhere.
 */
export class CrossKernelError extends GreenkernelError {
  constructor(resource: string, ownerKernel = 'another kernel', thread = '', threadKernel = '') {
    const who =
      thread === ''
        ? ''
        : `; thread ${thread} of kernel ${threadKernel} cannot take it or wait on it`;
    super(
      'EXDEV',
      `${resource} belongs to ${ownerKernel === 'another kernel' ? ownerKernel : `kernel ${ownerKernel}`}${who} (only waking operations may cross kernels)`,
    );
  }
}

/** A configured limit (steps, queue length, thread count) was exceeded. */
export class LimitExceededError extends GreenkernelError {
  constructor(message: string) {
    super('ELIMIT', message);
  }
}

/** A scenario's invariant was false or threw (schedule exploration, lib/explore/). */
export class InvariantViolationError extends GreenkernelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVIOLATED', message, options);
  }
}

/**
 * One line for an error of a thread: `Name: first line of the message`, or the value.
 *
 * @example
 * describeError(new TypeError('x is undefined\n...')); // 'TypeError: x is undefined'
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.name}: ${error.message.split('\n', 1)[0]}`;
}

/** A host promise passed to `hostcall` rejected with something that is not an Error. */
export class HostRejectionError extends GreenkernelError {
  readonly reason: unknown;
  constructor(reason: unknown) {
    super('EHOST', `host call rejected: ${String(reason)}`);
    this.reason = reason;
  }
}

/**
 * The host delivered to a source that was closed (by close() or the kernel's shutdown), as a
 * write to a pipe nobody reads: the value was not queued.
 */
export class SourceClosedError extends GreenkernelError {
  constructor(kernel: string, source: string) {
    super('EPIPE', `source "${source}" of kernel ${kernel} is closed: nothing was delivered`);
  }
}
