/**
 * One block request, from the moment a device accepts it until its irq thread completes it; it
 * is also what the requester waits on, so the wait-for graph draws requester -> irq thread.
 *
 * Interface: BlockRequest (op, seq, lba, count, data, fua, epoch; waiter), BlockOp, IrqSource.
 * Invariants: the fields never change once the request is accepted; `waiter` is the thread
 * blocked on it, or null once it was woken or gave up (killed) — a request whose requester
 * gave up is still carried out, as a real device carries out a request it has accepted.
 * soleOwner() allocates nothing (it is asked on every block).
 */
import { NO_OWNERS, type Thread, type Waitable } from '../spi.ts';

/** What a request asks for. */
export type BlockOp = 'read' | 'write' | 'flush' | 'barrier';

/** What a request needs of its device: its name and the thread that completes its requests. */
export interface IrqSource {
  readonly name: string;
  readonly irqThread: Thread | null;
}

/** A request as a device's `serve` sees it, and as the requester waits on it. */
export class BlockRequest implements Waitable {
  readonly resourceKind = 'io';
  /** The thread blocked on this request, or null. */
  waiter: Thread | null = null;

  /**
   * @example
   * new BlockRequest(dev, 'write', 7, 17, 1, data, false, dev.epoch);
   */
  constructor(
    private readonly device: IrqSource,
    readonly op: BlockOp,
    /** The device's request number: 0, 1, 2... in the order requests were accepted. */
    readonly seq: number,
    /** First block (-1 for flush and barrier). */
    readonly lba: number,
    /** Blocks (0 for flush and barrier). */
    readonly count: number,
    /** Read: filled by the device. Write: the data, read by the device (not copied). */
    readonly data: Uint8Array | null,
    /** Write: force unit access (stable on completion). */
    readonly fua: boolean,
    /** The epoch of a write; for a barrier, the epoch it closes. */
    readonly epoch: number,
  ) {}

  /** For reports: "dev0 lba 17", "flush on dev0", "barrier on dev0 (closes epoch 3)". */
  get name(): string {
    switch (this.op) {
      case 'flush':
        return `flush on ${this.device.name}`;
      case 'barrier':
        return `barrier on ${this.device.name} (closes epoch ${this.epoch})`;
      default:
        return `${this.device.name} lba ${this.lba}`;
    }
  }

  /** SPI (Waitable): the irq thread completes it. */
  owners(): readonly Thread[] {
    const irq = this.device.irqThread;
    return irq === null ? NO_OWNERS : [irq];
  }

  /** SPI (Waitable). */
  soleOwner(): Thread | null {
    return this.device.irqThread;
  }

  /** SPI (Waitable): the requester gave up (killed); the device still carries the request out. */
  removeWaiter(t: Thread): void {
    if (this.waiter === t) this.waiter = null;
  }

  toString(): string {
    return `${this.op} ${this.name}`;
  }
}
