import test from 'ava';
import { InvalidArgumentError, Kernel, type Routine } from '../../lib/index.ts';
import {
  DeviceIOError,
  FaultDisk,
  MemoryDisk,
  RecordingDisk,
  type BlockDevice,
} from '../../lib/block/index.ts';
import { expectError, expectFailure, settle, type Outcome } from '../helpers/util.ts';

const BS = 512;

function mem(): MemoryDisk {
  return new MemoryDisk({ name: 'dev0', blockSize: BS, blockCount: 16 });
}

test('chosen requests fail with EIO and change nothing on the inner device', (t) => {
  const k = new Kernel();
  const inner = mem();
  const dev = new FaultDisk(inner, { failRequests: [1, 3] });
  dev.attach(k);
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* user() {
    outcomes.push(yield* settle(() => dev.write(0, 1, new Uint8Array(BS).fill(1)))); // 0
    outcomes.push(yield* settle(() => dev.write(1, 1, new Uint8Array(BS).fill(2)))); // 1: fails
    outcomes.push(yield* settle(() => dev.read(0, 1, new Uint8Array(BS)))); // 2
    outcomes.push(yield* settle(() => dev.flush())); // 3: fails
  });
  k.runSync();
  t.true(outcomes[0]!.ok);
  const e = expectFailure(t, outcomes[1], DeviceIOError, 'EIO');
  t.regex(e.message, /dev0: write at lba 1 failed: injected fault \(request 1\)/);
  t.true(outcomes[2]!.ok);
  expectFailure(t, outcomes[3], DeviceIOError, 'EIO');
  t.deepEqual(dev.injected, [1, 3]);
  t.is(inner.image()[BS], 0, 'the failed write wrote nothing');
  t.is(inner.stableImage()[0], 0, 'the failed flush made nothing stable');
});

test('failRequest(n) chooses a later request; bad options are InvalidArgumentError', (t) => {
  const k = new Kernel();
  const dev = new FaultDisk(mem());
  dev.attach(k);
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* user() {
    dev.failRequest(dev.requests + 1);
    for (let i = 0; i < 3; i++) outcomes.push(yield* settle(() => dev.barrier()));
  });
  k.runSync();
  t.deepEqual(
    outcomes.map((o) => o.ok),
    [true, false, true],
  );
  for (const options of [{ rate: 2 }, { rate: -0.1 }, { ops: ['trim'] }, { failRequests: [-1] }])
    expectError(
      t,
      t.throws(() => new FaultDisk(mem(), options as never)),
      InvalidArgumentError,
      'EINVAL',
    );
});

/** 200 writes through a FaultDisk with `rate` (on writes only); the request numbers failed. */
function faultRun(seed: number, rate: number): number[] {
  const k = new Kernel({ seed });
  const dev = new FaultDisk(mem(), { rate, ops: ['write'] });
  dev.attach(k);
  k.spawn(function* user() {
    for (let i = 0; i < 200; i++) {
      yield* settle(() => dev.write(i % 16, 1, new Uint8Array(BS)));
      yield* settle(() => dev.flush()); // never drawn for: ops is ['write']
    }
  });
  k.runSync();
  return [...dev.injected];
}

test('random faults are seeded by the kernel, at about the rate asked, on the kinds asked', (t) => {
  const a = faultRun(5, 0.1);
  t.deepEqual(a, faultRun(5, 0.1));
  t.notDeepEqual(a, faultRun(6, 0.1));
  t.true(a.length > 5 && a.length < 45, `${a.length} of 200 writes failed at rate 0.1`);
  t.true(
    a.every((n) => n % 2 === 0),
    'only writes (even request numbers) fail',
  );
  t.deepEqual(faultRun(5, 0), []);
  t.is(faultRun(5, 1).length, 200);
});

/** A program with two devices and four threads under the random policy: its schedule trace. */
function traceWith(wrap: (inner: MemoryDisk, n: number) => BlockDevice): string {
  const k = new Kernel({ seed: 42, policy: 'random', trace: true });
  const devs = [0, 1].map((n) => {
    const d = wrap(new MemoryDisk({ name: `dev${n}`, blockSize: BS, blockCount: 16 }), n);
    d.attach(k);
    return d;
  });
  for (let i = 0; i < 4; i++)
    k.spawn(function* user(): Routine<void> {
      const dev = devs[i % 2]!;
      for (let j = 0; j < 10; j++) {
        yield* dev.write((i + j) % 16, 1, new Uint8Array(BS).fill(j));
        yield;
      }
      yield* dev.flush();
    });
  k.runSync();
  return k.trace;
}

test("a device's random stream leaves the schedule trace of a seed unchanged", (t) => {
  // The same program, once with devices that draw a number on every request (rate 0: they
  // never fail) and once with devices that draw nothing: byte-identical traces.
  const quiet = traceWith((inner) => new RecordingDisk(inner));
  const drawing = traceWith((inner) => new FaultDisk(inner, { rate: 0 }));
  t.true(quiet.split('\n').length > 100);
  t.is(drawing, quiet);
});
