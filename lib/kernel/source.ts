/**
 * Host sources: an interrupt line from the host into a kernel. The host (an HTTP handler, a
 * timer, a device callback) `deliver()`s values; threads of the kernel take them with
 * `yield* source.next()`. While a source is open the kernel counts it like a host call in
 * flight: run() waits for the host instead of reporting a stall, since the host may still
 * deliver (or up() a semaphore, complete a completion...). Once no source is open, no host call
 * is pending and nothing can run, the stall is reported at once, as without sources.
 *
 * Interface: `kernel.hostSource<T>(name, { capacity })` → HostSource<T>; `deliver(value)`,
 * `yield* next(timeoutMs?)` → `{ done: false, value } | { done: true, value: undefined }`,
 * `close()`, `isOpen`, `queued`, `waiting`.
 * Invariants: a source is in its kernel's `sources` set exactly while it is open; at most
 * `capacity` delivered values wait to be taken (a delivery past it is refused with ELIMIT and
 * changes nothing); a delivery to a closed source is refused with EPIPE; values delivered
 * before close() are still taken, then every next() returns done; a thread blocked in next()
 * is in the source's wait queue exactly while it waits (kill and timeout unlink it); a value
 * handed to a thread that is killed before it sees it goes back (revokeGrant), so every
 * accepted value is taken exactly once or stays queued (given back after close(), when the
 * other readers may have been told `done` already, it stays in `queued` for a later next()).
 */
import { assert } from './assert.ts';
import {
  CrossKernelError,
  InvalidArgumentError,
  LimitExceededError,
  SourceClosedError,
} from './errors.ts';
import type { KernelCore } from './kernel.ts';
import { completed, enter, failed, granted, suspended, type Operation } from './operation.ts';
import { positiveInt } from './options.ts';
import { ThreadQueue } from './queue.ts';
import { NO_OWNERS, type Thread, type Waitable } from './thread.ts';
import { registerWaitKind } from './waitkind.ts';
import { block, wake } from './waits.ts';

/** A thread waits for the host to deliver on a source. Not durable: the host ends it. */
export const WAIT_SOURCE = registerWaitKind({
  name: 'source',
  durable: false,
  ownerless: true,
  phrase: (resource) => `waits for the host to deliver on source "${resource.name}"`,
});

/** Default limit on values delivered and not yet taken, per source. */
export const DEFAULT_SOURCE_CAPACITY = 1024;
/** Limit on open sources per kernel (each is a keep-alive the host must close). */
export const MAX_HOST_SOURCES = 10_000;

/** What next() returns: a delivered value, or done once the source is closed and drained. */
export type SourceResult<T> = { done: false; value: T } | { done: true; value: undefined };

export interface HostSourceOptions {
  /** Limit on values delivered and not yet taken; a delivery past it is ELIMIT. Default 1024. */
  capacity?: number;
}

const DONE: SourceResult<never> = Object.freeze({ done: true, value: undefined });

/**
 * An interrupt line from the host into one kernel. Create it with `kernel.hostSource(name)`.
 *
 * @example
 * const irq = kernel.hostSource<Request>('http');
 * server.on('request', (req) => irq.deliver(req));
 * kernel.spawn(function* worker() {
 *   for (let r = yield* irq.next(); !r.done; r = yield* irq.next()) serve(r.value);
 * });
 * server.on('close', () => irq.close());
 */
export class HostSource<T = void> implements Waitable {
  readonly resourceKind = 'source';
  readonly capacity: number;
  private readonly values: T[] = [];
  private head = 0;
  private readonly waiters = new ThreadQueue<Thread>();
  private open = true;

  /** @internal Use kernel.hostSource(name). */
  constructor(
    readonly kernel: KernelCore,
    readonly name: string,
    options: HostSourceOptions = {},
  ) {
    if (kernel.stopReason !== null)
      throw new InvalidArgumentError(`${kernel.name}: no new source while shutting down`);
    if (typeof name !== 'string' || name === '')
      throw new InvalidArgumentError('hostSource(name): name must be a non-empty string');
    if (options === null || typeof options !== 'object')
      throw new InvalidArgumentError(`hostSource(name, options): options must be an object`);
    this.capacity = positiveInt(options.capacity ?? DEFAULT_SOURCE_CAPACITY, 'capacity');
    if (kernel.sources.size >= MAX_HOST_SOURCES)
      throw new LimitExceededError(`${kernel.name}: more than ${MAX_HOST_SOURCES} open sources`);
    kernel.sources.add(this as HostSource<unknown>);
  }

