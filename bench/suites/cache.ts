/**
 * Suite "cache": the block cache (lib/cache) on its hit path, its miss path, write-back, hit
 * ratios and memory, each next to a baseline measured in the same process.
 *
 * Interface: runCache(method, progress) -> { notes, figures }; zipfTrace, hitRatios,
 * overheadPerBlock (for tests).
 * Method: timed loops (performance.now) of fixed counts, 5 repetitions alternating between the
 * cache and its baseline, the best (smallest) of each reported, so both sides see the same
 * machine state; a ratio is of figures from this process only.
 *  - hit path: `yield* cache.read(lba, 1, buf)` of cached 4 KiB blocks (64 hot blocks, cycled)
 *    in a greenkernel thread, against lru-cache's `get` plus the same 4 KiB copy (`buf.set`).
 *    Goal: <= 1.5x;
 *  - miss path: reads of blocks never cached, through a MemoryDisk (latency 0), against the
 *    same reads from the disk directly;
 *  - write-back: 4 KiB writes with a barrier every 8 writes, then a flush, in MB/s;
 *  - hit ratios of LRU, SIEVE and lru-cache on Zipf(0.99) over 10,000 blocks and on the same
 *    with a sequential scan of 2,000 cold blocks after every 10,000 accesses, at caches of
 *    1%, 5% and 10% of the blocks (goal: SIEVE beats LRU on Zipf + scan);
 *  - bytes of overhead per cached 4 KiB block: heap and array-buffer growth (after GC) of a
 *    cache holding 10,000 blocks, less 4 KiB each (goal: <= 5%, 204.8 bytes). Needs --expose-gc.
 * Invariants: every workload checks what it read (a hit returns the block's bytes); quick mode
 * only shrinks the counts.
 */
import { LRUCache } from 'lru-cache';
import { Kernel, type Routine } from '../../lib/index.ts';
import { SeededRandom } from '../../lib/spi.ts';
import { MemoryDisk } from '../../lib/block/memory.ts';
import { BlockCache } from '../../lib/cache/cache.ts';
import type { PolicyKind } from '../../lib/cache/policy.ts';
import type { Method } from '../method.ts';

const BS = 4096;
const REPS = 5;

/** One figure of the suite, as printed. */
export interface CacheFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

function kernel(): Kernel {
  return new Kernel({ name: 'bench-cache', detection: false });
}

/** Runs `body` in a thread of a fresh kernel and returns what it returned. */
function inThread<T>(k: Kernel, body: () => Routine<T>): Promise<T> {
  let out: T | undefined;
  k.spawn(function* () {
    out = yield* body();
  });
  return k.run().then(() => out as T);
}

function stamp(buf: Uint8Array, id: number): void {
  buf[0] = id & 0xff;
  buf[1] = (id >> 8) & 0xff;
  buf[2] = (id >> 16) & 0xff;
}

/** ns per hit of the cache, and of lru-cache get + copy, best of REPS each. */
async function hitPath(ops: number): Promise<{ cache: number; lru: number }> {
  const HOT = 64;
  const k = kernel();
  const disk = new MemoryDisk({ name: 'hit0', blockSize: BS, blockCount: 1024 });
  disk.attach(k);
  const cache = new BlockCache(disk, { name: 'hit', minBlocks: HOT });
  const lru = new LRUCache<number, Uint8Array>({ max: HOT });
  const buf = new Uint8Array(BS);
  const best = { cache: Infinity, lru: Infinity };
  await inThread(k, function* () {
    for (let lba = 0; lba < HOT; lba++) {
      const b = new Uint8Array(BS);
      stamp(b, lba);
      yield* cache.write(lba, 1, b);
      lru.set(lba, b.slice());
    }
    for (let rep = 0; rep < REPS; rep++) {
      let sum = 0;
      let t0 = performance.now();
      for (let i = 0; i < ops; i++) {
        yield* cache.read(i & (HOT - 1), 1, buf);
        sum += buf[0]!;
      }
      best.cache = Math.min(best.cache, ((performance.now() - t0) * 1e6) / ops);
      t0 = performance.now();
      for (let i = 0; i < ops; i++) {
        buf.set(lru.get(i & (HOT - 1))!);
        sum -= buf[0]!;
      }
      best.lru = Math.min(best.lru, ((performance.now() - t0) * 1e6) / ops);
      if (sum !== 0) throw new Error('hit path: the cache and lru-cache read different bytes');
    }
    if (cache.stats.misses !== 0) throw new Error('hit path: a miss');
  });
  return best;
}

