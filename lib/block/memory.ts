/**
 * MemoryDisk: a device in memory with a volatile write cache, for tests and demos.
 *
 * Interface: `new MemoryDisk(options)`, the BlockDevice session, and for tests image(),
 * stableImage(), unstableWrites, crash(), latency in kernel time (options.latency).
 * Model (as a disk with a write-back cache and Linux FLUSH/FUA):
 *  - a completed write is visible to reads at once, but stable only once a flush completes,
 *    or at once with FUA;
 *  - epochs: a FUA write of epoch E first makes every write of an earlier epoch stable (the
 *    barrier between them promised it); writes of epoch N become stable no later than any of
 *    N+1;
 *  - crash() keeps what is stable and, of the unstable writes, a seeded choice that respects
 *    epochs: every unstable write of an epoch below some E survives, some of epoch E survive,
 *    none above E. Survivors land in completion order over the stable image, never over a
 *    newer stable write of the same block (a block remembers the request number that wrote it).
 * Limits: MAX_MEMORY_DISK_BYTES of contents; at most MAX_UNSTABLE_WRITES unstable writes and
 * `cacheBytes` of their data (past either, the cache writes back its oldest epoch on its own,
 * as a full disk cache does — allowed, since a write may become stable at any time).
 */
import { SeededRandom, type KernelCore } from '../spi.ts';
import { InvalidArgumentError, sleep, type Routine } from '../index.ts';
import { chooseSurvivors } from './crash.ts';
import { BlockDevice, type BlockDeviceOptions } from './device.ts';
import type { BlockRequest } from './request.ts';

/** The largest memory disk: 1 GiB (a test needs far less; it bounds a runaway size). */
export const MAX_MEMORY_DISK_BYTES = 1 << 30;
/** Unstable writes the volatile cache keeps before it writes back on its own. */
export const MAX_UNSTABLE_WRITES = 65536;
/** The volatile cache's default size: 16 MiB (disks have 8-256 MiB). */
export const DEFAULT_CACHE_BYTES = 16 << 20;

/** Latency of each request kind, in kernel ms (virtual under the virtual clock). Default 0. */
export interface MemoryDiskLatency {
  readonly read?: number;
  readonly write?: number;
  /** Flush and barrier. */
  readonly flush?: number;
}

export interface MemoryDiskOptions extends BlockDeviceOptions {
  readonly latency?: MemoryDiskLatency;
  /**
   * Seed of crash()'s choices before the disk is attached; once attached, the kernel's stream
   * `kernel.random('block:<name>')` is used, so a device never moves the scheduler's choices.
   */
  readonly seed?: number;
  /** False: no volatile cache, every write is stable when it completes. Default true. */
  readonly volatileCache?: boolean;
  /** Bytes of unstable data the cache holds, in [1, MAX_MEMORY_DISK_BYTES]. Default DEFAULT_CACHE_BYTES. */
  readonly cacheBytes?: number;
}

/** One completed write that is not stable yet. */
export interface UnstableWrite {
  /** The disk's own write number: 0, 1, 2... in completion order, over the disk's life. */
  readonly seq: number;
  readonly epoch: number;
  readonly lba: number;
  readonly count: number;
  readonly data: Uint8Array;
}

export class MemoryDisk extends BlockDevice {
  private readonly current: Uint8Array;
  private readonly stable: Uint8Array;
  /** Per block, the request number of the write stable there (-1: none). */
  private readonly stableSeq: Float64Array;
  private unstable: UnstableWrite[] = [];
  private readonly latency: Required<MemoryDiskLatency>;
  private readonly cached: boolean;
  private readonly cacheBytes: number;
  private unstableBytes = 0;
  private rng: SeededRandom;
  private writes = 0;

