import test from 'ava';
import { GreenkernelError, Kernel, sleep, type Routine } from '../../lib/index.ts';
import { BlockCache, type BlockCacheOptions } from '../../lib/cache/index.ts';
import { MemoryArbiter } from '../../lib/mem/arbiter.ts';
import { BlockBufferError, BlockRangeError } from '../../lib/block/errors.ts';
import { ModelDisk, block, idAt } from './model-disk.ts';

const BS = 512;

function setup(options: Partial<BlockCacheOptions> = {}, blocks = 64) {
  const k = new Kernel({ name: 'cache', detection: { cycles: 'fail', lockOrder: 'fail' } });
  const disk = new ModelDisk(blocks, BS);
  disk.now = () => k.now();
  const cache = new BlockCache(disk, { minBlocks: 4, ...options });
  return { k, disk, cache };
}

async function run(k: Kernel, body: () => Routine<void>) {
  const th = k.spawn(body, { name: 'client' });
  await k.run();
  t0(th);
}
function t0(_: unknown) {}

function* readId(cache: BlockCache, lba: number): Routine<number> {
  const buf = new Uint8Array(BS);
  yield* cache.read(lba, 1, buf);
  return idAt(buf, 0);
}

test('a read returns the last write; a hit does not reach the device', async (t) => {
  const { k, disk, cache } = setup();
  await run(k, function* () {
    yield* cache.write(3, 2, block(100, BS, 2));
    t.is(yield* readId(cache, 3), 100);
    t.is(yield* readId(cache, 4), 101);
    t.is(yield* readId(cache, 5), 0, 'a miss reads the device');
    const both = new Uint8Array(2 * BS);
    yield* cache.read(3, 2, both);
    t.is(idAt(both, BS), 101);
  });
  t.is(disk.log.filter((r) => r.op === 'write').length, 0, 'write-back: nothing written yet');
  t.is(disk.log.filter((r) => r.op === 'read').length, 1);
  t.like(cache.stats, { hits: 4, misses: 1 });
  cache.verify();
});

test('flush writes back in epoch order with a device barrier between epochs, then flushes the device', async (t) => {
  const { k, disk, cache } = setup({ minBlocks: 8 });
  await run(k, function* () {
    yield* cache.write(5, 1, block(1, BS));
    yield* cache.write(6, 1, block(2, BS));
    t.is(yield* cache.barrier(), 1);
    yield* cache.write(1, 1, block(3, BS));
    yield* cache.flush();
  });
  t.deepEqual(
    disk.log.map((r) => `${r.op} ${r.lba} ${r.ids.join(',')}`),
    ['write 5 1,2', 'barrier -1 ', 'write 1 3', 'flush -1 '],
    'blocks 5 and 6 of epoch 0 in one run; block 1 of epoch 1 after the barrier',
  );
  t.is(disk.idOf(disk.stable, 1), 3);
  t.is(cache.dirtyBlocks, 0);
});

test('a block dirty in epoch N and written again in N+1: N is written back first', async (t) => {
  const { k, disk, cache } = setup();
  await run(k, function* () {
    yield* cache.write(7, 1, block(1, BS));
    yield* cache.write(8, 1, block(2, BS));
    yield* cache.barrier();
    yield* cache.write(7, 1, block(3, BS));
    t.is(yield* readId(cache, 7), 3);
  });
  t.deepEqual(
    disk.log.map((r) => `${r.op} ${r.ids.join(',')}`),
    ['write 1,2'],
    'epoch 0 (both blocks) reached the device before the epoch-1 version existed',
  );
});

test('FUA passes through to the device write and is stable when the write returns', async (t) => {
  const { k, disk, cache } = setup();
  await run(k, function* () {
    const r = yield* cache.write(2, 1, block(9, BS), { fua: true });
    t.deepEqual(r, { epoch: 0, stable: true });
    t.is(disk.idOf(disk.stable, 2), 9);
  });
  t.true(disk.log[0]!.fua);
});

test('write-through: every write is on the device when it returns; barriers map to device barriers', async (t) => {
  const { k, disk, cache } = setup({ writeThrough: true });
  await run(k, function* () {
    t.deepEqual(yield* cache.write(2, 1, block(9, BS)), { epoch: 0, stable: false });
    t.is(disk.idOf(disk.current, 2), 9);
    yield* cache.barrier();
    yield* cache.write(3, 1, block(10, BS));
    t.is(cache.dirtyBlocks, 0);
    t.is(yield* readId(cache, 3), 10);
  });
  t.deepEqual(
    disk.log.map((r) => r.op),
    ['write', 'barrier', 'write'],
  );
});