/** ns per miss through the cache, and per read from the disk directly (pages touched first). */
async function missPath(ops: number): Promise<{ cache: number; disk: number }> {
  const best = { cache: Infinity, disk: Infinity };
  const k = kernel();
  const disk = new MemoryDisk({ name: 'miss0', blockSize: BS, blockCount: ops });
  disk.attach(k);
  const buf = new Uint8Array(BS);
  let misses = 0;
  await inThread(k, function* () {
    for (let lba = 0; lba < ops; lba++) yield* disk.read(lba, 1, buf); // touch every page once
    for (let rep = 0; rep < REPS; rep++) {
      const cache = new BlockCache(disk, { name: 'miss', minBlocks: 64 });
      let t0 = performance.now();
      for (let lba = 0; lba < ops; lba++) yield* cache.read(lba, 1, buf);
      best.cache = Math.min(best.cache, ((performance.now() - t0) * 1e6) / ops);
      t0 = performance.now();
      for (let lba = 0; lba < ops; lba++) yield* disk.read(lba, 1, buf);
      best.disk = Math.min(best.disk, ((performance.now() - t0) * 1e6) / ops);
      misses = cache.stats.misses;
    }
  });
  if (misses !== ops) throw new Error('miss path: a hit');
  return best;
}

/** MB/s of 4 KiB writes with a barrier every 8, flushed at the end; and device writes issued. */
async function writeBack(ops: number): Promise<{ mbps: number; deviceWrites: number }> {
  let best = 0;
  let deviceWrites = 0;
  for (let rep = 0; rep < REPS; rep++) {
    const k = kernel();
    const disk = new MemoryDisk({ name: 'wb0', blockSize: BS, blockCount: 4096 });
    disk.attach(k);
    const cache = new BlockCache(disk, { name: 'wb', minBlocks: 256 });
    const rng = new SeededRandom(7 + rep);
    const data = new Uint8Array(BS);
    const seconds = await inThread(k, function* () {
      const t0 = performance.now();
      for (let i = 0; i < ops; i++) {
        stamp(data, i);
        yield* cache.write(rng.below(4096), 1, data);
        if ((i & 7) === 7) yield* cache.barrier();
      }
      yield* cache.flush();
      return (performance.now() - t0) / 1000;
    });
    if (cache.dirtyBlocks !== 0) throw new Error('write-back: dirty blocks after a flush');
    best = Math.max(best, (ops * BS) / 1e6 / seconds);
    deviceWrites = cache.stats.writebacks;
  }
  return { mbps: best, deviceWrites };
}

/**
 * A seeded Zipf(s) trace over `keys` keys (rank 0 hottest), optionally with a sequential scan of
 * `scan` never-seen keys after every `every` accesses.
 *
 * @example
 * const trace = zipfTrace(10_000, 0.99, 100_000, 1, { scan: 2000, every: 10_000 });
 */
export function zipfTrace(
  keys: number,
  s: number,
  length: number,
  seed: number,
  scan?: { scan: number; every: number },
): Int32Array {
  const cdf = new Float64Array(keys);
  let total = 0;
  for (let i = 0; i < keys; i++) cdf[i] = total += 1 / Math.pow(i + 1, s);
  const rng = new SeededRandom(seed);
  const out: number[] = [];
  let cold = keys;
  while (out.length < length) {
    if (scan !== undefined && out.length > 0 && out.length % scan.every === 0)
      for (let i = 0; i < scan.scan && out.length < length; i++) out.push(cold++);
    const u = (rng.nextUint32() / 0x100000000) * total;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out.push(lo);
  }
  return Int32Array.from(out.slice(0, length));
}

/**
 * Hit ratio of the block cache with `policy` (reads through a MemoryDisk) on `trace`.
 *
 * @example
 * await hitRatio('sieve', 100, zipfTrace(10_000, 0.99, 10_000, 1));
 */
export async function hitRatio(
  policy: PolicyKind,
  size: number,
  trace: Int32Array,
): Promise<number> {
  const k = kernel();
  let max = 0;
  for (const key of trace) max = Math.max(max, key);
  const disk = new MemoryDisk({ name: 'zipf0', blockSize: 512, blockCount: max + 1 });
  disk.attach(k);
  const cache = new BlockCache(disk, { name: 'zipf', minBlocks: size, policy });
  const buf = new Uint8Array(512);
  await inThread(k, function* () {
    for (const key of trace) yield* cache.read(key, 1, buf);
  });
  return cache.stats.hits / trace.length;
}

/** Hit ratio of lru-cache (get, set on a miss) on `trace`. */
function lruCacheHitRatio(size: number, trace: Int32Array): number {
  const lru = new LRUCache<number, true>({ max: size });
  let hits = 0;
  for (const key of trace) {
    if (lru.get(key) !== undefined) hits++;
    else lru.set(key, true);
  }
  return hits / trace.length;
}

/**
 * Bytes of heap and array buffers per cached 4 KiB block beyond the 4 KiB itself.
 *
 * @example
 * await overheadPerBlock(10_000); // needs node --expose-gc
 */
