/**
 * Command-line options of the file-system verbs: `greenkernel fsck IMAGE` and
 * `greenkernel crashcheck [WORKLOAD...]`. Loads nothing but bin/entry.ts, so help stays cheap.
 *
 * Interface: FSCK_COMMAND, CRASHCHECK_COMMAND.
 */
import type { Command } from './entry.ts';

/** `greenkernel fsck IMAGE`. */
export const FSCK_COMMAND = {
  name: 'greenkernel fsck',
  summary:
    'Checks a gkfs image file (a committed journal is replayed in memory first, as a mount would); exit 0 when clean, 1 with the problems.',
  operands: 'IMAGE',
  flags: {
    'block-size': {
      type: 'string',
      value: 'BYTES',
      help: 'the image block size (default: read from the superblock)',
    },
    json: { type: 'boolean', help: 'print { problems, replayed } as JSON on stdout' },
  },
} as const satisfies Command;

/** `greenkernel crashcheck [WORKLOAD...]`. */
export const CRASHCHECK_COMMAND = {
  name: 'greenkernel crashcheck',
  summary:
    'Runs file-system workloads on a recording disk and checks every crash state (mount, fsck, synced data); exit 0 when none fails.',
  operands: '[workload...]',
  flags: {
    list: { type: 'boolean', help: 'list the workloads and exit' },
    subsets: {
      type: 'string',
      value: 'N',
      help: 'seeded subsets of the unstable writes per crash point (default 16)',
    },
    seed: { type: 'string', value: 'N', help: 'seed of the subsets (default 1)' },
    journal: {
      type: 'string',
      value: 'MODE',
      help: "correct (default), or a broken protocol the checker must catch: 'no-barriers', 'commit-first'",
    },
    cache: {
      type: 'boolean',
      help: 'run the file system over a small block cache (lib/cache) on the recording disk',
    },
    prefix: {
      type: 'string',
      value: 'N',
      help: 'check one state only: the crash after N log entries (with one workload and --survivors)',
    },
    survivors: {
      type: 'string',
      value: 'I,J|none',
      help: 'with --prefix: the unstable writes (log indices) that survived',
    },
    json: { type: 'boolean', help: 'print the summary as JSON on stdout' },
  },
} as const satisfies Command;
