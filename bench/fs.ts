/**
 * Benchmark: the file system (lib/fs) on a small-file workload, directly on a MemoryDisk and
 * over the block cache (lib/cache), and the crash checker's speed.
 *
 * Small-file workload, one operation = create a file, write 4 KiB, fsync, read it back,
 * unlink it. Measured two ways in the same run, so the ratios are fair:
 *  - host throughput: operations per second of wall-clock time, device latency 0 (what the
 *    driver, the journal, the scheduler and the cache cost on this machine);
 *  - modelled throughput: operations per second of virtual time with a device latency of
 *    0.1 ms per read or write and 1 ms per flush (what the cache saves in device requests).
 * The crash checker: crash states checked per second over every workload.
 * Run: `npx tsx bench/fs.ts [--quick]`. Exports `main(argv)`; exit 0.
 */
import { Kernel, type Routine } from '../lib/index.ts';
import { MemoryDisk, type MemoryDiskLatency } from '../lib/block/index.ts';
import { BlockCache } from '../lib/cache/index.ts';
import { FileSystem, crashcheck, mkfs } from '../lib/fs/index.ts';
import type { BlockSession } from '../lib/block/session.ts';
import { parseCommand, runAsProgram, stop, type Command } from '../bin/entry.ts';

export const FS_BENCH_COMMAND = {
  name: 'npx tsx bench/fs.ts',
  summary: 'File-system throughput with and without the block cache, and crash-checker speed.',
  flags: { quick: { type: 'boolean', help: 'one short round: a smoke test, not a measurement' } },
} as const satisfies Command;

interface Result {
  readonly opsPerSecond: number;
  readonly opsPerVirtualSecond: number;
  readonly deviceReads: number;
}

function run(ops: number, cached: boolean, latency: MemoryDiskLatency): Result {
  const kernel = new Kernel({ detection: false });
  const disk = new MemoryDisk({ name: 'disk', blockSize: 4096, blockCount: 4096, latency });
  disk.attach(kernel);
  let reads = 0;
  const counted: BlockSession = {
    name: disk.name,
    blockSize: disk.blockSize,
    blockCount: disk.blockCount,
    get epoch() {
      return disk.epoch;
    },
    read: (lba, count, into) => {
      reads += count;
      return disk.read(lba, count, into);
    },
    write: (lba, count, data, options) => disk.write(lba, count, data, options),
    barrier: () => disk.barrier(),
    flush: () => disk.flush(),
  };
  const dev: BlockSession = cached
    ? new BlockCache(counted, { name: 'cache', minBlocks: 512 })
    : counted;
  const data = new Uint8Array(4096).fill(7);
  let elapsed = 0;
  let virtual = 0;
  kernel.spawn(function* bench(): Routine<void> {
    yield* mkfs(dev);
    const fs = yield* FileSystem.mount(dev, { syncIntervalMs: 0 });
    yield* fs.mkdir('/d');
    const t0 = performance.now();
    const v0 = kernel.now();
    for (let i = 0; i < ops; i++) {
      const path = `/d/f${i % 64}`;
      const h = yield* fs.create(path);
      yield* fs.write(h, 0, data);
      yield* fs.fsync(h);
      const back = yield* fs.read(h, 0, 4096);
      if (back[4095] !== 7) throw new Error('read back differs');
      yield* fs.unlink(path);
    }
    elapsed = performance.now() - t0;
    virtual = kernel.now() - v0;
    yield* fs.unmount();
  });
  kernel.runSync();
  return {
    opsPerSecond: (ops / elapsed) * 1000,
    opsPerVirtualSecond: virtual === 0 ? Infinity : (ops / virtual) * 1000,
    deviceReads: reads,
  };
}

/**
 * @example
 * process.exitCode = await main(['--quick']);
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(FS_BENCH_COMMAND, argv);
  if ('exit' in parsed) return stop(parsed);
  const quick = parsed.values.quick === true;
  const ops = quick ? 200 : 2000;
  const rounds = quick ? 1 : 3;
  const slow = { read: 0.1, write: 0.1, flush: 1 };
  const best = (cached: boolean) => {
    let host: Result | null = null;
    for (let r = 0; r < rounds; r++) {
      const x = run(ops, cached, {});
      if (host === null || x.opsPerSecond > host.opsPerSecond) host = x;
    }
    return { host: host!, modelled: run(ops, cached, slow) };
  };
  const direct = best(false);
  const cache = best(true);
  const row = (name: string, r: { host: Result; modelled: Result }) =>
    `${name.padEnd(22)} ${Math.round(r.host.opsPerSecond).toString().padStart(8)} ops/s   ${Math.round(r.modelled.opsPerVirtualSecond).toString().padStart(6)} ops/s   ${String(r.modelled.deviceReads).padStart(7)}`;
  console.log(
    `small-file workload (create, write 4 KiB, fsync, read back, unlink), ${ops} operations`,
  );
  console.log(
    `${''.padEnd(22)} ${'host'.padStart(14)}   ${'modelled'.padStart(12)}   device reads`,
  );
  console.log(row('MemoryDisk', direct));
  console.log(row('BlockCache + MemoryDisk', cache));
  console.log(
    `cache / direct: host ${(cache.host.opsPerSecond / direct.host.opsPerSecond).toFixed(2)}x, modelled ${(cache.modelled.opsPerVirtualSecond / direct.modelled.opsPerVirtualSecond).toFixed(2)}x`,
  );
  const t0 = performance.now();
  const summary = crashcheck(quick ? { workloads: ['create', 'rename-over'], subsets: 4 } : {});
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `crash checker: ${summary.states} states (${summary.distinct} distinct, ${summary.failures.length} failures) in ${seconds.toFixed(1)} s: ${Math.round(summary.states / seconds)} states/s`,
  );
  return 0;
}

runAsProgram(import.meta.url, main);
