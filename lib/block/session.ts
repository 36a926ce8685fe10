/**
 * The block session: what a file system uses to talk to a device, and what a cache both
 * consumes and offers, so components stack (fs -> cache -> device, or fs -> device).
 *
 * Interface (every operation is a greenkernel Operation, called with `yield*` from a thread):
 *   `read(lba, count, into)`            fills `into` (count * blockSize bytes) from the device
 *   `write(lba, count, data, { fua })`  queues a write of the current epoch; returns when the
 *                                       device completed it (stable only if `fua` is set)
 *   `barrier()`                         closes the current epoch: every write issued before it
 *                                       is stable before any write issued after it
 *   `flush()`                           every write completed before it is stable when it returns
 *   `epoch`                             the number of the epoch new writes belong to (from 0)
 * Invariants: a request is checked before anything changes (range, buffer size, detached
 * device), and a rejected request changes nothing; requests are completed by the device's own
 * kernel thread (its "interrupt" thread), never on the requester's or the host's stack; a
 * requester blocked on I/O waits on a registered wait kind whose owner is that thread, so an
 * I/O wait takes part in cycle detection. Epochs only grow.
 */
import type { Operation } from '../index.ts';

/** Options of one write. */
export interface WriteOptions {
  /** Force unit access: the write is stable when it completes (Linux REQ_FUA). */
  readonly fua?: boolean;
}

/** What a completed write reports. */
export interface WriteResult {
  /** The epoch the write belonged to (the session's `epoch` when it was issued). */
  readonly epoch: number;
  /** True when the write is stable (FUA, or a device without a volatile cache). */
  readonly stable: boolean;
}

/** A block device as a file system or a cache sees it. */
export interface BlockSession {
  /** For reports: "waiting for I/O on dev0 lba 17". */
  readonly name: string;
  /** Bytes per block: a power of two, at least 512. */
  readonly blockSize: number;
  /** Blocks on the device: lba in [0, blockCount). */
  readonly blockCount: number;
  /** The epoch that writes issued now belong to; `barrier()` increments it. */
  readonly epoch: number;
  read(lba: number, count: number, into: Uint8Array): Operation<void>;
  write(
    lba: number,
    count: number,
    data: Uint8Array,
    options?: WriteOptions,
  ): Operation<WriteResult>;
  /** Closes the current epoch and returns the number of the new one. */
  barrier(): Operation<number>;
  flush(): Operation<void>;
}
