/**
 * Completion: a one-shot event, like Linux `struct completion` with complete_all.
 *
 * Interface: `yield* c.wait(timeoutMs?)`, `c.complete(value)`, `c.fail(error)`, `c.reset()`,
 * `c.declareHolder(thread)`.
 * Invariants: once settled it stays settled (until reset) and every wait returns at once with
 * the same value (or throws the same error); settling twice is EINVAL. A declared holder is the
 * thread expected to settle it — the wait-for graph draws waiter → holder, so a user thread
 * waiting for I/O completion that only a blocked kernel thread can deliver shows as a cycle.
 */
import { InvalidArgumentError } from '../kernel/errors.ts';
import { completed, enter, failed, suspended, type Operation } from '../kernel/operation.ts';
import { takeWaiters } from './priority.ts';
import { ThreadQueue } from '../kernel/queue.ts';
import { Resource } from '../kernel/resource.ts';
import { NO_OWNERS, type Thread } from '../kernel/thread.ts';
import { registerWaitKind } from '../kernel/waitkind.ts';
import { block, wake, wakeWithError } from '../kernel/waits.ts';

/** Ownerless until a holder is declared: cycle detection walks it (soleOwner answers). */
export const WAIT_COMPLETION = registerWaitKind({
  name: 'completion',
  durable: true,
  ownerless: false,
  stallHint: (_r, owners) =>
    owners.length > 0
      ? undefined
      : 'never completed, and no holder was declared (Completion.declareHolder) to show who should',
  phrase: (resource, owners) =>
    owners === ''
      ? `waits for completion "${resource.name}" (no owner)`
      : `waits for completion "${resource.name}" to be completed by ${owners}`,
});

export class Completion<T = void> extends Resource {
  /** @internal */ readonly waiters = new ThreadQueue<Thread>();
  private settled: 'no' | 'value' | 'error' = 'no';
  private outcome: unknown = undefined;
  private holder: Thread | null = null;

  /**
   * @example
   * const io = new Completion<Uint8Array>('read blk 7');
   */
  constructor(name = 'completion') {
    super(name);
  }

  get resourceKind(): string {
    return 'completion';
  }

  /** True once complete() or fail() was called (and not reset). */
  get done(): boolean {
    return this.settled !== 'no';
  }

  /**
   * Waits until the completion is settled; returns its value or throws its error.
   *
   * @example
   * const data = yield* io.wait();
   */
  wait(timeoutMs?: number): Operation<T> {
    const self = enter('Completion.wait()', timeoutMs);
    this.bind(self);
    if (this.settled === 'value') return completed(self, this.outcome as T);
    if (this.settled === 'error') return failed(self, this.outcome);
    block(self, this, WAIT_COMPLETION, timeoutMs);
    this.waiters.enqueue(self);
    return suspended<T>(self);
  }

  /**
   * Settles with `value` and wakes every waiter. From a thread or from the host.
   *
   * @example
   * io.complete(data);
   */
  complete(value: T): void {
    this.settle('value', value);
  }

  /**
   * Settles with `error`: every waiter (and every later wait) throws it.
   *
   * @example
   * io.fail(new DeviceError('EIO', 7));
   */
  fail(error: unknown): void {
    this.settle('error', error);
  }

  /**
   * Makes a settled completion reusable (like reinit_completion). Refused while threads wait.
   *
   * @example
   * io.reset();
   */
  reset(): void {
    if (this.waiters.length > 0)
      throw new InvalidArgumentError(
        `completion ${this.name}: reset with ${this.waiters.length} waiter(s)`,
      );
    this.settled = 'no';
    this.outcome = undefined;
  }

  /**
   * Declares which thread is expected to settle this completion, for the wait-for graph.
   *
   * @example
   * io.declareHolder(completionThread);
   */
  declareHolder(thread: Thread | null): void {
    this.holder = thread;
    // Waiters queued before now may close a wait-for cycle through the new holder.
    const changed = this.kernel === null ? undefined : this.kernel.hooks.waitChanged;
    if (changed !== undefined && thread !== null) {
      for (const w of this.waiters.toArray()) changed(w, this, WAIT_COMPLETION);
    }
  }

  /** SPI (Waitable). */
  owners(): readonly Thread[] {
    return this.holder === null || this.settled !== 'no' ? NO_OWNERS : [this.holder];
  }

  /** SPI (Waitable). */
  soleOwner(): Thread | null {
    return this.settled !== 'no' ? null : this.holder;
  }

  /** SPI (Waitable). */
  removeWaiter(t: Thread): void {
    this.waiters.remove(t);
  }

  private settle(how: 'value' | 'error', outcome: unknown): void {
    if (this.settled !== 'no')
      throw new InvalidArgumentError(`completion ${this.name} is already settled`);
    this.settled = how;
    this.outcome = outcome;
    // Highest priority first, FIFO among equals: the wake order of every primitive.
    for (const t of takeWaiters(this.waiters, Infinity)) {
      if (how === 'value') wake(t, outcome);
      else wakeWithError(t, outcome);
    }
  }
}
