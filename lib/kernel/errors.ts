/**
 * Typed errors of greenkernel.
 *
 * Every error the runtime raises is a `GreenkernelError` with a stable, POSIX-like `code`, so
 * callers can branch on `err.code` without parsing messages. Misuse of a primitive is never
 * silently ignored: it raises one of these, naming the threads and the resource involved.
 */

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
  | 'ELIMIT'; // a configured limit was exceeded

/** Base class of every error raised by greenkernel. */
export class GreenkernelError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
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
    super('ETIMEDOUT', `timed out after ${waitedMs} ms waiting for ${what}`);
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
