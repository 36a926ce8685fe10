import test from 'ava';
import { InvalidArgumentError, Kernel, sleep, type Routine } from '../../lib/index.ts';
import { MemoryDisk, type WriteResult } from '../../lib/block/index.ts';
import { expectError } from '../helpers/util.ts';

const BS = 512;

function block(byte: number): Uint8Array {
  return new Uint8Array(BS).fill(byte);
}

/** The byte of every block of `image` (each test block is filled with one byte). */
function blocks(image: Uint8Array): number[] {
  const out: number[] = [];
  for (let b = 0; b * BS < image.length; b++) out.push(image[b * BS]!);
  return out;
}

function disk(options: Partial<ConstructorParameters<typeof MemoryDisk>[0]> = {}): MemoryDisk {
  return new MemoryDisk({ name: 'dev0', blockSize: BS, blockCount: 8, ...options });
}

function run(k: Kernel, body: () => Routine<void>): void {
  k.spawn(body, { name: 'user' });
  k.runSync();
}

test('a completed write is read back at once but is not stable until a flush', (t) => {
  const k = new Kernel();
  const d = disk();
  d.attach(k);
  run(k, function* () {
    const r = yield* d.write(2, 1, block(7));
    t.deepEqual(r, { epoch: 0, stable: false });
    const buf = new Uint8Array(BS);
    yield* d.read(2, 1, buf);
    t.deepEqual(buf, block(7));
    t.deepEqual(blocks(d.stableImage()), [0, 0, 0, 0, 0, 0, 0, 0]);
    t.is(d.unstableWrites.length, 1);
    yield* d.flush();
    t.deepEqual(blocks(d.stableImage()), [0, 0, 7, 0, 0, 0, 0, 0]);
    t.is(d.unstableWrites.length, 0);
  });
});

test('a FUA write is stable when it completes, and first makes every earlier epoch stable', (t) => {
  const k = new Kernel();
  const d = disk();
  d.attach(k);
  const results: WriteResult[] = [];
  run(k, function* () {
    results.push(yield* d.write(0, 1, block(1))); // epoch 0
    t.is(yield* d.barrier(), 1);
    t.is(d.epoch, 1);
    results.push(yield* d.write(1, 1, block(2))); // epoch 1, unstable
    results.push(yield* d.write(2, 1, block(3), { fua: true })); // epoch 1, FUA
  });
  t.deepEqual(results, [
    { epoch: 0, stable: false },
    { epoch: 1, stable: false },
    { epoch: 1, stable: true },
  ]);
  t.deepEqual(blocks(d.stableImage()), [1, 0, 3, 0, 0, 0, 0, 0], 'epoch 0 stable, not epoch 1');
  t.deepEqual(blocks(d.image()), [1, 2, 3, 0, 0, 0, 0, 0]);
});

test('an older unstable write that survives a crash never overwrites a newer stable one', (t) => {
  for (let seed = 0; seed < 16; seed++) {
    const k = new Kernel({ seed });
    const d = disk();
    d.attach(k);
    run(k, function* () {
      yield* d.write(4, 1, block(1));
      yield* d.write(4, 1, block(2), { fua: true });
    });
    d.detach();
    d.crash();
    t.is(blocks(d.image())[4], 2);
  }
});

test('a device without a volatile cache makes every write stable', (t) => {
  const k = new Kernel();
  const d = disk({ volatileCache: false });
  d.attach(k);
  run(k, function* () {
    t.true((yield* d.write(3, 1, block(9))).stable);
  });
  t.deepEqual(d.stableImage(), d.image());
});

test('latency is kernel time: virtual under the virtual clock', (t) => {
  const k = new Kernel();
  const d = disk({ latency: { read: 2, write: 3, flush: 5 } });
  d.attach(k);
  run(k, function* () {
    yield* d.write(0, 1, block(1));
    t.is(k.now(), 3);
    yield* d.read(0, 1, new Uint8Array(BS));
    t.is(k.now(), 5);
    yield* d.flush();
    t.is(k.now(), 10);
  });
});