  /** False once closed (by close() or the kernel's shutdown). */
  get isOpen(): boolean {
    return this.open;
  }

  /** Values delivered and not yet taken. */
  get queued(): number {
    return this.values.length - this.head;
  }

  /** Threads blocked in next(). */
  get waiting(): number {
    return this.waiters.length;
  }

  owners(): readonly Thread[] {
    return NO_OWNERS;
  }

  /** @internal A waiter was killed or timed out. */
  removeWaiter(t: Thread): void {
    this.waiters.remove(t);
  }

  /**
   * From the host (or any thread): hands `value` to the first thread waiting in next(), or
   * queues it. Refused with SourceClosedError (EPIPE) once the source is closed, and with
   * LimitExceededError (ELIMIT) when `capacity` values wait already; a refusal changes nothing.
   *
   * @example
   * setInterval(() => tick.deliver(), 100);
   */
  deliver(value: T): void {
    if (!this.open) throw new SourceClosedError(this.kernel.name, this.name);
    const t = this.waiters.popFront();
    if (t !== null) {
      assert(this.queued === 0, 'a source has waiters only while nothing is queued');
      wake(t, { done: false, value });
      return;
    }
    if (this.queued >= this.capacity)
      throw new LimitExceededError(
        `source "${this.name}" of ${this.kernel.name}: ${this.capacity} values wait to be taken (capacity)`,
      );
    this.values.push(value);
  }

  /**
   * From a thread of the source's kernel: the next delivered value, waiting for one if none
   * is queued; `{ done: true }` once the source is closed and every value was taken.
   * A timeout ends the wait with TimeoutError (ETIMEDOUT).
   *
   * @example
   * const r = yield* irq.next(); if (r.done) return; serve(r.value);
   */
  next(timeoutMs?: number): Operation<SourceResult<T>> {
    const self = enter('HostSource.next()', timeoutMs);
    if (self.kernel !== this.kernel)
      return failed(
        self,
        new CrossKernelError(
          `source "${this.name}"`,
          this.kernel.name,
          self.toString(),
          self.kernel.name,
        ),
      );
    if (this.queued > 0) {
      // A grant: if the thread abandons the operation before it sees the value, it goes back.
      const op = granted(self, this) as unknown as Operation<SourceResult<T>>;
      self.opValue = { done: false, value: this.take() };
      return op;
    }
    if (!this.open) return completed(self, DONE);
    block(self, this, WAIT_SOURCE, timeoutMs);
    this.waiters.enqueue(self);
    return suspended(self);
  }

  /**
   * Closes the line: run() no longer waits for it, waiters in next() get `{ done: true }`,
   * values already queued are still taken. Closing a closed source does nothing, so a
   * `finally` may always close.
   *
   * @example
   * server.close(() => irq.close());
   */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.kernel.sources.delete(this as HostSource<unknown>);
    for (let t = this.waiters.popFront(); t !== null; t = this.waiters.popFront()) wake(t, DONE);
    this.kernel.pokeHost(); // an idle run() looks again: this may have been the last source
  }

  /**
   * @internal `t` was handed a value and is killed (or abandons next()) before it saw it: the
   * value goes to the next waiter, or back to the front of the queue, so none is lost.
   */
  revokeGrant(t: Thread): void {
    const r = t.opValue as SourceResult<T> | undefined;
    if (r === undefined || r.done) return;
    const next = this.waiters.popFront();
    if (next !== null) wake(next, r);
    else if (this.head > 0) this.values[--this.head] = r.value;
    else this.values.unshift(r.value);
  }

  private take(): T {
    const value = this.values[this.head]!;
    this.values[this.head++] = undefined as T; // let it be collected
    if (this.head === this.values.length) {
      this.values.length = 0;
      this.head = 0;
    }
    return value;
  }

  toString(): string {
    return `source "${this.name}"`;
  }
}
