/**
 * The crash-consistency checker (after CrashMonkey/ACE): runs a workload on a recording device,
 * rebuilds the states a power loss could leave, and checks each.
 *
 * Interface: `crashcheck(options)` -> CrashSummary; `runWorkload(name, options)` (the recorded
 * run); `checkState(run, prefix, survivors)` (one state: replayable from a failure's
 * description).
 * Crash states: for every prefix of the device's log (completion order, dm-log-writes) that
 * ends with a completed write: the state in which every unstable write survived (what the
 * device showed), the one in which none did, and up to `subsets` seeded subsets the epoch rule
 * allows (lib/block/crash.ts). For each state: mount (replaying the journal), fsck, and compare
 * every path checkpointed (fsync or sync) before the crash point with the model (workloads.ts).
 * Invariants: the workload runs on a fresh kernel with a fixed seed and FIFO scheduling, so a
 * failure's (workload, journal mode, prefix, survivors) names one state for good.
 * Limits: MAX_SUBSETS seeded subsets per prefix.
 */
import { Kernel } from '../index.ts';
import { SeededRandom } from '../spi.ts';
import { MemoryDisk } from '../block/memory.ts';
import { BlockCache } from '../cache/cache.ts';
import { RecordingDisk, type LoggedWrite } from '../block/recording.ts';
import { FileSystem } from './fs.ts';
import { FsError } from './errors.ts';
import { fsck } from './fsck.ts';
import { ImageSession } from './image.ts';
import type { JournalMode } from './journal.ts';
import { mkfs } from './mkfs.ts';
import { Recorder, WORKLOADS, expectedAt, same, type Model, type Version } from './workloads.ts';

/** Blocks of the cache a workload runs over with `cache: true` (small: it must evict). */
export const CACHE_BLOCKS = 24;
/** Most seeded subsets of the unstable writes tried at one prefix. */
export const MAX_SUBSETS = 64;
/** The device the workloads run on: 512-byte blocks, 256 of them (128 KiB). */
export const CRASH_DEVICE = { blockSize: 512, blockCount: 256, inodes: 32 } as const;

export interface CrashCheckOptions {
  /** Workload names (default: all of WORKLOADS). */
  readonly workloads?: readonly string[];
  /** Seeded subsets per prefix besides "all" and "none" (default 16, at most MAX_SUBSETS). */
  readonly subsets?: number;
  readonly seed?: number;
  /** The journal protocol to run the workloads with (default 'correct'). */
  readonly journal?: JournalMode;
  /** Run the file system over a small BlockCache (lib/cache) on the recording disk. */
  readonly cache?: boolean;
  /** Called after each state: for a progress bar. */
  readonly onProgress?: (done: number, total: number, workload: string) => void;
  /** Stop after this many failures (default 20). */
  readonly maxFailures?: number;
}

/** One failed state and how to replay it. */
export interface CrashFailure {
  readonly workload: string;
  readonly journal: JournalMode;
  readonly prefix: number;
  readonly survivors: readonly number[];
  readonly problems: readonly string[];
  /** The command line that checks this state alone. */
  readonly replay: string;
}

export interface CrashSummary {
  readonly workloads: readonly { name: string; writes: number; states: number }[];
  readonly states: number;
  readonly distinct: number;
  readonly failures: readonly CrashFailure[];
}

/** A recorded run of a workload. */
export interface RecordedRun {
  readonly name: string;
  readonly journal: JournalMode;
  readonly disk: RecordingDisk;
  readonly model: Model;
  /** Log entries written by mkfs and mount: crash points start after them. */
  readonly start: number;
}

/**
 * Runs workload `name` on a fresh recording memory disk.
 *
 * @example
 * const run = runWorkload('rename-over', 'correct');
 */
export function runWorkload(
  name: string,
  journal: JournalMode = 'correct',
  seed = 1,
  cache = false,
): RecordedRun {
  const workload = WORKLOADS[name];
  if (workload === undefined)
    throw new FsError(
      'EINVAL',
      'crashcheck',
      name,
      `workloads: ${Object.keys(WORKLOADS).join(', ')}`,
    );
  const kernel = new Kernel({ seed, name: `crash-${name}` });
  const disk = new RecordingDisk(
    new MemoryDisk({
      name: 'disk',
      blockSize: CRASH_DEVICE.blockSize,
      blockCount: CRASH_DEVICE.blockCount,
    }),
  );
  disk.attach(kernel);
  let model: Model | null = null;
  let start = 0;
  kernel.spawn(function* workloadMain() {
    // Over the cache, the journal's barriers and FUA reach the disk as the cache's write-back
    // orders them: the same checks then test the cache's epoch keeping too. A small cache
    // (CACHE_BLOCKS) makes it evict and write back in the middle of transactions.
    const dev = cache ? new BlockCache(disk, { name: 'cache', minBlocks: CACHE_BLOCKS }) : disk;
    yield* mkfs(dev, { inodes: CRASH_DEVICE.inodes });
    const fs = yield* FileSystem.mount(dev, { journal, syncIntervalMs: 50 });
    start = disk.log.length;
    const r = new Recorder(fs, () => disk.log.length);
    yield* workload(r, (body) => {
      const t = kernel.spawn(body, { name: `${name}.user` });
      return () => t.join();
    });
    yield* fs.unmount();
    if (cache) yield* dev.flush();
    model = r.model;
  });
  kernel.runSync();
  return { name, journal, disk, model: model!, start };
}

