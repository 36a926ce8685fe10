/**
 * Typed errors of the block layer: what a requester gets for a request a device refuses or
 * fails. Each is a GreenkernelError with a stable code, so callers branch on `err.code`.
 *
 * Interface: BlockRangeError (ERANGE), BlockBufferError (EINVAL), DeviceIOError (EIO),
 * DeviceDetachedError (ENODEV).
 * Invariant: the first two (and a detached device) are raised before a request changes
 * anything: no epoch, request number, queue slot or byte of the device moves.
 */
import { GreenkernelError } from '../index.ts';

/** A block range outside the device: lba or count negative, fractional, or past the end. */
export class BlockRangeError extends GreenkernelError {
  readonly device: string;
  readonly lba: number;
  readonly count: number;
  /**
   * @example
   * throw new BlockRangeError('dev0', 70, 2, 64);
   */
  constructor(device: string, lba: number, count: number, blockCount: number) {
    super(
      'ERANGE',
      `${device}: blocks [${String(lba)}, +${String(count)}) are outside the device (${blockCount} blocks)`,
    );
    this.device = device;
    this.lba = lba;
    this.count = count;
  }
}

/** A buffer whose size is not count * blockSize bytes (or that is not a Uint8Array). */
export class BlockBufferError extends GreenkernelError {
  readonly device: string;
  /**
   * @example
   * throw new BlockBufferError('dev0', 4096, 512);
   */
  constructor(device: string, expected: number, got: number | string) {
    super(
      'EINVAL',
      `${device}: the buffer must be a Uint8Array of ${expected} bytes, got ${String(got)}`,
    );
    this.device = device;
  }
}

/** The device failed a request (a media error, an injected fault, a host I/O error). */
export class DeviceIOError extends GreenkernelError {
  readonly device: string;
  /** The request that failed: 'read', 'write', 'flush' or 'barrier'. */
  readonly op: string;
  /** The first block of the failed request (-1 for flush and barrier). */
  readonly lba: number;
  /**
   * @example
   * throw new DeviceIOError('dev0', 'write', 17, 'injected fault');
   */
  constructor(device: string, op: string, lba: number, why: string, options?: { cause?: unknown }) {
    super('EIO', `${device}: ${op}${lba >= 0 ? ` at lba ${lba}` : ''} failed: ${why}`, options);
    this.device = device;
    this.op = op;
    this.lba = lba;
  }
}

/** The device is not attached to a kernel (never attached, or detached). */
export class DeviceDetachedError extends GreenkernelError {
  readonly device: string;
  /**
   * @example
   * throw new DeviceDetachedError('dev0', 'it was detached');
   */
  constructor(device: string, why: string) {
    super('ENODEV', `${device}: no device: ${why}`);
    this.device = device;
  }
}
