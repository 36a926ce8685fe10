/**
 * Demo: two file systems, each over its own block cache on its own memory disk, under one
 * memory arbiter. User threads do file work (create and write 8 KiB, read files back,
 * overwrite and fsync, unlink) on file system A while B idles, then on B while A idles, then
 * on both. The busy side's cache grows by asking the arbiter for quota; the idle side is asked
 * to yield and gives back its cold blocks. Prints operations per second of each phase (virtual
 * time), the cache quotas over time, and the deadlock detector's all-clear (cycles and lock
 * order both in 'fail' mode: any finding would have failed the run).
 * Run alone: `npx tsx demos/fs-two.ts`.
 */
import { Kernel, sleep, type Routine } from '../lib/index.ts';
import { SeededRandom } from '../lib/spi.ts';
import { MemoryDisk } from '../lib/block/memory.ts';
import { BlockCache } from '../lib/cache/cache.ts';
import { MemoryArbiter } from '../lib/mem/arbiter.ts';
import { FileSystem, FsError, mkfs } from '../lib/fs/index.ts';
import {
  Printer,
  caught,
  runAlone,
  type Demo,
  type DemoOptions,
  type DemoResult,
} from './common.ts';

const BS = 4096;
const BUDGET_BLOCKS = 160;
const PHASE_MS = 400;
const SAMPLE_MS = 50;
/** Who is busy in each phase. */
const PHASES = ['A', 'B', 'AB'] as const;
const FILES = 24;

interface Side {
  readonly name: 'A' | 'B';
  readonly disk: MemoryDisk;
  readonly cache: BlockCache;
  fs: FileSystem | null;
  /** Operations completed in each phase. */
  readonly ops: number[];
}

/** One user thread's file work on `side`, while its phases last. */
function* worker(side: Side, seed: number, kernel: Kernel, t0: number): Routine<void> {
  const rng = new SeededRandom(seed);
  const data = new Uint8Array(8192).fill(seed & 0xff);
  const fs = side.fs!;
  const end = PHASES.length * PHASE_MS;
  for (let op = 0; kernel.now() - t0 < end; op++) {
    const phase = Math.floor((kernel.now() - t0) / PHASE_MS);
    if (!PHASES[phase]!.includes(side.name)) {
      yield* sleep(SAMPLE_MS);
      continue;
    }
    const path = `/work/f${rng.below(FILES)}`;
    try {
      if (op % 9 === 8) yield* fs.unlink(path);
      else {
        const h = yield* fs.open(path, { create: true });
        const st = yield* fs.stat(path);
        if (st.size === 0 || op % 5 === 4) {
          yield* fs.write(h, 0, data);
          if (op % 5 === 4) yield* fs.fsync(h);
        } else yield* fs.read(h, 0, st.size);
      }
      side.ops[phase]!++;
    } catch (error) {
      // Another thread unlinked the file between two calls: a normal race of file work.
      if (!(error instanceof FsError) || (error.code !== 'ENOENT' && error.code !== 'EBADF'))
        throw error;
    }
  }
}

/**
 * Runs the scenario.
 *
 * @example
 * const { sides, samples } = await scenario();
 */
