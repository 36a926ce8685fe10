/**
 * Semaphore: a counting semaphore (Dijkstra's P/V as down/up).
 *
 * Interface: `yield* s.down(timeoutMs?)`, `s.tryDown()`, `s.up(n = 1)`, `s.count`.
 * Invariants: 0 <= count <= max; waiters exist only while count === 0; up() hands units
 * directly to waiters (highest priority first, FIFO among equals) before adding to count.
 * Ownerless: any thread (or the host) may up(), so an exhausted semaphore is found by stall
 * detection, not by cycle detection.
 */
import { assert } from '../kernel/assert.ts';
import { InvalidArgumentError, LimitExceededError } from '../kernel/errors.ts';
import { enter, granted, suspended, type Operation } from '../kernel/operation.ts';
import { takeWaiters } from './priority.ts';
import { ThreadQueue } from '../kernel/queue.ts';
import { Resource } from '../kernel/resource.ts';
import { NO_OWNERS, type Thread } from '../kernel/thread.ts';
import { registerWaitKind } from '../kernel/waitkind.ts';
import { block, wake } from '../kernel/waits.ts';

export const WAIT_SEMAPHORE = registerWaitKind({
  name: 'semaphore',
  durable: true,
  ownerless: true,
  stallHint: (r) =>
    `semaphore exhausted (count ${(r as Semaphore | null)?.count ?? '?'}): no thread left to up() it`,
});

export class Semaphore extends Resource {
  /** @internal */ readonly waiters = new ThreadQueue<Thread>();
  private units: number;
  /** The largest count allowed; up() past it is an error (a lost unit would be a bug). */
  readonly max: number;

  /**
   * @example
   * const slots = new Semaphore(4, 'ring.slots');
   */
  constructor(initial = 0, name = 'semaphore', max = Number.MAX_SAFE_INTEGER) {
    super(name);
    if (!Number.isSafeInteger(max) || max < 1)
      throw new InvalidArgumentError(
        `semaphore ${name}: max must be a positive integer, got ${max}`,
      );
    if (!Number.isSafeInteger(initial) || initial < 0 || initial > max) {
      throw new InvalidArgumentError(
        `semaphore ${name}: initial count must be an integer in [0, ${max}], got ${initial}`,
      );
    }
    this.units = initial;
    this.max = max;
  }

  get resourceKind(): string {
    return 'semaphore';
  }

  /** Units available now. */
  get count(): number {
    return this.units;
  }

  /**
   * Takes one unit, waiting while none is available. Throws TimeoutError after `timeoutMs`.
   *
   * @example
   * yield* slots.down();
   */
  down(timeoutMs?: number): Operation<void> {
    const self = enter('Semaphore.down()', timeoutMs);
    this.bind(self);
    if (this.units > 0) {
      this.units--;
      return granted(self, this);
    }
    block(self, this, WAIT_SEMAPHORE, timeoutMs);
    this.waiters.enqueue(self);
    return suspended<void>(self);
  }

  /**
   * Takes one unit if available; never waits.
   *
   * @example
   * if (slots.tryDown()) { ... }
   */
  tryDown(): boolean {
    this.bind(enter('Semaphore.tryDown()'));
    if (this.units === 0) return false;
    this.units--;
    return true;
  }

  /**
   * Returns `n` units, waking up to `n` waiters. From a thread or from the host.
   *
   * @example
   * slots.up();
   */
  up(n = 1): void {
    // The hand-off path (one unit): kept small so the compiler inlines it, and wake with it,
    // into the caller; counts and errors are upMany's.
    if (n !== 1) return this.upMany(n);
    const t = this.waiters.popFront();
    if (t !== null) return wake(t, undefined);
    if (this.units >= this.max) throw this.overflow(1);
    this.units++;
  }

  /** up(n) for any n: checked before anything changes, so a refused up() has no effect. */
  private upMany(n: number): void {
    if (!Number.isSafeInteger(n) || n < 1)
      throw new InvalidArgumentError(
        `semaphore ${this.name}: up(n) needs a positive integer, got ${n}`,
      );
    const toCount = n - Math.min(n, this.waiters.length);
    // Checked before anything changes, so a refused up() has no effect at all.
    if (this.units + toCount > this.max) throw this.overflow(n);
    const toWake = n - toCount;
    if (toWake === 1) {
      const t = this.waiters.popFront()!;
      wake(t, undefined);
    } else if (toWake > 1) {
      for (const t of takeWaiters(this.waiters, toWake)) wake(t, undefined);
    }
    this.units += toCount;
    assert(
      this.units <= this.max && (this.units === 0 || this.waiters.length === 0),
      'semaphore: units in range, and waiters only while none is left',
    );
  }

  private overflow(n: number): LimitExceededError {
    return new LimitExceededError(
      `semaphore ${this.name}: up(${n}) would exceed max ${this.max} (count ${this.units})`,
    );
  }

  /** Number of waiting threads. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** SPI (Waitable): Ownerless. */
  owners(): readonly Thread[] {
    return NO_OWNERS;
  }

  /** SPI (Waitable). */
  soleOwner(): null {
    return null;
  }

  /** SPI (Waitable). */
  removeWaiter(t: Thread): void {
    this.waiters.remove(t);
  }

  /** SPI (Waitable): A unit granted to `t`, killed before it saw it, goes back: to a waiter, or the count. */
  revokeGrant(): void {
    this.up(1);
  }
}
