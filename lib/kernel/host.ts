/**
 * The host bridge ("hypercalls"): a thread waits for a host Promise without blocking the others.
 *
 * Interface: `yield* hostcall(promise | () => promise, timeoutMs?)`.
 * Invariants: the kernel counts host calls in flight (hostBegin/hostEnd exactly once per call),
 * so "every thread blocked, but host I/O in flight" is never taken for a stall; a call that
 * timed out or whose thread was killed is closed, and its late settlement is ignored. The
 * timeout is host (real) time: under the virtual clock virtual time stands still while a host
 * call is in flight, as in Go's synctest, since host I/O is not a durable block.
 */
import { HostRejectionError, InvalidArgumentError, TimeoutError } from './errors.ts';
import type { KernelCore as Kernel } from './kernel.ts';
import { OP_FAIL, OP_READY, enter, failed, suspended, type Operation } from './operation.ts';
import { NO_OWNERS, type Thread, type Waitable } from './thread.ts';
import { afterHostDelay } from './time.ts';
import { WAIT_HOST } from './waitkind.ts';
import { block, hostBegin, hostEnd, wake, wakeWithError } from './waits.ts';

/**
 * Waits for a host Promise (or a function returning one). Its value is returned at the
 * `yield*`; a rejection is thrown there (a non-Error reason wrapped in HostRejectionError).
 *
 * @example
 * const text = yield* hostcall(() => fs.promises.readFile(path, 'utf8'));
 */
export function hostcall<T>(
  work: Promise<T> | (() => Promise<T>),
  timeoutMs?: number,
): Operation<T> {
  const self = enter('hostcall()', timeoutMs); // a bad timeout is refused before work() starts
  const kernel = self.kernel;
  let promise: Promise<T>;
  try {
    promise = typeof work === 'function' ? work() : work;
  } catch (error) {
    return failed(self, asError(error));
  }
  if (promise === null || typeof (promise as Promise<T>)?.then !== 'function') {
    return failed(
      self,
      new InvalidArgumentError('hostcall(work): work must be a Promise or return one'),
    );
  }
  const wait = new HostWait(kernel);
  block(self, wait, WAIT_HOST, undefined);
  hostBegin(kernel);
  if (timeoutMs !== undefined) wait.expireAfter(self, timeoutMs);
  // Through a real promise: a promise-like's then() may call back at once, or throw, and
  // either must arrive later, at the `yield*`, once the thread is suspended.
  Promise.resolve(promise).then(
    (value) => wait.settle(self, OP_READY, value),
    (reason: unknown) => wait.settle(self, OP_FAIL, asError(reason)),
  );
  return suspended<T>(self);
}

/** What a thread gets for a host failure: the Error itself, or a non-Error wrapped. */
function asError(reason: unknown): unknown {
  return reason instanceof Error ? reason : new HostRejectionError(reason);
}

/** One host call in flight. */
class HostWait implements Waitable {
  readonly resourceKind = 'host';
  readonly name = 'hostcall';
  private open = true;
  private cancelTimer: (() => void) | null = null;

  constructor(private readonly kernel: Kernel) {}

  owners(): readonly Thread[] {
    return NO_OWNERS;
  }

  /** The thread was killed: close the call; its settlement will be ignored. */
  removeWaiter(): void {
    this.close();
  }

  settle(t: Thread, opState: number, value: unknown): void {
    if (!this.open) return;
    this.close();
    if (opState === OP_READY) wake(t, value);
    else wakeWithError(t, value);
  }

  /** Fails the wait with TimeoutError after `ms` of host time, unless it settled first. */
  expireAfter(t: Thread, ms: number): void {
    const started = performance.now();
    this.cancelTimer = afterHostDelay(ms, () =>
      this.settle(
        t,
        OP_FAIL,
        new TimeoutError('host call', Math.round(performance.now() - started)),
      ),
    );
  }

  private close(): void {
    this.open = false;
    if (this.cancelTimer !== null) this.cancelTimer();
    hostEnd(this.kernel);
  }
}
