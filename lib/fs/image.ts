/**
 * ImageSession: a BlockSession over a byte array — a disk image in memory whose every write
 * is stable at once. The crash checker mounts its crash states on it and fsck reads images
 * from files with it; it has no device thread, so its operations complete without waiting.
 *
 * Interface: `new ImageSession(bytes, blockSize, name?)`; `image` is the array (shared).
 * Invariants: requests are checked (range, buffer size) before anything changes; epochs only
 * grow. It is not a device model: use the block layer's devices to run a file system "live".
 */
import { GreenkernelError, type Operation } from '../index.ts';
import type { BlockSession, WriteOptions, WriteResult } from '../block/session.ts';

export class ImageSession implements BlockSession {
  readonly blockCount: number;
  private currentEpoch = 0;

  /**
   * @example
   * const dev = new ImageSession(new Uint8Array(512 * 1024), 512);
   */
  constructor(
    readonly image: Uint8Array,
    readonly blockSize: number,
    readonly name = 'image',
  ) {
    if (blockSize < 512 || (blockSize & (blockSize - 1)) !== 0 || image.length % blockSize !== 0)
      throw new GreenkernelError(
        'EINVAL',
        `image of ${image.length} bytes, block size ${blockSize}`,
      );
    this.blockCount = image.length / blockSize;
  }

  get epoch(): number {
    return this.currentEpoch;
  }

  private check(lba: number, count: number, buf: Uint8Array): void {
    if (
      !Number.isInteger(lba) ||
      !Number.isInteger(count) ||
      count < 1 ||
      lba < 0 ||
      lba + count > this.blockCount
    )
      throw new GreenkernelError(
        'ERANGE',
        `${this.name}: blocks [${lba}, +${count}) outside [0, ${this.blockCount})`,
      );
    if (buf.length !== count * this.blockSize)
      throw new GreenkernelError(
        'EINVAL',
        `${this.name}: buffer of ${buf.length} bytes for ${count} blocks`,
      );
  }

  /** @example yield* dev.read(0, 1, buf); */
  *read(lba: number, count: number, into: Uint8Array): Operation<void> {
    this.check(lba, count, into);
    into.set(this.image.subarray(lba * this.blockSize, (lba + count) * this.blockSize));
  }

  /** @example yield* dev.write(0, 1, buf); */
  *write(
    lba: number,
    count: number,
    data: Uint8Array,
    _options?: WriteOptions,
  ): Operation<WriteResult> {
    this.check(lba, count, data);
    this.image.set(data, lba * this.blockSize);
    return { epoch: this.currentEpoch, stable: true };
  }

  /** @example yield* dev.barrier(); */
  *barrier(): Operation<number> {
    return ++this.currentEpoch;
  }

  /** @example yield* dev.flush(); */
  *flush(): Operation<void> {}
}