export async function overheadPerBlock(blocks: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the cache suite needs node --expose-gc');
  const k = kernel();
  const disk = new MemoryDisk({ name: 'mem0', blockSize: BS, blockCount: blocks });
  disk.attach(k);
  const used = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const buf = new Uint8Array(BS);
  // Warm the read path once (code, the kernel's tables) on a throw-away cache.
  const warm = new BlockCache(disk, { name: 'warm', minBlocks: 8 });
  await inThread(k, function* () {
    for (let lba = 0; lba < 16; lba++) yield* warm.read(lba, 1, buf);
  });
  const before = used();
  const cache = new BlockCache(disk, { name: 'mem', minBlocks: blocks });
  await inThread(k, function* () {
    for (let lba = 0; lba < blocks; lba++) yield* cache.read(lba, 1, buf);
  });
  const after = used();
  if (cache.stats.misses !== blocks || cache.blocks !== blocks)
    throw new Error('overhead: the cache does not hold every block');
  return (after - before) / blocks - BS;
}

const fmt = (x: number, digits = 1): string => x.toFixed(digits);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/**
 * Runs every workload of the suite; returns the figures and the lines printed as notes.
 *
 * @example
 * const { notes } = await runCache(methodFor(true), (line) => console.error(line));
 */
export async function runCache(
  method: Method,
  progress: (line: string) => void,
): Promise<{ notes: string[]; figures: CacheFigure[] }> {
  const q = method.quick;
  const notes: string[] = [];
  const figures: CacheFigure[] = [];
  const say = (line: string) => {
    notes.push(`cache: ${line}`);
    progress(`  ${line}`);
  };
  const hit = await hitPath(q ? 2_000 : 1_000_000);
  figures.push({ name: 'hit-cache', value: hit.cache, unit: 'ns/op' });
  figures.push({ name: 'hit-lru-cache', value: hit.lru, unit: 'ns/op' });
  const hitRatioToLru = hit.cache / hit.lru;
  say(
    `hit path: yield* cache.read of a cached 4 KiB block ${fmt(hit.cache)} ns, lru-cache get + copy ${fmt(hit.lru)} ns: ` +
      `${fmt(hitRatioToLru, 2)}x (goal <= 1.5x: ${q ? 'quick run' : hitRatioToLru <= 1.5 ? 'met' : 'NOT met'})`,
  );
  const miss = await missPath(q ? 200 : 20_000);
  figures.push({ name: 'miss-cache', value: miss.cache, unit: 'ns/op' });
  say(
    `miss path: ${fmt(miss.cache)} ns per miss through MemoryDisk, ${fmt(miss.disk)} ns per read from the disk directly (${fmt(miss.cache / miss.disk, 2)}x)`,
  );
  const wb = await writeBack(q ? 400 : 100_000);
  figures.push({ name: 'write-back', value: wb.mbps, unit: 'MB/s' });
  say(
    `write-back: ${fmt(wb.mbps)} MB/s of 4 KiB writes, barrier every 8, flushed (${wb.deviceWrites} device writes)`,
  );
  const keys = q ? 1_000 : 10_000;
  const length = q ? 5_000 : 200_000;
  const traces = {
    zipf: zipfTrace(keys, 0.99, length, 1),
    'zipf+scan': zipfTrace(keys, 0.99, length, 1, { scan: keys / 5, every: keys }),
  };
  let sieveBeatsLru = true;
  for (const [name, trace] of Object.entries(traces)) {
    for (const frac of [0.01, 0.05, 0.1]) {
      const size = Math.round(keys * frac);
      const lru = await hitRatio('lru', size, trace);
      const sieve = await hitRatio('sieve', size, trace);
      const lruCache = lruCacheHitRatio(size, trace);
      figures.push({ name: `${name}-${size}-lru`, value: lru, unit: 'ratio' });
      figures.push({ name: `${name}-${size}-sieve`, value: sieve, unit: 'ratio' });
      figures.push({ name: `${name}-${size}-lru-cache`, value: lruCache, unit: 'ratio' });
      if (name === 'zipf+scan' && sieve <= lru) sieveBeatsLru = false;
      say(
        `hit ratio ${name} (${keys} blocks, Zipf 0.99), cache ${size}: LRU ${pct(lru)}, SIEVE ${pct(sieve)}, lru-cache ${pct(lruCache)}`,
      );
    }
  }
  say(
    `goal SIEVE beats LRU on Zipf + scan at all three sizes: ${sieveBeatsLru ? 'met' : 'NOT met'}`,
  );
  const overhead = await overheadPerBlock(q ? 500 : 10_000);
  figures.push({ name: 'overhead', value: overhead, unit: 'bytes/block' });
  say(
    `memory: ${fmt(overhead, 0)} bytes of overhead per cached 4 KiB block (${fmt((100 * overhead) / BS, 2)}%; goal <= 5%: ${q ? 'quick run' : overhead <= 0.05 * BS ? 'met' : 'NOT met'})`,
  );
  return { notes, figures };
}
