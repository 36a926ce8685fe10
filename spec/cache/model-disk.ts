/**
 * A model block device for the cache's tests (not a test file): a volatile write cache like
 * MemoryDisk's, kept simple and observable — a log of every request in arrival order, writes
 * failing on demand, and crash() keeping only what is stable.
 */
import { GreenkernelError, sleep, type Routine } from '../../lib/index.ts';
import type { BlockSession, WriteOptions, WriteResult } from '../../lib/block/session.ts';

export interface LoggedRequest {
  readonly op: 'read' | 'write' | 'barrier' | 'flush';
  readonly lba: number;
  readonly count: number;
  readonly epoch: number;
  readonly fua: boolean;
  readonly time: number;
  /** The first four bytes of each block written (the tests put a write id there). */
  readonly ids: readonly number[];
  readonly failed: boolean;
}

export class ModelDisk implements BlockSession {
  epoch = 0;
  readonly current: Uint8Array;
  stable: Uint8Array;
  private unstable: { lba: number; data: Uint8Array }[] = [];
  readonly log: LoggedRequest[] = [];
  /** The next this many writes fail with EIO. */
  failNextWrites = 0;
  failedWrites = 0;
  now: () => number = () => 0;

  constructor(
    readonly blockCount: number,
    readonly blockSize = 512,
    readonly latency = 1,
    readonly name = 'model0',
  ) {
    this.current = new Uint8Array(blockCount * blockSize);
    this.stable = new Uint8Array(blockCount * blockSize);
  }

  *read(lba: number, count: number, into: Uint8Array): Routine<void> {
    yield* sleep(this.latency);
    into.set(this.current.subarray(lba * this.blockSize, (lba + count) * this.blockSize));
    this.push('read', lba, count, false, [], false);
  }

  *write(
    lba: number,
    count: number,
    data: Uint8Array,
    options?: WriteOptions,
  ): Routine<WriteResult> {
    const epoch = this.epoch;
    const fua = options?.fua === true;
    const copy = data.slice();
    const ids = Array.from({ length: count }, (_, i) => idAt(copy, i * this.blockSize));
    yield* sleep(this.latency);
    if (this.failNextWrites > 0) {
      this.failNextWrites--;
      this.failedWrites++;
      this.push('write', lba, count, fua, ids, true);
      throw new GreenkernelError('EIO', `${this.name}: write at lba ${lba} failed: injected`);
    }
    this.current.set(copy, lba * this.blockSize);
    this.unstable.push({ lba, data: copy });
    if (fua) this.stabilize();
    this.push('write', lba, count, fua, ids, false);
    return { epoch, stable: fua };
  }

  *barrier(): Routine<number> {
    this.push('barrier', -1, 0, false, [], false);
    return ++this.epoch;
  }

  *flush(): Routine<void> {
    yield* sleep(this.latency);
    this.stabilize();
    this.push('flush', -1, 0, false, [], false);
  }

  /** Power loss: only stable writes survive. */
  crash(): void {
    this.unstable = [];
    this.current.set(this.stable);
  }

  /** The id in block `lba` of an image. */
  idOf(image: Uint8Array, lba: number): number {
    return idAt(image, lba * this.blockSize);
  }

  private stabilize(): void {
    for (const w of this.unstable) this.stable.set(w.data, w.lba * this.blockSize);
    this.unstable = [];
  }

  private push(
    op: LoggedRequest['op'],
    lba: number,
    count: number,
    fua: boolean,
    ids: number[],
    failed: boolean,
  ): void {
    this.log.push({ op, lba, count, epoch: this.epoch, fua, time: this.now(), ids, failed });
  }
}

export function idAt(image: Uint8Array, offset: number): number {
  return new DataView(image.buffer, image.byteOffset + offset, 4).getUint32(0, true);
}

/** `count` blocks, each starting with `id` (then its block index) and filled with its low byte. */
export function block(id: number, blockSize: number, count = 1): Uint8Array {
  const b = new Uint8Array(blockSize * count).fill(id & 0xff);
  const v = new DataView(b.buffer);
  for (let i = 0; i < count; i++) v.setUint32(i * blockSize, id + i, true);
  return b;
}
