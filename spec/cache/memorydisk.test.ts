/**
 * The cache over the block layer's MemoryDisk (its own irq thread, volatile write cache, seeded
 * crash()): after a crash the disk holds every write acknowledged by a flush, and what survived
 * of the rest respects the cache client's epochs.
 */
import test from 'ava';
import { Kernel } from '../../lib/index.ts';
import { SeededRandom } from '../../lib/spi.ts';
import { MemoryDisk } from '../../lib/block/memory.ts';
import { BlockCache } from '../../lib/cache/cache.ts';
import { block, idAt } from './model-disk.ts';

const BS = 512;
const BLOCKS = 16;

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`over MemoryDisk, seed ${seed}: a crash keeps the flushed writes and an epoch prefix of the rest`, async (t) => {
    const k = new Kernel({ name: 'md', seed, detection: { cycles: 'fail', lockOrder: 'fail' } });
    const disk = new MemoryDisk({
      name: 'md0',
      blockSize: BS,
      blockCount: BLOCKS,
      seed,
      latency: { read: 1, write: 1, flush: 1 },
    });
    disk.attach(k);
    const cache = new BlockCache(disk, { minBlocks: 4, policy: seed % 2 === 0 ? 'sieve' : 'lru' });
    const rng = new SeededRandom(seed);
    /** Per epoch, the last id written to each block in it. */
    const epochs: Map<number, number>[] = [new Map()];
    const flushed = new Map<number, number>();
    let id = 1;
    k.spawn(function* () {
      for (let op = 0; op < 120; op++) {
        const lba = rng.below(BLOCKS);
        yield* cache.write(lba, 1, block(id, BS));
        epochs[cache.epoch]!.set(lba, id++);
        if (rng.below(4) === 0) {
          yield* cache.barrier();
          epochs.push(new Map());
        }
        if (op === 60) {
          yield* cache.flush();
          for (const m of epochs) for (const [b, v] of m) flushed.set(b, v);
        }
      }
    });
    await k.run();
    disk.detach('power loss');
    disk.crash();
    const image = disk.image();
    const on = (lba: number) => idAt(image, lba * BS);
    for (const [lba, v] of flushed)
      t.true(on(lba) >= v, `block ${lba}: flushed ${v}, found ${on(lba)}`);
    // Whatever survived of epoch F, every epoch before F survived whole (its last versions).
    const epochOf = new Map<number, number>();
    epochs.forEach((m, e) => {
      for (const v of m.values()) epochOf.set(v, e);
    });
    for (let lba = 0; lba < BLOCKS; lba++) {
      const f = epochOf.get(on(lba));
      if (f === undefined) continue;
      for (let e = 0; e < f; e++)
        for (const [b, v] of epochs[e]!)
          t.true(on(b) >= v, `block ${lba} holds epoch ${f}, block ${b} lost epoch ${e}`);
    }
  });
}
