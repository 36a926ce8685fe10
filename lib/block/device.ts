/**
 * BlockDevice: the request queue and the "interrupt" thread every device shares; a device
 * subclass supplies only `serve(request)`, which runs on that thread.
 *
 * Interface: the BlockSession (read, write, barrier, flush, epoch, name, blockSize,
 * blockCount), plus attach(kernel) -> irq thread, detach(reason?), attached, irqThread,
 * queueDepth, requests (accepted so far), and for subclasses and wrappers `serve(request)`.
 * Invariants:
 *  - a request is checked (range, buffer, options, attached) before anything changes: a refused
 *    request moves no epoch, no request number, no queue slot and no byte;
 *  - at most `queueDepth` requests are accepted and not yet completed; a requester that finds
 *    the queue full waits (WAIT_IO_SLOT) in a FIFO backlog, so requests reach the device in the
 *    order they were issued, whatever the requesters' priorities (epochs rely on it);
 *  - requests are served one at a time, in order, by the daemon kernel thread `<name>.irq`, and
 *    completed (the requester woken) by it: never on the requester's or the host's stack;
 *  - a requester waits on its request (WAIT_IO, WAIT_IO_FLUSH) or on the queue (WAIT_IO_SLOT),
 *    all owned by the irq thread, so an I/O wait takes part in cycle detection;
 *  - `epoch` only grows: barrier() closes it when it is accepted, so writes issued after the
 *    barrier belong to the next epoch;
 *  - after detach() every accepted or waiting request fails with DeviceDetachedError, and new
 *    ones are refused with it until the device is attached again.
 */
import {
  assert,
  block,
  enter,
  failed,
  rewait,
  suspended,
  wake,
  wakeWithError,
  type KernelCore,
  type Thread,
} from '../spi.ts';
import { GreenkernelError, InvalidArgumentError, type Operation, type Routine } from '../index.ts';
import { BlockBufferError, BlockRangeError, DeviceDetachedError } from './errors.ts';
import { failRequest, IdleWait, irqLoop, kindOf, SlotWait } from './irq.ts';
import { WAIT_IO_SLOT } from './kinds.ts';
import { BlockRequest, type BlockOp } from './request.ts';
import type { BlockSession, WriteOptions, WriteResult } from './session.ts';

/** Requests accepted and not completed, by default (a SATA NCQ queue holds 32). */
export const DEFAULT_QUEUE_DEPTH = 32;
/** The deepest queue a device may have (NVMe allows 64 Ki; a hosted device needs far less). */
export const MAX_QUEUE_DEPTH = 4096;
/** The largest block: 1 MiB (a larger one is a configuration mistake, not a device). */
export const MAX_BLOCK_SIZE = 1 << 20;

/** The geometry and queue of a device. */
export interface BlockDeviceOptions {
  /** For reports ("waiting for I/O on dev0 lba 17") and the irq thread's name. Default 'dev0'. */
  readonly name?: string;
  /** Bytes per block: a power of two in [512, MAX_BLOCK_SIZE]. Default 4096. */
  readonly blockSize?: number;
  /** Blocks on the device (a positive safe integer). */
  readonly blockCount: number;
  /** Requests accepted at once, in [1, MAX_QUEUE_DEPTH]. Default DEFAULT_QUEUE_DEPTH. */
  readonly queueDepth?: number;
}

/** A device: a request queue served in order by its own kernel thread. */
export abstract class BlockDevice implements BlockSession {
  readonly name: string;
  readonly blockSize: number;
  readonly blockCount: number;
  readonly queueDepth: number;
  private epochNow = 0;
  private accepted = 0;
  /** Accepted requests, in order; the head is the one being served. */
  private readonly queue: BlockRequest[] = [];
  private readonly slots: SlotWait;
  private readonly idle: IdleWait;
  private irq: Thread | null = null;
  /** The device that serves through this one (a wrapper), which then is the one attached. */
  private claimedBy: BlockDevice | null = null;