test('eviction: LRU evicts the least recently used clean block, writing back a dirty one first', async (t) => {
  const { k, disk, cache } = setup({ minBlocks: 2 });
  await run(k, function* () {
    yield* readId(cache, 1);
    yield* readId(cache, 2);
    yield* readId(cache, 1); // 2 is now least recently used
    yield* readId(cache, 3);
    t.is(cache.stats.evictions, 1);
    t.is(yield* readId(cache, 1), 0);
    t.is(cache.stats.hits, 2, '1 stayed');
    yield* cache.write(4, 1, block(4, BS));
    yield* cache.write(5, 1, block(5, BS)); // both buffers dirty
    t.is(yield* readId(cache, 6), 0); // must write back to evict
    t.is(yield* readId(cache, 4), 4);
    t.is(yield* readId(cache, 5), 5);
  });
  t.true(disk.log.some((r) => r.op === 'write'));
  cache.verify();
});

test('SIEVE keeps a visited block through a scan that LRU would flush it with', async (t) => {
  for (const policy of ['lru', 'sieve'] as const) {
    const { k, cache } = setup({ minBlocks: 4, policy });
    let kept = false;
    await run(k, function* () {
      yield* readId(cache, 0);
      yield* readId(cache, 0); // hot
      for (let lba = 10; lba < 16; lba++) yield* readId(cache, lba); // a scan
      const before = cache.stats.hits;
      yield* readId(cache, 0);
      kept = cache.stats.hits > before;
    });
    t.is(kept, policy === 'sieve', policy);
  }
});

test('bad requests are refused with typed errors and change nothing', async (t) => {
  const { k, disk, cache } = setup();
  await run(k, function* () {
    for (const [lba, n, len] of [
      [-1, 1, BS],
      [64, 1, BS],
      [63, 2, 2 * BS],
      [0.5, 1, BS],
      [0, 0, 0],
    ] as const) {
      const e = yield* settleError(cache.read(lba, n, new Uint8Array(len)));
      t.true(e instanceof BlockRangeError, `${lba} ${n}`);
    }
    const e = yield* settleError(cache.write(0, 1, new Uint8Array(BS - 1)));
    t.true(e instanceof BlockBufferError);
  });
  t.is(disk.log.length, 0);
  t.is(cache.stats.misses + cache.stats.hits, 0);
  t.throws(() => new BlockCache(disk, { minBlocks: 0 }), { instanceOf: GreenkernelError });
});

function* settleError(op: Iterable<unknown>): Routine<unknown> {
  try {
    yield* op as Routine<unknown>;
  } catch (error) {
    return error;
  }
  return undefined;
}

test('a write-back error reaches the FUA writer and the next flush; the data stays dirty and is written later', async (t) => {
  const { k, disk, cache } = setup();
  await run(k, function* () {
    yield* cache.write(1, 1, block(1, BS));
    disk.failNextWrites = 1;
    const e = yield* settleError(cache.write(2, 1, block(2, BS), { fua: true }));
    t.is((e as GreenkernelError).code, 'EIO');
    t.is(cache.dirtyBlocks, 2, 'nothing dropped');
    const f = yield* settleError(cache.flush());
    t.is(
      (f as GreenkernelError).code,
      'EIO',
      'the flush is told too (latched), though its retry wrote the block',
    );
    t.is(yield* settleError(cache.flush()), undefined, 'reported once');
  });
  t.is(disk.idOf(disk.stable, 2), 2);
});

test('a background write-back error is latched: the next flush throws it once', async (t) => {
  const { k, disk, cache } = setup({ minBlocks: 1 });
  await run(k, function* () {
    yield* cache.write(1, 1, block(1, BS));
    disk.failNextWrites = 1;
    const e = yield* settleError(cache.read(2, 1, new Uint8Array(BS))); // evicting 1 fails
    t.is((e as GreenkernelError).code, 'EIO', 'the reader that caused the write-back is told');
    t.is(cache.dirtyBlocks, 1);
    disk.failNextWrites = 1;
    const f = yield* settleError(cache.flush());
    t.is((f as GreenkernelError).code, 'EIO');
    t.is(yield* settleError(cache.flush()), undefined);
    t.is(disk.idOf(disk.stable, 1), 1);
  });
});

test('concurrent readers of one missing block: one device read, the others wait for it', async (t) => {
  const { k, disk, cache } = setup();
  const ids: number[] = [];
  for (let i = 0; i < 3; i++)
    k.spawn(function* () {
      ids.push(yield* readId(cache, 9));
    });
  await k.run();
  t.deepEqual(ids, [0, 0, 0]);
  t.is(disk.log.filter((r) => r.op === 'read').length, 1);
});

test('a read error frees the buffer and reaches the reader', async (t) => {
  const { k, disk, cache } = setup();
  disk.read = function* () {
    yield* sleep(1);
    throw new GreenkernelError('EIO', 'bad sector');
  };
  await run(k, function* () {
    const e = yield* settleError(cache.read(1, 1, new Uint8Array(BS)));
    t.is((e as GreenkernelError).code, 'EIO');
  });
  cache.verify();
  t.is(cache.stats.misses, 1);
});