/** The state as the checker saw it: file contents or 'dir' or null, by path. */
function* observe(fs: FileSystem, path: string) {
  try {
    const st = yield* fs.stat(path);
    if (st.type === 'dir') return 'dir' as Version;
    return (yield* fs.read(yield* fs.open(path), 0, st.size)) as Version;
  } catch (error) {
    if (error instanceof FsError && error.code === 'ENOENT') return null;
    throw error;
  }
}

function describe(v: Version): string {
  return v === null ? 'absent' : v === 'dir' ? 'a directory' : `${v.length} bytes`;
}

/**
 * Checks one crash state of `run`: the problems found (empty: the state is good).
 *
 * @example
 * checkState(run, 40, [37, 38]); // []
 */
export function checkState(
  run: RecordedRun,
  prefix: number,
  survivors: readonly number[],
): string[] {
  const image = run.disk.crashImage(prefix, survivors);
  const dev = new ImageSession(image, CRASH_DEVICE.blockSize, 'crash');
  const kernel = new Kernel({ detection: false });
  const problems: string[] = [];
  kernel.spawn(function* check() {
    let fs: FileSystem;
    try {
      fs = yield* FileSystem.mount(dev, { syncIntervalMs: 0 });
    } catch (error) {
      problems.push(`mount: ${(error as Error).message}`);
      return;
    }
    for (const p of fsck(image)) problems.push(`fsck: ${p}`);
    for (const [path, allowed] of expectedAt(run.model, prefix)) {
      let seen: Version;
      try {
        seen = yield* observe(fs, path);
      } catch (error) {
        problems.push(`${path}: ${(error as Error).message}`);
        continue;
      }
      if (!allowed.some((v) => same(v, seen)))
        problems.push(
          `${path}: ${describe(seen)}, synced as ${allowed.map(describe).join(' or ')}`,
        );
    }
  });
  try {
    kernel.runSync();
  } catch (error) {
    problems.push(`check: ${(error as Error).message}`);
  }
  return problems;
}

/** A cheap identity of a state: which log entry each written block holds. */
function stateKey(run: RecordedRun, prefix: number, survivors: readonly number[]): string {
  const unstable = new Set(run.disk.unstableAt(prefix));
  const kept = new Set(survivors);
  const last = new Map<number, number>();
  const log = run.disk.log;
  for (let i = 0; i < prefix; i++) {
    const e = log[i]!;
    if (e.kind !== 'write' || (unstable.has(i) && !kept.has(i))) continue;
    for (let b = 0; b < e.count; b++) last.set(e.lba + b, i);
  }
  return [...last].sort((a, b) => a[0] - b[0]).join(';');
}

/** The survivor sets tried at one prefix: all, none, and seeded subsets (deduplicated). */
function survivorSets(
  run: RecordedRun,
  prefix: number,
  subsets: number,
  rng: SeededRandom,
): number[][] {
  const unstable = run.disk.unstableAt(prefix);
  const sets = [unstable];
  if (unstable.length > 0) sets.push([]);
  const seen = new Set(sets.map((s) => s.join(',')));
  for (let i = 0; i < subsets && unstable.length > 1; i++) {
    const s = run.disk.pickSurvivors(prefix, rng);
    const key = s.join(',');
    if (!seen.has(key)) {
      seen.add(key);
      sets.push(s);
    }
  }
  return sets;
}

/**
 * Runs the workloads and checks their crash states.
 *
 * @example
 * const summary = crashcheck({ workloads: ['create'], subsets: 2 });
 * summary.failures.length; // 0
 */
export function crashcheck(options: CrashCheckOptions = {}): CrashSummary {
  const names = options.workloads ?? Object.keys(WORKLOADS);
  const subsets = options.subsets ?? 16;
  if (!Number.isInteger(subsets) || subsets < 0 || subsets > MAX_SUBSETS)
    throw new FsError('EINVAL', 'crashcheck', 'subsets', `an integer in [0, ${MAX_SUBSETS}]`);
  const journal = options.journal ?? 'correct';
  const maxFailures = options.maxFailures ?? 20;
  const rng = new SeededRandom(options.seed ?? 1);
  const cache = options.cache === true;
  const runs = names.map((n) => runWorkload(n, journal, 1, cache));
  const plan = runs.map((run) => {
    const prefixes: number[] = [];
    for (let p = run.start + 1; p <= run.disk.log.length; p++)
      if (run.disk.log[p - 1]!.kind === 'write') prefixes.push(p);
    return { run, states: prefixes.map((p) => [p, survivorSets(run, p, subsets, rng)] as const) };
  });
  const total = plan.reduce((n, w) => n + w.states.reduce((m, [, s]) => m + s.length, 0), 0);
  const failures: CrashFailure[] = [];
  const distinct = new Set<string>();
  const perWorkload: { name: string; writes: number; states: number }[] = [];
  let done = 0;
  for (const { run, states } of plan) {
    let count = 0;
    for (const [prefix, sets] of states) {
      for (const survivors of sets) {
        distinct.add(`${run.name}|${stateKey(run, prefix, survivors)}`);
        const problems = failures.length < maxFailures ? checkState(run, prefix, survivors) : [];
        if (problems.length > 0)
          failures.push({
            workload: run.name,
            journal,
            prefix,
            survivors,
            problems,
            replay: `greenkernel crashcheck ${run.name} --journal ${journal}${cache ? ' --cache' : ''} --prefix ${prefix} --survivors ${survivors.join(',') || 'none'}`,
          });
        count++;
        done++;
        options.onProgress?.(done, total, run.name);
      }
    }
    const writes = run.disk.log
      .slice(run.start)
      .filter((e): e is LoggedWrite => e.kind === 'write').length;
    perWorkload.push({ name: run.name, writes, states: count });
  }
  return { workloads: perWorkload, states: done, distinct: distinct.size, failures };
}
