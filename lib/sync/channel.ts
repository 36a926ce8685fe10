/**
 * Wait channels: sleep on an arbitrary key, wake everyone sleeping on it (NetBSD tsleep/wakeup).
 *
 * Interface: `yield* tsleep(key, timeoutMs?)`, `wakeup(key, kernel?)`, `wakeupOne(key, kernel?)`.
 * Invariants: a channel exists in its kernel's table only while someone sleeps on it, so the
 * table never grows with keys that were merely used once. A wakeup with nobody asleep does
 * nothing — the classic lost wakeup, which stall detection reports. Keys are compared with
 * SameValueZero (Map semantics): objects by identity, strings and numbers by value.
 */
import { InvalidArgumentError } from '../kernel/errors.ts';
import { KernelSlot, type KernelCore as Kernel } from '../kernel/kernel.ts';
import { cpu, enter, suspended, type Operation } from '../kernel/operation.ts';
import { takeWaiters } from './priority.ts';
import { ThreadQueue } from '../kernel/queue.ts';
import { NO_OWNERS, type Thread, type Waitable } from '../kernel/thread.ts';
import { registerWaitKind } from '../kernel/waitkind.ts';
import { block, wake } from '../kernel/waits.ts';

export const WAIT_CHANNEL = registerWaitKind({
  name: 'channel',
  durable: true,
  ownerless: true,
  stallHint: () => 'lost wakeup? no thread is left to wakeup() this channel',
});

/** Each kernel's channels, by key. */
const TABLE = new KernelSlot<Map<unknown, WaitChannel>>('wait channels');

/** The sleepers of one key. Created on the first sleep, dropped when the last sleeper leaves. */
export class WaitChannel implements Waitable {
  /** @internal */ readonly waiters = new ThreadQueue<Thread>();
  constructor(
    private readonly table: Map<unknown, WaitChannel>,
    readonly key: unknown,
  ) {}
  get resourceKind(): string {
    return 'channel';
  }
  get name(): string {
    return typeof this.key === 'object' && this.key !== null
      ? describeObjectKey(this.key)
      : String(this.key);
  }
  owners(): readonly Thread[] {
    return NO_OWNERS;
  }
  soleOwner(): null {
    return null;
  }
  removeWaiter(t: Thread): void {
    this.waiters.remove(t);
    this.dropIfEmpty();
  }
  /**
   * SPI (Waitable): `t` was woken and killed before it ran: the wake-up goes to the next sleeper, if
   * any is still here (after a wakeupOne; a wakeup of all left none). Sleepers must re-check
   * their condition anyway, so a wake-up that turns out spurious is allowed.
   */
  revokeGrant(t: Thread): void {
    const next = this.waiters.popFront();
    if (next === null) return;
    wake(next, undefined);
    this.dropIfEmpty();
  }
  /** @internal */
  dropIfEmpty(): void {
    if (this.waiters.length === 0) this.table.delete(this.key);
  }
}

function tableOf(kernel: Kernel): Map<unknown, WaitChannel> {
  let table = kernel.extension(TABLE);
  if (table === undefined) kernel.setExtension(TABLE, (table = new Map()));
  return table;
}

/**
 * Sleeps on `key` until a wakeup on it (or the timeout: TimeoutError).
 *
 * @example
 * while (!buf.done) yield* tsleep(buf);
 */
export function tsleep(key: unknown, timeoutMs?: number): Operation<void> {
  const self = enter('tsleep()', timeoutMs);
  const kernel = self.kernel;
  const table = tableOf(kernel);
  let channel = table.get(key);
  const created = channel === undefined;
  if (channel === undefined) channel = new WaitChannel(table, key);
  block(self, channel, WAIT_CHANNEL, timeoutMs);
  if (created) table.set(key, channel);
  channel.waiters.enqueue(self);
  return suspended<void>(self);
}

/**
 * Wakes every thread sleeping on `key`; returns how many. `kernel` defaults to the running
 * thread's kernel and is required when called from the host.
 *
 * @example
 * buf.done = true; wakeup(buf);
 */
export function wakeup(key: unknown, kernel?: Kernel): number {
  return wakeN(key, kernel, Infinity);
}

/**
 * Wakes the highest-priority thread sleeping on `key` (FIFO among equals); returns 1 or 0.
 *
 * @example
 * wakeupOne(freeList);
 */
export function wakeupOne(key: unknown, kernel?: Kernel): number {
  return wakeN(key, kernel, 1);
}

function wakeN(key: unknown, kernel: Kernel | undefined, limit: number): number {
  const k = kernel ?? cpu.current?.kernel;
  if (k === undefined)
    throw new InvalidArgumentError(
      'wakeup(key, kernel): pass the kernel when calling from the host',
    );
  const channel = k.extension(TABLE)?.get(key);
  if (channel === undefined) return 0;
  let n = 0;
  if (limit === 1) {
    const t = channel.waiters.popFront();
    if (t !== null) {
      wake(t, undefined);
      n = 1;
    }
  } else {
    const woken = takeWaiters(channel.waiters, limit);
    for (const t of woken) wake(t, undefined);
    n = woken.length;
  }
  channel.dropIfEmpty();
  return n;
}

function describeObjectKey(key: object): string {
  const name = (key as { name?: unknown }).name;
  if (typeof name === 'string') return name;
  const ctor = (key as { constructor?: { name?: string } }).constructor?.name;
  return ctor !== undefined && ctor !== '' ? `<${ctor}>` : '<object>';
}
