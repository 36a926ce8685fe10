/**
 * FileDisk: a device on a host file, through node:fs/promises (a FileHandle) and hostcall, so
 * the irq thread waits for the host without blocking the other threads.
 *
 * Interface: `await FileDisk.open(path, options)` (host side), the BlockDevice session,
 * `await disk.close()`.
 * Model: the host's page cache is the volatile cache — a completed write is stable only after
 * flush() (fdatasync) or with FUA (write, then fdatasync); a barrier is an fdatasync too, since
 * a file offers no cheaper ordering promise. Blocks past the end of the file read as zeros.
 * Host errors reach the requester as DeviceIOError (EIO) with the host error as `cause`.
 * Usable under either clock; under the virtual clock, virtual time stands still while a host
 * call is in flight (hostcall), so use kernel.run(), not runSync().
 */
import { open, type FileHandle } from 'node:fs/promises';
import { hostcall, InvalidArgumentError, type Routine } from '../index.ts';
import { BlockDevice, type BlockDeviceOptions } from './device.ts';
import { DeviceIOError } from './errors.ts';
import type { BlockRequest } from './request.ts';

export interface FileDiskOptions extends Omit<BlockDeviceOptions, 'blockCount'> {
  /** Blocks on the device. Default: the whole blocks the file holds (then it must hold one). */
  readonly blockCount?: number;
  /** Create the file if it does not exist (it is then extended to blockCount blocks). */
  readonly create?: boolean;
}

export class FileDisk extends BlockDevice {
  private handle: FileHandle | null;

  private constructor(options: BlockDeviceOptions, handle: FileHandle) {
    super(options);
    this.handle = handle;
  }

  /**
   * Opens (or creates) `path` as a device. Host side: await it before attaching.
   *
   * @example
   * const disk = await FileDisk.open('/tmp/disk.img', { blockCount: 256, create: true });
   * disk.attach(kernel);
   */
  static async open(path: string, options: FileDiskOptions = {}): Promise<FileDisk> {
    if (typeof path !== 'string' || path === '')
      throw new InvalidArgumentError('FileDisk.open(path): path must be a non-empty string');
    let handle: FileHandle;
    try {
      handle = await open(path, 'r+');
    } catch (error) {
      if (options.create !== true || (error as { code?: string }).code !== 'ENOENT') throw error;
      handle = await open(path, 'wx+'); // 'x': never truncate a file that appeared meanwhile
    }
    try {
      const blockSize = options.blockSize ?? 4096;
      const size = (await handle.stat()).size;
      const blockCount = options.blockCount ?? Math.floor(size / blockSize);
      const disk = new FileDisk({ ...options, blockSize, blockCount }, handle);
      const bytes = blockCount * blockSize;
      if (options.create === true && size < bytes) await handle.truncate(bytes);
      return disk;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Detaches the device and closes the file. Host side. Closing twice does nothing.
   *
   * @example
   * await disk.close();
   */
  async close(): Promise<void> {
    this.detach('the file was closed');
    const h = this.handle;
    this.handle = null;
    if (h !== null) await h.close();
  }

  /** Serves one request with host I/O (on the irq thread). */
  override *serve(request: BlockRequest): Routine<boolean> {
    const h = this.handle;
    if (h === null)
      throw new DeviceIOError(this.name, request.op, request.lba, 'the file is closed');
    try {
      switch (request.op) {
        case 'read': {
          const data = request.data!;
          const { bytesRead } = yield* hostcall(() =>
            h.read(data, 0, data.byteLength, request.lba * this.blockSize),
          );
          if (bytesRead < data.byteLength) data.fill(0, bytesRead); // past the end: zeros
          return true;
        }
        case 'write': {
          const data = request.data!;
          let done = 0;
          // A short write is legal for a file: write the rest (bounded: each call writes > 0).
          while (done < data.byteLength) {
            const { bytesWritten } = yield* hostcall(() =>
              h.write(data, done, data.byteLength - done, request.lba * this.blockSize + done),
            );
            if (bytesWritten <= 0) throw new Error('the host wrote nothing');
            done += bytesWritten;
          }
          if (request.fua) yield* hostcall(() => h.datasync());
          return request.fua;
        }
        default:
          yield* hostcall(() => h.datasync());
          return true;
      }
    } catch (error) {
      throw new DeviceIOError(this.name, request.op, request.lba, String(error), { cause: error });
    }
  }
}
