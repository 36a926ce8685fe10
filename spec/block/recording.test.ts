import test from 'ava';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { InvalidArgumentError, Kernel, sleep, type Routine } from '../../lib/index.ts';
import { FaultDisk, MemoryDisk, RecordingDisk, type LogEntry } from '../../lib/block/index.ts';
import { expectError, settle } from '../helpers/util.ts';

const BS = 512;

function block(byte: number, n = 1): Uint8Array {
  return new Uint8Array(n * BS).fill(byte);
}

function blocks(image: Uint8Array): number[] {
  const out: number[] = [];
  for (let b = 0; b * BS < image.length; b++) out.push(image[b * BS]!);
  return out;
}

function recorder(options: ConstructorParameters<typeof MemoryDisk>[0] = { blockCount: 8 }): {
  k: Kernel;
  mem: MemoryDisk;
  rec: RecordingDisk;
} {
  const k = new Kernel();
  const mem = new MemoryDisk({ name: 'dev0', blockSize: BS, ...options });
  const rec = new RecordingDisk(mem);
  rec.attach(k);
  return { k, mem, rec };
}

/** A short description of each entry, for comparing logs. */
function describe(log: readonly LogEntry[]): string[] {
  return log.map((e) =>
    e.kind === 'write'
      ? `w${e.lba}=${e.data[0]} e${e.epoch}${e.fua ? ' fua' : ''}${e.stable ? ' stable' : ''}`
      : `${e.kind} e${e.epoch}`,
  );
}

test('the log holds every write (a copy of its data), flush and barrier with its epoch; no reads', (t) => {
  const { k, rec } = recorder();
  k.spawn(function* user() {
    const buf = block(1);
    yield* rec.write(0, 1, buf);
    buf.fill(99); // the log kept a copy
    yield* rec.barrier();
    yield* rec.write(1, 1, block(2), { fua: true });
    yield* rec.read(0, 1, new Uint8Array(BS));
    yield* rec.flush();
  });
  k.runSync();
  t.deepEqual(describe(rec.log), ['w0=1 e0', 'barrier e0', 'w1=2 e1 fua stable', 'flush e1']);
  t.is(rec.name, 'dev0', "the recorder takes the inner device's name");
});

test('the log is in completion order, which is the order requests reached the device', (t) => {
  const { k, rec } = recorder({ blockCount: 8, latency: { write: 1 } });
  for (let i = 0; i < 4; i++)
    k.spawn(
      function* writer(): Routine<void> {
        yield* sleep(0.1 * (3 - i)); // issued in the order 3, 2, 1, 0
        yield* rec.write(i, 1, block(10 + i));
      },
      { priority: i },
    );
  k.runSync();
  t.deepEqual(describe(rec.log), ['w3=13 e0', 'w2=12 e0', 'w1=11 e0', 'w0=10 e0']);
});

test('the inner device cannot be attached or used on its own once wrapped', (t) => {
  const { k, mem } = recorder();
  expectError(
    t,
    t.throws(() => mem.attach(k)),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => new RecordingDisk(mem)),
    InvalidArgumentError,
    'EINVAL',
  );
});

test('unstableAt: a flush, or a stable write of a later epoch, makes the writes before it stable', (t) => {
  const { k, rec } = recorder();
  k.spawn(function* user() {
    yield* rec.write(0, 1, block(1)); // 0
    yield* rec.write(1, 1, block(2)); // 1
    yield* rec.barrier(); // 2
    yield* rec.write(2, 1, block(3)); // 3
    yield* rec.write(3, 1, block(4), { fua: true }); // 4: makes 0, 1 stable, not 3
    yield* rec.write(4, 1, block(5)); // 5
    yield* rec.flush(); // 6
    yield* rec.write(5, 1, block(6)); // 7
  });
  k.runSync();
  t.deepEqual(rec.unstableAt(0), []);
  t.deepEqual(rec.unstableAt(2), [0, 1]);
  t.deepEqual(rec.unstableAt(4), [0, 1, 3]);
  t.deepEqual(rec.unstableAt(5), [3]);
  t.deepEqual(rec.unstableAt(6), [3, 5]);
  t.deepEqual(rec.unstableAt(7), []);
  t.deepEqual(rec.unstableAt(8), [7]);
  expectError(
    t,
    t.throws(() => rec.unstableAt(9)),
    InvalidArgumentError,
    'EINVAL',
  );
});