  /**
   * @example
   * const disk = new MemoryDisk({ name: 'dev0', blockSize: 512, blockCount: 64, latency: { write: 1 } });
   */
  constructor(options: MemoryDiskOptions) {
    super(options);
    const bytes = this.blockCount * this.blockSize;
    if (bytes > MAX_MEMORY_DISK_BYTES)
      throw new InvalidArgumentError(
        `${this.name}: ${bytes} bytes is more than a memory disk holds (${MAX_MEMORY_DISK_BYTES})`,
      );
    const l = options.latency ?? {};
    const ms = (v: number | undefined, what: string): number => {
      if (v === undefined) return 0;
      if (typeof v !== 'number' || !(v >= 0) || v === Infinity)
        throw new InvalidArgumentError(`${this.name}: latency.${what} must be a finite ms >= 0`);
      return v;
    };
    this.latency = {
      read: ms(l.read, 'read'),
      write: ms(l.write, 'write'),
      flush: ms(l.flush, 'flush'),
    };
    this.cached = options.volatileCache ?? true;
    const cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
    if (!Number.isSafeInteger(cacheBytes) || cacheBytes < 1 || cacheBytes > MAX_MEMORY_DISK_BYTES)
      throw new InvalidArgumentError(
        `${this.name}: cacheBytes must be an integer in [1, ${MAX_MEMORY_DISK_BYTES}]`,
      );
    this.cacheBytes = cacheBytes;
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed))
      throw new InvalidArgumentError(`${this.name}: seed must be a safe integer`);
    this.rng = new SeededRandom(seed);
    this.current = new Uint8Array(bytes);
    this.stable = new Uint8Array(bytes);
    this.stableSeq = new Float64Array(this.blockCount).fill(-1);
  }

  protected override attachedTo(kernel: KernelCore): void {
    this.rng = kernel.random(`block:${this.name}`);
  }

  /**
   * What reads return now: every completed write, stable or not. A copy.
   *
   * @example
   * t.deepEqual(disk.image().subarray(0, 512), expected);
   */
  image(): Uint8Array {
    return this.current.slice();
  }

  /**
   * What survives any crash: the stable writes only. A copy.
   *
   * @example
   * yield* disk.flush(); // now disk.stableImage() equals disk.image()
   */
  stableImage(): Uint8Array {
    return this.stable.slice();
  }

  /** The completed writes not yet stable, in completion order. */
  get unstableWrites(): readonly UnstableWrite[] {
    return this.unstable;
  }

  /**
   * Power loss: keeps what is stable and a seeded choice of the unstable writes that respects
   * epochs (see the module comment); the disk then holds that image, and nothing is unstable.
   * Only while neither the disk nor a wrapper around it is attached (detach first: requests in
   * flight at a power loss fail). Returns the write numbers (UnstableWrite.seq) of the unstable writes that survived.
   *
   * @example
   * dev.detach('power loss'); disk.crash(); dev.attach(kernel); // fsck the image
   */
  crash(): number[] {
    if (this.inUse)
      throw new InvalidArgumentError(
        `${this.name}.crash(): detach the device first (requests in flight fail at a power loss)`,
      );
    const survivors: number[] = [];
    for (const w of chooseSurvivors(this.unstable, this.rng)) {
      this.makeStable(w);
      survivors.push(w.seq);
    }
    this.unstable = [];
    this.unstableBytes = 0;
    this.current.set(this.stable);
    return survivors;
  }

  /** Serves one request (on the irq thread of this disk or of its wrapper). */
  override *serve(request: BlockRequest): Routine<boolean> {
    const bs = this.blockSize;
    switch (request.op) {
      case 'read': {
        if (this.latency.read > 0) yield* sleep(this.latency.read);
        const at = request.lba * bs;
        request.data!.set(this.current.subarray(at, at + request.count * bs));
        return true;
      }
      case 'write': {
        if (this.latency.write > 0) yield* sleep(this.latency.write);
        const at = request.lba * bs;
        const data = request.data!.slice();
        this.current.set(data, at);
        const w: UnstableWrite = {
          seq: this.writes++,
          epoch: request.epoch,
          lba: request.lba,
          count: request.count,
          data,
        };
        if (!this.cached || request.fua) {
          // The barrier before this epoch promised every earlier epoch stable first.
          this.stabilize((u) => u.epoch < request.epoch);
          this.makeStable(w);
          return true;
        }
        this.unstable.push(w);
        this.unstableBytes += data.byteLength;
        if (this.unstable.length > MAX_UNSTABLE_WRITES || this.unstableBytes > this.cacheBytes) {
          const oldest = this.unstable[0]!.epoch;
          this.stabilize((u) => u.epoch <= oldest);
        }
        return false;
      }
      case 'flush':
        if (this.latency.flush > 0) yield* sleep(this.latency.flush);
        this.stabilize(() => true);
        return true;
      case 'barrier':
        // Epochs are tagged on the writes: the cache orders them; nothing to write now.
        if (this.latency.flush > 0) yield* sleep(this.latency.flush);
        return true;
    }
  }

  /** Makes the unstable writes matching `which` stable, in completion order. */
  private stabilize(which: (w: UnstableWrite) => boolean): void {
    if (this.unstable.length === 0) return;
    const keep: UnstableWrite[] = [];
    let bytes = 0;
    for (const w of this.unstable) {
      if (which(w)) this.makeStable(w);
      else {
        keep.push(w);
        bytes += w.data.byteLength;
      }
    }
    this.unstable = keep;
    this.unstableBytes = bytes;
  }

  /** Puts a write in the stable image, block by block, unless a newer write is stable there. */
  private makeStable(w: UnstableWrite): void {
    const bs = this.blockSize;
    for (let i = 0; i < w.count; i++) {
      const b = w.lba + i;
      if (this.stableSeq[b]! > w.seq) continue;
      this.stableSeq[b] = w.seq;
      this.stable.set(w.data.subarray(i * bs, (i + 1) * bs), b * bs);
    }
  }
}
