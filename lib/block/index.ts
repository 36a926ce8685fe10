/**
 * greenkernel/block: block devices hosted on greenkernel threads — the block session a file
 * system or cache talks to, the device base with its request queue and irq thread, and the
 * devices: MemoryDisk, FileDisk, and the RecordingDisk and FaultDisk wrappers.
 */
export type { BlockSession, WriteOptions, WriteResult } from './session.ts';
export { BlockBufferError, BlockRangeError, DeviceDetachedError, DeviceIOError } from './errors.ts';
export { WAIT_IO, WAIT_IO_FLUSH, WAIT_IO_IDLE, WAIT_IO_SLOT } from './kinds.ts';
export { BlockRequest } from './request.ts';
export type { BlockOp } from './request.ts';
export { BlockDevice, DEFAULT_QUEUE_DEPTH, MAX_BLOCK_SIZE, MAX_QUEUE_DEPTH } from './device.ts';
export type { BlockDeviceOptions } from './device.ts';
export {
  DEFAULT_CACHE_BYTES,
  MAX_MEMORY_DISK_BYTES,
  MAX_UNSTABLE_WRITES,
  MemoryDisk,
} from './memory.ts';
export type { MemoryDiskLatency, MemoryDiskOptions, UnstableWrite } from './memory.ts';
export { chooseSurvivors, survivorsProblem } from './crash.ts';
export type { EpochTagged } from './crash.ts';
export { MAX_LOG_BYTES, RecordingDisk } from './recording.ts';
export type { LogEntry, LoggedOrder, LoggedWrite, RecordingDiskOptions } from './recording.ts';
export { FaultDisk, MAX_CHOSEN_FAULTS } from './fault.ts';
export type { FaultDiskOptions } from './fault.ts';
export { FileDisk } from './file.ts';
export type { FileDiskOptions } from './file.ts';
