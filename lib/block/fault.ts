/**
 * FaultDisk: a wrapper that fails chosen requests, or a seeded random share of them, with
 * DeviceIOError, to test how clients handle device errors.
 *
 * Interface: `new FaultDisk(inner, { failRequests?, rate?, ops?, seed? })`, the BlockDevice
 * session (attach the wrapper), `failRequest(n)`, `injected` (the request numbers failed).
 * Invariants: a failed request never reaches the inner device, so it changes nothing there (a
 * failed write writes nothing, a failed flush makes nothing stable); a request number is the
 * number of the request as the attached device accepted it (BlockRequest.seq: 0, 1, 2...);
 * the random choice draws one number per request of a chosen kind whenever `rate` is given,
 * from the kernel's stream `fault:<name>` (so it never moves the scheduler's choices), or
 * from `seed` before the wrapper is attached.
 */
import { SeededRandom, type KernelCore } from '../spi.ts';
import { InvalidArgumentError, type Routine } from '../index.ts';
import { BlockDevice } from './device.ts';
import { DeviceIOError } from './errors.ts';
import type { BlockOp, BlockRequest } from './request.ts';

/** Chosen request numbers kept at most (a test chooses a few). */
export const MAX_CHOSEN_FAULTS = 65536;

export interface FaultDiskOptions {
  /** Default: the inner device's name. */
  readonly name?: string;
  readonly queueDepth?: number;
  /** Request numbers (BlockRequest.seq) to fail. */
  readonly failRequests?: Iterable<number>;
  /** Fail each request of a kind in `ops` with this probability, in [0, 1]. */
  readonly rate?: number;
  /** The kinds of request `rate` applies to. Default: all ('read', 'write', 'flush', 'barrier'). */
  readonly ops?: readonly BlockOp[];
  /** Seed of the random choice before the wrapper is attached. Default 0. */
  readonly seed?: number;
}

const ALL_OPS: readonly BlockOp[] = ['read', 'write', 'flush', 'barrier'];
/** Resolution of `rate`: draws are integers below this. */
const RATE_SCALE = 0x100000000;

export class FaultDisk extends BlockDevice {
  readonly inner: BlockDevice;
  private readonly chosen = new Set<number>();
  private readonly threshold: number;
  private readonly ops: ReadonlySet<BlockOp>;
  private rng: SeededRandom;
  private readonly failed: number[] = [];

  /**
   * @example
   * const dev = new FaultDisk(new MemoryDisk({ blockCount: 64 }), { failRequests: [3], rate: 0.01 });
   */
  constructor(inner: BlockDevice, options: FaultDiskOptions = {}) {
    super({
      name: options.name ?? inner.name,
      blockSize: inner.blockSize,
      blockCount: inner.blockCount,
      queueDepth: options.queueDepth ?? inner.queueDepth,
    });
    const rate = options.rate;
    if (rate !== undefined && (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)))
      throw new InvalidArgumentError(`${this.name}: rate must be a number in [0, 1]`);
    this.threshold = rate === undefined ? -1 : Math.round(rate * RATE_SCALE);
    const ops = options.ops ?? ALL_OPS;
    if (!Array.isArray(ops) || ops.some((op) => !ALL_OPS.includes(op)))
      throw new InvalidArgumentError(
        `${this.name}: ops must list kinds among ${ALL_OPS.join(', ')}`,
      );
    this.ops = new Set(ops);
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed))
      throw new InvalidArgumentError(`${this.name}: seed must be a safe integer`);
    this.rng = new SeededRandom(seed);
    for (const n of options.failRequests ?? []) this.failRequest(n);
    this.claim(inner);
    this.inner = inner;
  }

  /**
   * Fails the request numbered `n` (if it has not been served yet).
   *
   * @example
   * dev.failRequest(dev.requests); // the next request fails
   */
  failRequest(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new InvalidArgumentError(`${this.name}: a request number is an integer >= 0`);
    if (this.chosen.size >= MAX_CHOSEN_FAULTS)
      throw new InvalidArgumentError(`${this.name}: more than ${MAX_CHOSEN_FAULTS} chosen faults`);
    this.chosen.add(n);
  }

  /** The numbers of the requests failed so far, in order. */
  get injected(): readonly number[] {
    return this.failed;
  }

  protected override attachedTo(kernel: KernelCore): void {
    this.rng = kernel.random(`fault:${this.name}`);
    BlockDevice.attachedToInner(this.inner, kernel);
  }

  /** Fails the request if chosen (or drawn), else serves it through the inner device. */
  override *serve(request: BlockRequest): Routine<boolean> {
    let fail = this.chosen.delete(request.seq);
    if (this.threshold >= 0 && this.ops.has(request.op)) {
      const draw = this.rng.nextUint32(); // drawn whether or not it is used: a fixed stream
      if (draw < this.threshold) fail = true;
    }
    if (fail) {
      this.failed.push(request.seq);
      throw new DeviceIOError(
        this.name,
        request.op,
        request.lba,
        `injected fault (request ${request.seq})`,
      );
    }
    return yield* this.inner.serve(request);
  }
}