export async function scenario() {
  const kernel = new Kernel({ name: 'fs-two', detection: { cycles: 'fail', lockOrder: 'fail' } });
  const arbiter = new MemoryArbiter({
    budget: BUDGET_BLOCKS * BS,
    answerDeadlineMs: 50,
    backoffMs: 20,
  });
  const sides: Side[] = (['A', 'B'] as const).map((name) => {
    const disk = new MemoryDisk({
      name: `disk${name}`,
      blockSize: BS,
      blockCount: 2048,
      latency: { read: 1, write: 1, flush: 2 },
    });
    disk.attach(kernel);
    const cache = new BlockCache(disk, {
      name: `cache${name}`,
      minBlocks: 16,
      growBlocks: 8,
      arbiter,
    });
    return { name, disk, cache, fs: null, ops: PHASES.map(() => 0) };
  });
  const samples: { t: number; a: number; b: number }[] = [];
  kernel.spawn(
    function* main() {
      for (const side of sides) {
        yield* mkfs(side.cache);
        side.fs = yield* FileSystem.mount(side.cache, {
          name: `fs${side.name}`,
          syncIntervalMs: 100,
        });
        yield* side.fs.mkdir('/work');
      }
      // Phases count from here: mkfs and mount took virtual time of their own.
      const t0 = kernel.now();
      const threads = sides.flatMap((side, i) =>
        [0, 1].map((w) =>
          kernel.spawn(() => worker(side, 10 * i + w + 1, kernel, t0), {
            name: `user${side.name}${w}`,
          }),
        ),
      );
      kernel.spawn(
        function* sampler() {
          for (let t = 0; t <= PHASES.length * PHASE_MS; t += SAMPLE_MS) {
            samples.push({ t, a: sides[0]!.cache.blocks, b: sides[1]!.cache.blocks });
            yield* sleep(SAMPLE_MS);
          }
        },
        { name: 'sampler', daemon: true },
      );
      for (const t of threads) yield* t.join();
      for (const side of sides) yield* side.fs!.unmount();
    },
    { name: 'main' },
  );
  const error = await caught(kernel.run());
  return { kernel, arbiter, sides, samples, error };
}

const bar = (n: number): string => '#'.repeat(Math.round(n / 8)).padEnd(BUDGET_BLOCKS / 8);

async function run(options: DemoOptions = {}): Promise<DemoResult> {
  const out = new Printer(options);
  const { kernel, arbiter, sides, samples, error } = await scenario();
  out.line(`== two file systems, each over a block cache, one arbiter of ${BUDGET_BLOCKS} blocks`);
  out.line('   phase      busy   fsA ops/s   fsB ops/s   (virtual time)');
  PHASES.forEach((busy, i) => {
    const rate = (side: Side) => String(Math.round((side.ops[i]! * 1000) / PHASE_MS)).padStart(9);
    out.line(
      `   ${String(i * PHASE_MS).padStart(4)}-${String((i + 1) * PHASE_MS).padEnd(4)} ms ${busy.padEnd(4)} ${rate(sides[0]!)}   ${rate(sides[1]!)}`,
    );
  });
  out.line('');
  out.line('   cache quota over time (blocks): A | B');
  for (const s of samples.filter((_, i) => i % 2 === 0))
    out.line(
      `   ${String(s.t).padStart(5)} ms  A ${bar(s.a)} ${String(s.a).padStart(3)} | B ${bar(s.b)} ${String(s.b).padStart(3)}`,
    );
  out.line('');
  const clean = error === undefined && kernel.warnings.length === 0;
  out.line(
    clean
      ? '   detector: all clear — no wait-for cycle, no lock-order inversion (both in fail mode), no warning'
      : `   detector: ${error === undefined ? kernel.warnings.join('; ') : String(error)}`,
  );
  const at = (t: number) => samples.find((s) => s.t === t);
  const aBusy = at(PHASE_MS - SAMPLE_MS);
  const bBusy = at(2 * PHASE_MS - SAMPLE_MS);
  const ballooned =
    aBusy !== undefined && bBusy !== undefined && aBusy.a > aBusy.b && bBusy.b > bBusy.a;
  const yielded = arbiter.events.some((e) => e.kind === 'yield');
  out.line(
    `   the busy side held more quota in each phase: ${ballooned}; yield requests sent: ${yielded}`,
  );
  return out.result(
    'fs-two',
    clean &&
      ballooned &&
      yielded &&
      sides.every((s) => s.ops.every((n, i) => n > 0 || !PHASES[i]!.includes(s.name))),
  );
}

export const demo: Demo = {
  name: 'fs-two',
  title: 'two file systems over two caches under one memory arbiter: throughput, quotas, all clear',
  run,
};

runAlone(import.meta.url, demo);