  /**
   * @example
   * class NullDisk extends BlockDevice { *serve() { return true; } }
   * const dev = new NullDisk({ name: 'null0', blockCount: 64 });
   */
  constructor(options: BlockDeviceOptions) {
    if (options === null || typeof options !== 'object')
      throw new InvalidArgumentError('a block device needs options { blockCount, ... }');
    const name = options.name ?? 'dev0';
    if (typeof name !== 'string' || name === '')
      throw new InvalidArgumentError('a block device name must be a non-empty string');
    const blockSize = options.blockSize ?? 4096;
    if (
      !Number.isInteger(blockSize) ||
      blockSize < 512 ||
      blockSize > MAX_BLOCK_SIZE ||
      (blockSize & (blockSize - 1)) !== 0
    )
      throw new InvalidArgumentError(
        `${name}: blockSize must be a power of two in [512, ${MAX_BLOCK_SIZE}], got ${String(blockSize)}`,
      );
    const blockCount = options.blockCount;
    if (!Number.isSafeInteger(blockCount) || blockCount < 1)
      throw new InvalidArgumentError(
        `${name}: blockCount must be a positive integer, got ${String(blockCount)}`,
      );
    const depth = options.queueDepth ?? DEFAULT_QUEUE_DEPTH;
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_QUEUE_DEPTH)
      throw new InvalidArgumentError(
        `${name}: queueDepth must be an integer in [1, ${MAX_QUEUE_DEPTH}], got ${String(depth)}`,
      );
    this.name = name;
    this.blockSize = blockSize;
    this.blockCount = blockCount;
    this.queueDepth = depth;
    this.slots = new SlotWait(this);
    this.idle = new IdleWait(this);
  }

  /** The epoch writes issued now belong to; barrier() increments it. */
  get epoch(): number {
    return this.epochNow;
  }

  /** Requests accepted so far (the next request's number). */
  get requests(): number {
    return this.accepted;
  }

  /** The device's irq thread while attached, else null. */
  get irqThread(): Thread | null {
    return this.irq;
  }

  get attached(): boolean {
    return this.irq !== null;
  }

  /**
   * Attaches the device to `kernel`: spawns its daemon kernel thread `<name>.irq`, which serves
   * requests in order. Returns that thread. From the host or from a thread.
   *
   * @example
   * const dev = new MemoryDisk({ blockCount: 64 }); dev.attach(kernel);
   */
  attach(kernel: KernelCore): Thread {
    if (this.irq !== null)
      throw new InvalidArgumentError(`${this.name} is already attached to ${this.irq.kernel.name}`);
    if (this.claimedBy !== null)
      throw new InvalidArgumentError(
        `${this.name} is wrapped by ${this.claimedBy.name}: attach the wrapper`,
      );
    this.attachedTo(kernel);
    const irq = kernel.spawn(() => irqLoop(this), {
      name: `${this.name}.irq`,
      kind: 'kernel',
      daemon: true,
    });
    this.irq = irq;
    return irq;
  }

  /**
   * Detaches the device: every accepted or waiting request fails with DeviceDetachedError, the
   * irq thread ends, and new requests are refused until attach() is called again. A detached
   * device keeps its contents. Detaching a detached device does nothing.
   *
   * @example
   * dev.detach('unplugged');
   */
  detach(reason = 'it was detached'): void {
    const irq = this.irq;
    if (irq === null) return;
    this.irq = null;
    this.idle.waiter = null;
    const error = (): DeviceDetachedError => new DeviceDetachedError(this.name, reason);
    for (const r of this.slots.backlog.splice(0)) failRequest(r, error());
    for (const r of this.queue.splice(0)) failRequest(r, error());
    // The irq thread may be detaching its own device (from serve): its loop then returns.
    if (irq.kernel.current !== irq && irq.stateName !== 'exited') irq.kernel.kill(irq, reason);
  }

  /**
   * Reads `count` blocks from `lba` into `into` (count * blockSize bytes).
   *
   * @example
   * const buf = new Uint8Array(dev.blockSize); yield* dev.read(17, 1, buf);
   */
  read(lba: number, count: number, into: Uint8Array): Operation<void> {
    const self = enter(`${this.name}.read()`);
    const refused = this.check(lba, count, into);
    if (refused !== null) return failed(self, refused);
    return this.submit(self, 'read', lba, count, into, false);
  }

  /**
   * Writes `count` blocks from `data` at `lba`, in the current epoch; returns when the device
   * completed it (stable only with `fua`, or on a device without a volatile cache).
   *
   * @example
   * const { epoch, stable } = yield* dev.write(17, 1, data, { fua: true });
   */
  write(
    lba: number,
    count: number,
    data: Uint8Array,
    options?: WriteOptions,
  ): Operation<WriteResult> {
    const self = enter(`${this.name}.write()`);
    let refused = this.check(lba, count, data);
    const fua = options?.fua ?? false;
    if (
      refused === null &&
      (options === null || (options !== undefined && typeof options !== 'object'))
    )
      refused = new InvalidArgumentError(`${this.name}.write(): options must be an object`);
    if (refused === null && typeof fua !== 'boolean')
      refused = new InvalidArgumentError(`${this.name}.write(): fua must be a boolean`);
    if (refused !== null) return failed(self, refused);
    return this.submit(self, 'write', lba, count, data, fua);
  }

  /**
   * Closes the current epoch: every write issued before it becomes stable before any write
   * issued after it. Returns the new epoch's number once the device has taken the barrier.
   *
   * @example
   * yield* dev.write(0, 1, journal); const next = yield* dev.barrier(); yield* dev.write(9, 1, commit);
   */
  barrier(): Operation<number> {
    const self = enter(`${this.name}.barrier()`);
    const refused = this.check(-1, 0, null);
    if (refused !== null) return failed(self, refused);
    return this.submit(self, 'barrier', -1, 0, null, false);
  }

  /**
   * Makes every write completed before it stable, then returns.
   *
   * @example
   * yield* dev.write(3, 1, data); yield* dev.flush(); // data survives crash()
   */
  flush(): Operation<void> {
    const self = enter(`${this.name}.flush()`);
    const refused = this.check(-1, 0, null);
    if (refused !== null) return failed(self, refused);
    return this.submit(self, 'flush', -1, 0, null, false);
  }

  /**
   * Carries out one request, on the irq thread (or on a wrapper's): fills `request.data` for a
   * read; for a write returns true when it is stable on completion. Throw DeviceIOError to
   * fail it. It may block (sleep for latency, hostcall for host I/O).
   *
   * @example
   * *serve(request) { yield* sleep(this.latency); return this.apply(request); }
   */
  abstract serve(request: BlockRequest): Routine<boolean>;

  /**
   * For a wrapper's constructor: `inner` is served through this device from now on, and is no
   * longer attached on its own.
   *
   * @example
   * constructor(inner: BlockDevice) { super({ ...geometry(inner) }); this.claim(inner); }
   */
  protected claim(inner: BlockDevice): void {
    if (inner === this) throw new InvalidArgumentError(`${this.name} cannot wrap itself`);
    if (inner.irq !== null || inner.claimedBy !== null)
      throw new InvalidArgumentError(
        `${inner.name} is ${inner.irq !== null ? 'attached' : `wrapped by ${inner.claimedBy!.name}`}: it cannot be wrapped`,
      );
    if (inner.blockSize !== this.blockSize || inner.blockCount !== this.blockCount)
      throw new InvalidArgumentError(`${this.name}: the wrapped device has another geometry`);
    inner.claimedBy = this;
  }

  /**
   * Called when the device (or a wrapper around it) is attached to `kernel`: a device that
   * draws random numbers takes its stream here. Default: nothing.
   *
   * @example
   * protected attachedTo(kernel: KernelCore) { this.rng = kernel.random(this.name); }
   */
  protected attachedTo(kernel: KernelCore): void {
    void kernel;
  }

  /** For a wrapper: passes attachedTo on to the device it wraps. */
  protected static attachedToInner(inner: BlockDevice, kernel: KernelCore): void {
    inner.attachedTo(kernel);
  }

  /** True when this device, or the wrapper serving through it, is attached. */
  protected get inUse(): boolean {
    return this.irq !== null || (this.claimedBy !== null && this.claimedBy.inUse);
  }

  /** The refusal of a request, or null: nothing has changed yet. */
  private check(lba: number, count: number, buffer: Uint8Array | null): GreenkernelError | null {
    if (lba !== -1 || buffer !== null) {
      if (
        !Number.isSafeInteger(lba) ||
        !Number.isSafeInteger(count) ||
        lba < 0 ||
        count < 1 ||
        lba + count > this.blockCount
      )
        return new BlockRangeError(this.name, lba, count, this.blockCount);
      const bytes = count * this.blockSize;
      if (!(buffer instanceof Uint8Array) || buffer.byteLength !== bytes)
        return new BlockBufferError(
          this.name,
          bytes,
          buffer instanceof Uint8Array ? `${buffer.byteLength} bytes` : typeof buffer,
        );
    }
    if (this.irq === null)
      return new DeviceDetachedError(
        this.name,
        this.claimedBy !== null ? `it is wrapped by ${this.claimedBy.name}` : 'it is not attached',
      );
    return null;
  }

  /** Accepts a checked request: into the queue, or into the backlog while the queue is full. */
  private submit<T>(
    self: Thread,
    op: BlockOp,
    lba: number,
    count: number,
    data: Uint8Array | null,
    fua: boolean,
  ): Operation<T> {
    const request = new BlockRequest(this, op, this.accepted, lba, count, data, fua, this.epochNow);
    const full = this.queue.length >= this.queueDepth;
    // block() may refuse the wait (a cycle through the irq thread): then nothing has changed.
    if (full) block(self, this.slots, WAIT_IO_SLOT, undefined);
    else block(self, request, kindOf(op), undefined);
    this.accepted++;
    if (op === 'barrier') this.epochNow++;
    request.waiter = self;
    if (full) {
      this.slots.backlog.push(request);
      return suspended<T>(self);
    }
    this.queue.push(request);
    this.idle.kick();
    return suspended<T>(self);
  }

  /** @internal The irq loop's view: the request to serve next, or null. */
  next(): BlockRequest | null {
    return this.queue.length === 0 ? null : this.queue[0]!;
  }

  /** @internal The irq loop's idle wait. */
  waitForWork(self: Thread): Operation<void> {
    return this.idle.wait(self);
  }

  /** @internal The head request was served: complete it and admit the backlog's head. */
  complete(request: BlockRequest, ok: boolean, outcome: unknown): void {
    assert(this.queue[0] === request, 'the irq thread completes the head of its queue');
    this.queue.shift();
    const t = request.waiter;
    if (t !== null) {
      request.waiter = null;
      if (ok) wake(t, outcome);
      else wakeWithError(t, outcome);
    }
    const admitted = this.slots.backlog.shift();
    if (admitted !== undefined) {
      this.queue.push(admitted);
      if (admitted.waiter !== null) rewait(admitted.waiter, admitted, kindOf(admitted.op));
    }
  }
}
