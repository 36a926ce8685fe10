/**
 * RecordingDisk: a wrapper that logs every completed write (with a copy of its data), flush and
 * barrier with its epoch, in completion order, as Linux dm-log-writes does, so that a crash
 * checker can rebuild every state a power loss could have left at any point of a run.
 *
 * Interface: `new RecordingDisk(inner, options?)`, the BlockDevice session (attach the
 * recorder, not the inner device), and for checkers: `log`, `unstableAt(prefix)`,
 * `crashImage(prefix, survivors)`, `pickSurvivors(prefix, rng)`.
 * Invariants: an entry is logged by the irq thread right after the inner device completed the
 * request, so log order is completion order; a request the inner device failed is not logged
 * (it did not complete); reads are not logged. `prefix` counts log entries: the state "after
 * the first `prefix` completions". A write is stable at a prefix when it was stable on
 * completion (FUA, or no volatile cache), or a flush, or a stable write of a later epoch,
 * completed after it within the prefix; the others are unstable there, and a crash keeps a
 * subset of them allowed by the epoch rule (crash.ts).
 * Limit: MAX_LOG_BYTES of logged write data (a run that writes more is refused with ELIMIT at
 * the write that crosses it, before the inner device sees it).
 */
import type { KernelCore, SeededRandom } from '../spi.ts';
import { InvalidArgumentError, LimitExceededError, type Routine } from '../index.ts';
import { chooseSurvivors, survivorsProblem } from './crash.ts';
import { BlockDevice } from './device.ts';
import { MemoryDisk } from './memory.ts';
import type { BlockRequest } from './request.ts';

/** Logged write data kept at most (256 MiB): a crash-checking run is short. */
export const MAX_LOG_BYTES = 256 << 20;

/** A completed write. `epoch` is the epoch it was issued in. */
export interface LoggedWrite {
  readonly kind: 'write';
  readonly epoch: number;
  readonly lba: number;
  readonly count: number;
  /** A copy of what was written. */
  readonly data: Uint8Array;
  readonly fua: boolean;
  /** Stable when it completed (FUA, or a device without a volatile cache). */
  readonly stable: boolean;
}

/** A completed flush (`epoch`: the epoch current when issued) or barrier (the epoch it closed). */
export interface LoggedOrder {
  readonly kind: 'flush' | 'barrier';
  readonly epoch: number;
}

/** One log entry, in completion order. */
export type LogEntry = LoggedWrite | LoggedOrder;

export interface RecordingDiskOptions {
  /** Default: the inner device's name, so reports name the device the client knows. */
  readonly name?: string;
  readonly queueDepth?: number;
  /**
   * The device's contents before the first logged write (blockCount * blockSize bytes).
   * Default: a MemoryDisk's stableImage(), else zeros.
   */
  readonly base?: Uint8Array;
}

export class RecordingDisk extends BlockDevice {
  readonly inner: BlockDevice;
  private readonly entries: LogEntry[] = [];
  private readonly base: Uint8Array;
  private logBytes = 0;

  /**
   * @example
   * const rec = new RecordingDisk(new MemoryDisk({ blockCount: 256 })); rec.attach(kernel);
   */
  constructor(inner: BlockDevice, options: RecordingDiskOptions = {}) {
    super({
      name: options.name ?? inner.name,
      blockSize: inner.blockSize,
      blockCount: inner.blockCount,
      queueDepth: options.queueDepth ?? inner.queueDepth,
    });
    const bytes = inner.blockCount * inner.blockSize;
    const base =
      options.base ?? (inner instanceof MemoryDisk ? inner.stableImage() : new Uint8Array(bytes));
    if (!(base instanceof Uint8Array) || base.byteLength !== bytes)
      throw new InvalidArgumentError(`${this.name}: base must be a Uint8Array of ${bytes} bytes`);
    this.claim(inner);
    this.inner = inner;
    this.base = base.slice();
  }

  protected override attachedTo(kernel: KernelCore): void {
    BlockDevice.attachedToInner(this.inner, kernel);
  }