test('crashImage builds a crash state, and refuses survivors that are not unstable or break epochs', (t) => {
  const { k, rec } = recorder();
  k.spawn(function* user() {
    yield* rec.write(0, 1, block(1)); // 0, epoch 0
    yield* rec.barrier(); // 1
    yield* rec.write(1, 1, block(2)); // 2, epoch 1
    yield* rec.write(0, 1, block(3)); // 3, epoch 1, over block 0
  });
  k.runSync();
  t.deepEqual(blocks(rec.crashImage(4, [])), [0, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(blocks(rec.crashImage(4, [0])), [1, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(blocks(rec.crashImage(4, [0, 2])), [1, 2, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(blocks(rec.crashImage(4, [0, 3])), [3, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(blocks(rec.crashImage(2, [0])), [1, 0, 0, 0, 0, 0, 0, 0]);
  const e1 = expectError(
    t,
    t.throws(() => rec.crashImage(4, [2])),
    InvalidArgumentError,
    'EINVAL',
  );
  t.regex(e1.message, /keeps a write of epoch 1 but drops one of epoch 0/);
  expectError(
    t,
    t.throws(() => rec.crashImage(4, [1])),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => rec.crashImage(2, [2])),
    InvalidArgumentError,
    'EINVAL',
  );
});

test('the base is the stable image of the wrapped memory disk', (t) => {
  const k = new Kernel();
  const mem = new MemoryDisk({ name: 'dev0', blockSize: BS, blockCount: 4 });
  mem.attach(k);
  k.spawn(function* mkfs() {
    yield* mem.write(0, 4, block(7, 4));
    yield* mem.flush();
  });
  k.runSync();
  mem.detach();
  const rec = new RecordingDisk(mem);
  t.deepEqual(blocks(rec.crashImage(0, [])), [7, 7, 7, 7]);
  expectError(
    t,
    t.throws(
      () => new RecordingDisk(new MemoryDisk({ blockCount: 4 }), { base: new Uint8Array(3) }),
    ),
    InvalidArgumentError,
    'EINVAL',
  );
});

test("a memory disk's crash() leaves one of the recorder's crash images", (t) => {
  for (let seed = 0; seed < 24; seed++) {
    const k = new Kernel({ seed });
    const mem = new MemoryDisk({ name: 'dev0', blockSize: BS, blockCount: 8 });
    const rec = new RecordingDisk(mem);
    rec.attach(k);
    k.spawn(function* user() {
      for (let e = 0; e < 3; e++) {
        yield* rec.write(e, 1, block(10 + e));
        yield* rec.write(e + 3, 1, block(20 + e), { fua: e === 1 });
        yield* rec.write(e, 1, block(30 + e));
        yield* rec.barrier();
      }
    });
    k.runSync();
    rec.detach();
    const kept = new Set(mem.crash()); // write numbers: the n-th write logged
    const writes = rec.log.flatMap((e, i) => (e.kind === 'write' ? [i] : []));
    const unstable = new Set(rec.unstableAt(rec.log.length));
    const survivors = writes.filter((i, n) => kept.has(n) && unstable.has(i));
    t.deepEqual(mem.image(), rec.crashImage(rec.log.length, survivors), `seed ${seed}`);
  }
});

test('pickSurvivors is seeded and always allowed', (t) => {
  const { k, rec } = recorder();
  k.spawn(function* user() {
    for (let e = 0; e < 4; e++) {
      yield* rec.write(e, 1, block(1 + e));
      yield* rec.write(e + 4, 1, block(5 + e));
      yield* rec.barrier();
    }
  });
  k.runSync();
  const p = rec.log.length;
  const seen = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const a = rec.pickSurvivors(p, new Kernel({ seed }).random('crash'));
    t.deepEqual(a, rec.pickSurvivors(p, new Kernel({ seed }).random('crash')));
    t.notThrows(() => rec.crashImage(p, a));
    seen.add(a.join(','));
  }
  t.true(seen.size > 5);
});

test('a write the device failed is not logged (it did not complete)', (t) => {
  const k = new Kernel();
  const mem = new MemoryDisk({ name: 'dev0', blockSize: BS, blockCount: 8 });
  const rec = new RecordingDisk(new FaultDisk(mem, { failRequests: [1] }));
  rec.attach(k);
  k.spawn(function* user() {
    yield* rec.write(0, 1, block(1));
    yield* settle(() => rec.write(1, 1, block(2)));
    yield* rec.flush();
  });
  k.runSync();
  t.deepEqual(describe(rec.log), ['w0=1 e0', 'flush e0']);
  t.deepEqual(blocks(mem.stableImage()), [1, 0, 0, 0, 0, 0, 0, 0]);
});

test('property: over random runs, the crash images with no and with every unstable write are the stable and the current image', (t) => {
  const op = fc.oneof(
    fc.record({
      lba: fc.integer({ min: 0, max: 7 }),
      fua: fc.boolean(),
    }),
    fc.constant('barrier' as const),
    fc.constant('flush' as const),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), fc.integer({ min: 0, max: 99 }), (ops, seed) => {
      const k = new Kernel({ seed });
      const mem = new MemoryDisk({ name: 'dev0', blockSize: BS, blockCount: 8 });
      const rec = new RecordingDisk(mem);
      rec.attach(k);
      k.spawn(function* user() {
        let n = 0;
        for (const o of ops) {
          if (o === 'barrier') yield* rec.barrier();
          else if (o === 'flush') yield* rec.flush();
          else yield* rec.write(o.lba, 1, block(++n), { fua: o.fua });
        }
      });
      k.runSync();
      const p = rec.log.length;
      const unstable = rec.unstableAt(p);
      assert.deepEqual(rec.crashImage(p, []), mem.stableImage());
      assert.deepEqual(rec.crashImage(p, unstable), mem.image());
      assert.deepEqual(
        unstable.length,
        mem.unstableWrites.length,
        'the recorder and the disk agree on what is unstable',
      );
      for (let prefix = 0; prefix <= p; prefix++)
        rec.crashImage(prefix, rec.pickSurvivors(prefix, k.random(`pick${prefix}`)));
    }),
    { numRuns: 200 },
  );
  t.pass();
});

test('the wrapped memory disk cannot crash while the recorder is attached', (t) => {
  const { mem, rec } = recorder();
  expectError(
    t,
    t.throws(() => mem.crash()),
    InvalidArgumentError,
    'EINVAL',
  );
  rec.detach();
  t.deepEqual(mem.crash(), []);
});