test('growing: the cache asks the arbiter for quota on misses until denied', async (t) => {
  const arbiter = new MemoryArbiter({ budget: 12 * BS });
  const { k, cache } = setup({ arbiter, minBlocks: 2, growBlocks: 4 });
  await run(k, function* () {
    for (let lba = 0; lba < 20; lba++) yield* readId(cache, lba);
  });
  t.is(cache.blocks, 10, '2 + 4 + 4; the next 4 did not fit the 2 left');
  t.like(cache.stats, { grants: 2, denials: 1 });
  cache.verify();
});

test('racing misses: a reader that finds its block brought in meanwhile gives its buffer back and waits for the I/O', async (t) => {
  const { k, disk, cache } = setup({ minBlocks: 2 });
  const ids: number[] = [];
  k.spawn(function* () {
    yield* cache.write(0, 2, block(1, BS, 2)); // both buffers dirty
    k.spawn(function* () {
      ids.push(yield* readId(cache, 5)); // writes 0 and 1 back, then reads 5
    });
    k.spawn(function* () {
      ids.push(yield* readId(cache, 5)); // waits for the write-back, then finds 5 mapped
    });
  });
  await k.run();
  t.deepEqual(ids, [0, 0]);
  t.is(disk.log.filter((r) => r.op === 'read').length, 1);
  cache.verify();
});

test('racing writers of a missing block, and a writer of a block being read in', async (t) => {
  const { k, cache } = setup({ minBlocks: 2 });
  k.spawn(function* () {
    yield* cache.write(0, 2, block(1, BS, 2));
    k.spawn(function* () {
      yield* cache.write(7, 1, block(70, BS));
    });
    k.spawn(function* () {
      yield* cache.write(7, 1, block(71, BS));
    });
  });
  await k.run();
  k.spawn(function* () {
    t.is(yield* readId(cache, 7), 71, 'the later writer wins');
  });
  await k.run();
  const k2 = setup({ minBlocks: 2 });
  k2.k.spawn(function* () {
    k2.k.spawn(function* () {
      yield* readId(k2.cache, 3);
    });
    k2.k.spawn(function* () {
      yield* k2.cache.write(3, 1, block(33, BS)); // waits for the read's I/O
      t.is(yield* readId(k2.cache, 3), 33);
    });
  });
  await k2.k.run();
  k2.cache.verify();
});

test('every buffer busy with I/O: a miss waits for one', async (t) => {
  const { k, cache } = setup({ minBlocks: 1 });
  const ids: number[] = [];
  for (const lba of [1, 2])
    k.spawn(function* () {
      ids.push(yield* readId(cache, lba));
    });
  await k.run();
  t.deepEqual(ids, [0, 0]);
  t.is(cache.stats.misses, 2);
});

test('a yield request while write-back fails: the dirty blocks are kept, the answer says so, the next flush reports it', async (t) => {
  const arbiter = new MemoryArbiter({ budget: 8 * BS });
  const { k, disk, cache } = setup({ arbiter, minBlocks: 2, growBlocks: 4, maxBlocks: 6 });
  const hog = arbiter.register({ name: 'hog', minimum: 0 });
  k.spawn(function* () {
    yield* cache.write(0, 6, block(1, BS, 6)); // grows to 6, all dirty
    t.is(cache.blocks, 6);
    disk.failNextWrites = 10;
    t.false(yield* hog.request(4 * BS), 'nothing could be written back, so nothing released');
    t.is(cache.blocks, 6);
    t.is(cache.dirtyBlocks, 6);
    const answer = arbiter.events.find((e) => e.kind === 'answer')!;
    t.is(answer.bytes, 0);
    disk.failNextWrites = 0;
    const e = yield* settleError(cache.flush());
    t.is((e as GreenkernelError).code, 'EIO');
  });
  await k.run();
  cache.verify();
});

test('a yield request: clean blocks go at once, dirty ones after their write-back; never below the minimum', async (t) => {
  const arbiter = new MemoryArbiter({ budget: 12 * BS });
  const { k, cache } = setup({ arbiter, minBlocks: 2, growBlocks: 4, maxBlocks: 10 });
  const hog = arbiter.register({ name: 'hog', minimum: 0 });
  k.spawn(function* () {
    for (let lba = 0; lba < 5; lba++) yield* readId(cache, lba);
    yield* cache.write(10, 5, block(1, BS, 5));
    t.is(cache.blocks, 10);
    t.true(yield* hog.request(10 * BS), '2 free + 8 yielded');
    t.is(cache.blocks, 2);
    t.is(cache.dirtyBlocks, 0);
    const released = arbiter.events.filter((e) => e.client === 'cache' && e.kind === 'release');
    t.deepEqual(
      released.map((e) => e.bytes / BS),
      [5, 3],
      'clean ones at once, then the written-back dirty ones',
    );
  });
  await k.run();
  cache.verify();
});
