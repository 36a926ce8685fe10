/**
 * The three known failures of Genode's block cache (removed 2022), each as a test this cache
 * must pass.
 */
import test from 'ava';
import { GreenkernelError, Kernel, sleep, type Routine } from '../../lib/index.ts';
import { BlockCache } from '../../lib/cache/cache.ts';
import { MemoryArbiter } from '../../lib/mem/arbiter.ts';
import { ModelDisk, block, idAt } from './model-disk.ts';

const BS = 512;

function* readId(cache: BlockCache, lba: number): Routine<number> {
  const buf = new Uint8Array(BS);
  yield* cache.read(lba, 1, buf);
  return idAt(buf, 0);
}

test('Genode failure 1: evicting a dirty block needs no memory, even with the budget exhausted', async (t) => {
  const k = new Kernel({ name: 'genode1' });
  const disk = new ModelDisk(64, BS);
  // The budget is exactly the cache's minimum: nothing left to grant, nobody to yield.
  const arbiter = new MemoryArbiter({ budget: 4 * BS });
  const cache = new BlockCache(disk, { minBlocks: 4, arbiter });
  let hogAnswered = false;
  k.spawn(function* () {
    for (let lba = 0; lba < 4; lba++) yield* cache.write(lba, 1, block(100 + lba, BS));
    t.is(cache.dirtyBlocks, 4, 'every buffer holds dirty data');
    t.is(arbiter.free, 0);
    // A miss: the only way to a buffer is writing a dirty block back from its own buffer.
    t.is(yield* readId(cache, 10), 0);
    t.is(yield* readId(cache, 3), 103);
    hogAnswered = true;
  });
  await k.run();
  t.true(hogAnswered);
  t.is(cache.stats.buffersAllocated, 4, 'no buffer allocated to evict');
  t.is(arbiter.handedOut, 4 * BS, 'no quota taken to evict');
  t.deepEqual(
    arbiter.events.filter((e) => e.client === 'cache').map((e) => e.kind),
    ['quota', 'request', 'deny'],
    'the cache asked once, was denied, and evicted instead',
  );
  t.true(
    disk.log.some((r) => r.op === 'write' && r.ids.includes(100)),
    'the dirty block was written back',
  );
  cache.verify();
});

test('Genode failure 2: once a request is denied, misses do not keep requesting until the back-off ends', async (t) => {
  const k = new Kernel({ name: 'genode2' });
  const disk = new ModelDisk(512, BS, 0);
  const arbiter = new MemoryArbiter({ budget: 12 * BS, backoffMs: 1000 });
  const cache = new BlockCache(disk, { minBlocks: 4, growBlocks: 4, arbiter });
  const client = arbiter.clients[0]!;
  k.spawn(function* () {
    for (let lba = 0; lba < 300; lba++) yield* readId(cache, lba); // 300 misses at time 0
    t.is(cache.blocks, 12);
    yield* sleep(1000);
    yield* readId(cache, 400); // the back-off is over: one more request
  });
  await k.run();
  const requests = arbiter.events.filter((e) => e.client === 'cache' && e.kind !== 'quota');
  t.deepEqual(
    requests.map((e) => `${e.time} ${e.kind}`),
    [
      '0 request',
      '0 grant',
      '0 request',
      '0 grant',
      '0 request',
      '0 deny',
      '1000 request',
      '1000 deny',
    ],
  );
  t.is(
    client.suppressed,
    0,
    'the cache held back by itself: the arbiter refused nothing in back-off',
  );
  t.is(cache.stats.misses, 301);
});

test('Genode failure 3: a client flush is acknowledged only once the data is stable on the device', async (t) => {
  const k = new Kernel({ name: 'genode3' });
  const disk = new ModelDisk(64, BS, 5);
  disk.now = () => k.now();
  const cache = new BlockCache(disk, { minBlocks: 2 });
  let ackedAt = -1;
  let stableAtAck: number[] = [];
  k.spawn(
    function* writer() {
      yield* cache.write(1, 1, block(1, BS));
      yield* cache.write(2, 1, block(2, BS));
      yield* readId(cache, 3); // evicts: the write-back of block 1 and 2 is in flight...
    },
    { name: 'writer' },
  );
  k.spawn(
    function* syncer() {
      yield* sleep(1); // ...when the sync arrives
      yield* cache.flush();
      ackedAt = k.now();
      stableAtAck = [1, 2].map((lba) => disk.idOf(disk.stable, lba));
    },
    { name: 'syncer' },
  );
  await k.run();
  t.deepEqual(
    stableAtAck,
    [1, 2],
    'everything written before the sync is stable at its acknowledgement',
  );
  const deviceFlush = disk.log.find((r) => r.op === 'flush')!;
  t.true(deviceFlush.time <= ackedAt, 'the device flush completed before the acknowledgement');
  const writes = disk.log.filter((r) => r.op === 'write');
  t.true(writes[0]!.time > 1, 'the eviction write-back was in flight when the sync arrived');
});

test('Genode failure 3 (errors): a sync whose device flush fails is not acknowledged', async (t) => {
  const k = new Kernel({ name: 'genode3b' });
  const disk = new ModelDisk(64, BS);
  const cache = new BlockCache(disk, { minBlocks: 2 });
  disk.flush = function* () {
    yield* sleep(1);
    throw new GreenkernelError('EIO', 'flush failed');
  };
  let outcome = 'acknowledged';
  k.spawn(function* () {
    yield* cache.write(1, 1, block(1, BS));
    try {
      yield* cache.flush();
    } catch (e) {
      outcome = (e as GreenkernelError).code;
    }
  });
  await k.run();
  t.is(outcome, 'EIO');
});
