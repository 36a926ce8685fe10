/**
 * gkfs, greenkernel's journaled file system: the driver, mkfs, fsck and the crash checker.
 * Written against greenkernel/spi and the block session only (see ARCHITECTURE.md).
 */
export { FileSystem } from './fs.ts';
export type { FileHandle, FileStat, MountOptions } from './fs.ts';
export { mkfs } from './mkfs.ts';
export type { MkfsOptions } from './mkfs.ts';
export { FsError } from './errors.ts';
export type { FsErrorCode } from './errors.ts';
export type { JournalMode, JournalStats } from './journal.ts';
export { ImageSession } from './image.ts';
export * from './format.ts';
export { fsck, replayImage, MAX_PROBLEMS } from './fsck.ts';
export { crashcheck, checkState, runWorkload, CRASH_DEVICE, MAX_SUBSETS } from './crashcheck.ts';
export type { CrashCheckOptions, CrashFailure, CrashSummary, RecordedRun } from './crashcheck.ts';
export { WORKLOADS, Recorder, expectedAt } from './workloads.ts';
export type { Workload, Model, Version } from './workloads.ts';
