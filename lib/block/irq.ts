/**
 * The device's "interrupt" thread and the two waits around its queue: the body of
 * `<name>.irq`, where requesters wait for a slot in a full queue, and where the irq thread
 * waits for work.
 *
 * Interface: irqLoop(dev), SlotWait, IdleWait, kindOf(op), failRequest(r, error).
 * Invariants: the irq thread serves the head of the queue, then completes it (wakes its
 * requester) — the only place a request completes besides detach; it returns as soon as the
 * device no longer names it (detached), so a killed or replaced irq thread never completes a
 * request. The backlog is FIFO in issue order, not priority order: epochs rely on it.
 */
import {
  block,
  enter,
  NO_OWNERS,
  suspended,
  wake,
  wakeWithError,
  type Thread,
  type Waitable,
} from '../spi.ts';
import { GreenkernelError, type Operation, type Routine } from '../index.ts';
import type { BlockDevice } from './device.ts';
import { DeviceIOError } from './errors.ts';
import { WAIT_IO, WAIT_IO_FLUSH, WAIT_IO_IDLE } from './kinds.ts';
import type { BlockOp, BlockRequest } from './request.ts';
import type { WriteResult } from './session.ts';

/**
 * The wait kind of a requester whose request `op` is accepted.
 *
 * @example
 * block(self, request, kindOf('write'), undefined);
 */
export function kindOf(op: BlockOp): number {
  return op === 'read' || op === 'write' ? WAIT_IO : WAIT_IO_FLUSH;
}

/**
 * Wakes the requester of `r` (if it still waits) with `error`.
 *
 * @example
 * failRequest(r, new DeviceDetachedError(dev.name, 'unplugged'));
 */
export function failRequest(r: BlockRequest, error: unknown): void {
  const t = r.waiter;
  if (t === null) return;
  r.waiter = null;
  wakeWithError(t, error);
}

/** What a completed request returns to its requester. */
function outcomeOf(request: BlockRequest, stable: boolean): unknown {
  switch (request.op) {
    case 'write':
      return { epoch: request.epoch, stable } satisfies WriteResult;
    case 'barrier':
      return request.epoch + 1;
    default:
      return undefined;
  }
}

/**
 * The body of `<name>.irq`: serve the queue's head, complete it, repeat; idle when empty.
 *
 * @example
 * kernel.spawn(() => irqLoop(dev), { name: `${dev.name}.irq`, kind: 'kernel', daemon: true });
 */
export function* irqLoop(dev: BlockDevice): Routine<void> {
  const self = dev.irqThread;
  for (;;) {
    if (dev.irqThread !== self || self === null) return; // detached
    const request = dev.next();
    if (request === null) {
      yield* dev.waitForWork(self);
      continue;
    }
    let ok = true;
    let outcome: unknown;
    try {
      outcome = outcomeOf(request, yield* dev.serve(request));
    } catch (error) {
      ok = false;
      outcome =
        error instanceof GreenkernelError
          ? error
          : new DeviceIOError(dev.name, request.op, request.lba, String(error), { cause: error });
    }
    if (dev.irqThread !== self) return; // detached while serving: the request failed already
    dev.complete(request, ok, outcome);
  }
}

/** Requesters waiting for a queue slot, in issue order (not priority order: epochs need it). */
export class SlotWait implements Waitable {
  readonly resourceKind = 'io-queue';
  readonly backlog: BlockRequest[] = [];
  constructor(private readonly dev: BlockDevice) {}
  get name(): string {
    return this.dev.name;
  }
  owners(): readonly Thread[] {
    const irq = this.dev.irqThread;
    return irq === null ? NO_OWNERS : [irq];
  }
  soleOwner(): Thread | null {
    return this.dev.irqThread;
  }
  /** A requester gave up before its request was accepted: the request is dropped. */
  removeWaiter(t: Thread): void {
    const i = this.backlog.findIndex((r) => r.waiter === t);
    if (i >= 0) this.backlog.splice(i, 1);
  }
}

/** Where the irq thread waits for work; any requester wakes it. */
export class IdleWait implements Waitable {
  readonly resourceKind = 'io-idle';
  waiter: Thread | null = null;
  constructor(private readonly dev: BlockDevice) {}
  get name(): string {
    return this.dev.name;
  }
  owners(): readonly Thread[] {
    return NO_OWNERS;
  }
  removeWaiter(t: Thread): void {
    if (this.waiter === t) this.waiter = null;
  }
  wait(self: Thread): Operation<void> {
    enter(`${this.dev.name}.irq idle`);
    block(self, this, WAIT_IO_IDLE, undefined);
    this.waiter = self;
    return suspended<void>(self);
  }
  kick(): void {
    const t = this.waiter;
    if (t === null) return;
    this.waiter = null;
    wake(t, undefined);
  }
}