test('bad latency and an oversized disk are InvalidArgumentError', (t) => {
  expectError(
    t,
    t.throws(() => disk({ latency: { read: -1 } })),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => new MemoryDisk({ blockSize: 1 << 20, blockCount: 2048 })),
    InvalidArgumentError,
    'EINVAL',
  );
});

test('crash() is refused while the disk is attached', (t) => {
  const k = new Kernel();
  const d = disk();
  d.attach(k);
  expectError(
    t,
    t.throws(() => d.crash()),
    InvalidArgumentError,
    'EINVAL',
  );
});

/** Four epochs of writes, two blocks each, never flushed; then a crash. */
function crashRun(seed: number): { survivors: number[]; image: number[] } {
  const k = new Kernel({ seed });
  const d = disk({ blockCount: 8 });
  d.attach(k);
  run(k, function* () {
    for (let e = 0; e < 4; e++) {
      yield* d.write(2 * e, 1, block(10 + 2 * e));
      yield* d.write(2 * e + 1, 1, block(11 + 2 * e));
      yield* d.barrier();
    }
  });
  d.detach();
  const survivors = d.crash();
  assertNothingUnstable(d);
  return { survivors, image: blocks(d.image()) };
}

function assertNothingUnstable(d: MemoryDisk): void {
  if (d.unstableWrites.length !== 0) throw new Error('unstable writes left after a crash');
}

test('crash() is seeded by the kernel: the same seed keeps the same writes', (t) => {
  for (let seed = 0; seed < 8; seed++) t.deepEqual(crashRun(seed), crashRun(seed));
  const outcomes = new Set<string>();
  for (let seed = 0; seed < 32; seed++) outcomes.add(JSON.stringify(crashRun(seed).survivors));
  t.true(outcomes.size > 4, `32 seeds gave only ${outcomes.size} different crash outcomes`);
});

test('crash() respects epochs: a surviving write of epoch N+1 means every write of N survived', (t) => {
  for (let seed = 0; seed < 64; seed++) {
    const { survivors, image } = crashRun(seed);
    const epochOf = (w: number): number => Math.floor(w / 2);
    const last = Math.max(-1, ...survivors.map(epochOf));
    for (let w = 0; w < 2 * last; w++) t.true(survivors.includes(w), `seed ${seed}: write ${w}`);
    t.deepEqual(
      image,
      [0, 1, 2, 3, 4, 5, 6, 7].map((w) => (survivors.includes(w) ? 10 + w : 0)),
    );
  }
});

test('after a crash the disk serves the crash image, and what was flushed always survives', (t) => {
  for (let seed = 0; seed < 16; seed++) {
    const k = new Kernel({ seed });
    const d = disk();
    d.attach(k);
    run(k, function* () {
      yield* d.write(0, 1, block(1));
      yield* d.flush();
      yield* d.write(1, 1, block(2));
    });
    d.detach();
    d.crash();
    d.attach(k);
    const buf = new Uint8Array(2 * BS);
    run(k, function* () {
      yield* sleep(1);
      yield* d.read(0, 2, buf);
    });
    t.is(buf[0], 1);
    t.deepEqual(blocks(buf), blocks(d.stableImage()).slice(0, 2));
  }
});

test('a full volatile cache writes back its oldest epoch on its own, never a later one first', (t) => {
  const k = new Kernel();
  const d = disk({ blockCount: 8, cacheBytes: 3 * BS });
  d.attach(k);
  run(k, function* () {
    yield* d.write(0, 1, block(1)); // epoch 0
    yield* d.write(1, 1, block(2)); // epoch 0
    yield* d.barrier();
    yield* d.write(2, 1, block(3)); // epoch 1: 3 blocks cached
    t.is(d.unstableWrites.length, 3);
    yield* d.write(3, 1, block(4)); // epoch 1: over the size, epoch 0 goes back
  });
  t.deepEqual(blocks(d.stableImage()), [1, 2, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(
    d.unstableWrites.map((w) => w.epoch),
    [1, 1],
  );
  expectError(
    t,
    t.throws(() => disk({ cacheBytes: 0 })),
    InvalidArgumentError,
    'EINVAL',
  );
});