  /** Every completed write, flush and barrier, in completion order. */
  get log(): readonly LogEntry[] {
    return this.entries;
  }

  /** Serves through the inner device, then logs what completed. */
  override *serve(request: BlockRequest): Routine<boolean> {
    if (request.op === 'write') {
      const size = request.data!.byteLength;
      if (this.logBytes + size > MAX_LOG_BYTES)
        throw new LimitExceededError(
          `${this.name}: the write log is full (${MAX_LOG_BYTES} bytes)`,
        );
      const stable = yield* this.inner.serve(request);
      this.logBytes += size;
      this.entries.push({
        kind: 'write',
        epoch: request.epoch,
        lba: request.lba,
        count: request.count,
        data: request.data!.slice(),
        fua: request.fua,
        stable,
      });
      return stable;
    }
    const stable = yield* this.inner.serve(request);
    if (request.op !== 'read') this.entries.push({ kind: request.op, epoch: request.epoch });
    return stable;
  }

  /**
   * Log indices of the writes that are not stable after the first `prefix` entries, in log
   * order: what a crash at that point may keep or lose.
   *
   * @example
   * rec.unstableAt(rec.log.length); // [] right after a flush
   */
  unstableAt(prefix: number): number[] {
    this.checkPrefix(prefix);
    const out: number[] = [];
    let flushed = false;
    let stableEpochAfter = -1; // highest epoch of a stable write completed after the scan point
    for (let i = prefix - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.kind === 'flush') flushed = true;
      else if (e.kind === 'write') {
        if (e.stable) stableEpochAfter = Math.max(stableEpochAfter, e.epoch);
        else if (!flushed && stableEpochAfter <= e.epoch) out.push(i);
      }
    }
    return out.reverse();
  }

  /**
   * The device's contents after a crash following the first `prefix` entries, keeping the
   * unstable writes whose log indices are in `survivors` (see unstableAt). Refused with
   * InvalidArgumentError when `survivors` holds an index that is not unstable there, or breaks
   * the epoch rule.
   *
   * @example
   * const u = rec.unstableAt(10); const img = rec.crashImage(10, u.slice(0, 1));
   */
  crashImage(prefix: number, survivors: Iterable<number>): Uint8Array {
    const unstable = this.unstableAt(prefix);
    const chosen = new Set<LoggedWrite>();
    const isUnstable = new Set(unstable);
    for (const i of survivors) {
      if (!isUnstable.has(i))
        throw new InvalidArgumentError(
          `${this.name}.crashImage(${prefix}): entry ${String(i)} is not an unstable write there`,
        );
      chosen.add(this.entries[i] as LoggedWrite);
    }
    const problem = survivorsProblem(
      unstable.map((i) => this.entries[i] as LoggedWrite),
      chosen,
    );
    if (problem !== null)
      throw new InvalidArgumentError(`${this.name}.crashImage(${prefix}): the set ${problem}`);
    const image = this.base.slice();
    const bs = this.blockSize;
    for (let i = 0; i < prefix; i++) {
      const e = this.entries[i]!;
      if (e.kind !== 'write' || (isUnstable.has(i) && !chosen.has(e))) continue;
      image.set(e.data, e.lba * bs);
    }
    return image;
  }

  /**
   * A seeded choice of survivors at `prefix` that the epoch rule allows (for random crash
   * testing; an exhaustive checker enumerates its own from unstableAt).
   *
   * @example
   * const img = rec.crashImage(p, rec.pickSurvivors(p, kernel.random('crash')));
   */
  pickSurvivors(prefix: number, rng: SeededRandom): number[] {
    const unstable = this.unstableAt(prefix).map((index) => ({
      index,
      epoch: this.entries[index]!.epoch,
    }));
    return chooseSurvivors(unstable, rng).map((w) => w.index);
  }

  private checkPrefix(prefix: number): void {
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > this.entries.length)
      throw new InvalidArgumentError(
        `${this.name}: prefix must be an integer in [0, ${this.entries.length}], got ${String(prefix)}`,
      );
  }
}
