import test from 'ava';
import {
  DeadlockError,
  InvalidArgumentError,
  Kernel,
  Mutex,
  NotInThreadError,
  Semaphore,
  StallError,
  currentThread,
  formatReport,
  sleep,
  type Routine,
} from '../../lib/index.ts';
import {
  BlockBufferError,
  BlockDevice,
  BlockRangeError,
  DeviceDetachedError,
  DeviceIOError,
  MemoryDisk,
  type BlockRequest,
  type WriteResult,
} from '../../lib/block/index.ts';
import { expectError, expectFailure, settle, type Outcome } from '../helpers/util.ts';

const BS = 512;

function filled(blocks: number, byte: number): Uint8Array {
  return new Uint8Array(blocks * BS).fill(byte);
}

/** A device whose serve is a test's function, for observing where and how requests run. */
class ProbeDisk extends BlockDevice {
  constructor(
    readonly body: (r: BlockRequest) => Routine<boolean>,
    queueDepth = 32,
  ) {
    super({ name: 'dev0', blockSize: BS, blockCount: 64, queueDepth });
  }
  override *serve(r: BlockRequest): Routine<boolean> {
    return yield* this.body(r);
  }
}

test('a request is served and completed by the device irq thread, a daemon kernel thread', (t) => {
  const k = new Kernel();
  const servedOn: string[] = [];
  const dev = new ProbeDisk(function* (r) {
    servedOn.push(`${r.op} ${currentThread().name}`);
    if (r.op === 'read') r.data!.fill(7);
    return false;
  });
  const irq = dev.attach(k);
  t.is(irq.name, 'dev0.irq');
  t.is(irq.kind, 'kernel');
  t.true(irq.daemon);
  let got: Uint8Array | null = null;
  let wrote: WriteResult | null = null;
  k.spawn(function* user() {
    wrote = yield* dev.write(3, 1, filled(1, 1));
    const buf = new Uint8Array(BS);
    yield* dev.read(3, 1, buf);
    got = buf;
  });
  k.runSync();
  t.deepEqual(servedOn, ['write dev0.irq', 'read dev0.irq']);
  t.deepEqual(wrote, { epoch: 0, stable: false });
  t.deepEqual(got, filled(1, 7));
});

test('out-of-range blocks are BlockRangeError, and the refused request changes nothing', (t) => {
  const k = new Kernel();
  const disk = new MemoryDisk({ blockSize: BS, blockCount: 8 });
  disk.attach(k);
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* user() {
    yield* disk.write(0, 1, filled(1, 9));
    const before = { epoch: disk.epoch, requests: disk.requests, image: disk.image() };
    for (const [lba, count] of [
      [-1, 1],
      [8, 1],
      [7, 2],
      [0, 0],
      [1.5, 1],
      [0, -1],
      [Number.NaN, 1],
    ] as const) {
      const size = Math.max(0, Number.isInteger(count) ? count : 1) * BS;
      outcomes.push(yield* settle(() => disk.write(lba, count, new Uint8Array(size))));
      outcomes.push(yield* settle(() => disk.read(lba, count, new Uint8Array(size))));
    }
    t.deepEqual({ epoch: disk.epoch, requests: disk.requests, image: disk.image() }, before);
  });
  k.runSync();
  t.is(outcomes.length, 14);
  for (const o of outcomes) expectFailure(t, o, BlockRangeError, 'ERANGE');
});

test('a wrong-sized buffer is BlockBufferError, and changes nothing', (t) => {
  const k = new Kernel();
  const disk = new MemoryDisk({ blockSize: BS, blockCount: 8 });
  disk.attach(k);
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* user() {
    const requests = disk.requests;
    outcomes.push(yield* settle(() => disk.write(0, 2, filled(1, 1))));
    outcomes.push(yield* settle(() => disk.read(0, 1, new Uint8Array(BS + 1))));
    outcomes.push(
      yield* settle(() => disk.write(0, 1, new Array(BS).fill(0) as unknown as Uint8Array)),
    );
    t.is(disk.requests, requests);
  });
  k.runSync();
  for (const o of outcomes) expectFailure(t, o, BlockBufferError, 'EINVAL');
  t.deepEqual(disk.image(), new Uint8Array(8 * BS));
});

test('bad write options are InvalidArgumentError', (t) => {
  const k = new Kernel();
  const disk = new MemoryDisk({ blockSize: BS, blockCount: 8 });
  disk.attach(k);
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* user() {
    outcomes.push(
      yield* settle(() => disk.write(0, 1, filled(1, 1), { fua: 'yes' as unknown as boolean })),
    );
  });
  k.runSync();
  expectFailure(t, outcomes[0], InvalidArgumentError, 'EINVAL');
  t.is(disk.requests, 0);
});

test('a device not attached, or detached, refuses requests with DeviceDetachedError', (t) => {
  const k = new Kernel();
  const disk = new MemoryDisk({ blockSize: BS, blockCount: 8 });
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* user() {
    outcomes.push(yield* settle(() => disk.read(0, 1, new Uint8Array(BS))));
    outcomes.push(yield* settle(() => disk.flush()));
    outcomes.push(yield* settle(() => disk.barrier()));
  });
  k.runSync();
  for (const o of outcomes) expectFailure(t, o, DeviceDetachedError, 'ENODEV');
  t.is(disk.epoch, 0, 'a refused barrier closes no epoch');
  t.is(disk.requests, 0);
});

test('detach fails every accepted and waiting request with ENODEV, ends the irq thread, and attach works again', (t) => {
  const k = new Kernel();
  const disk = new MemoryDisk({
    blockSize: BS,
    blockCount: 8,
    queueDepth: 1,
    latency: { write: 5 },
  });
  const irq = disk.attach(k);
  const outcomes: Outcome<unknown>[] = [];
  for (let i = 0; i < 3; i++)
    k.spawn(function* writer() {
      outcomes.push(yield* settle(() => disk.write(i, 1, filled(1, i + 1))));
    });
  k.spawn(function* unplug() {
    yield* sleep(1);
    t.is(k.threads.filter((x) => x.waitKind === 'io-slot').length, 2);
    disk.detach('unplugged');
  });
  k.runSync();
  t.is(outcomes.length, 3);
  for (const o of outcomes) {
    const e = expectFailure(t, o, DeviceDetachedError, 'ENODEV');
    t.regex(e.message, /unplugged/);
  }
  t.false(disk.attached);
  const irq2 = disk.attach(k);
  t.not(irq2, irq);
  let done = false;
  k.spawn(function* again() {
    yield* disk.write(0, 1, filled(1, 4));
    done = true;
  });
  k.runSync();
  t.true(done);
  t.is(irq.stateName, 'exited', 'the killed irq thread unwound');
});

test('a failing serve reaches the requester as DeviceIOError (EIO); a non-typed error is wrapped', (t) => {
  const k = new Kernel();
  const dev = new ProbeDisk(function* (r) {
    if (r.lba === 1) throw new DeviceIOError('dev0', r.op, r.lba, 'bad sector');
    if (r.lba === 2) throw new Error('cable');
    return true;
  });
  dev.attach(k);
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* user() {
    for (const lba of [1, 2, 3])
      outcomes.push(yield* settle(() => dev.write(lba, 1, filled(1, 1))));
  });
  k.runSync();
  t.regex(expectFailure(t, outcomes[0], DeviceIOError, 'EIO').message, /bad sector/);
  const wrapped = expectFailure(t, outcomes[1], DeviceIOError, 'EIO');
  t.regex(wrapped.message, /write at lba 2 failed: Error: cable/);
  t.true(outcomes[2]!.ok, 'the device goes on after an error');
});

test('a full queue makes requesters wait on io-slot, and requests are served in issue order whatever the priorities', (t) => {
  const k = new Kernel();
  const order: number[] = [];
  const dev = new ProbeDisk(function* (r) {
    yield* sleep(1);
    order.push(r.lba);
    return true;
  }, 1);
  dev.attach(k);
  const kinds: (string | null)[] = [];
  for (let i = 0; i < 4; i++)
    k.spawn(
      function* writer() {
        yield* sleep(i * 0.01); // issue order 0, 1, 2, 3; priority rises with i
        yield* dev.write(i, 1, filled(1, 1));
      },
      { priority: i },
    );
  k.spawn(function* look() {
    yield* sleep(0.5);
    for (const th of k.threads) if (th.name === 'writer') kinds.push(th.waitKind);
  });
  k.runSync();
  t.deepEqual(order, [0, 1, 2, 3]);
  t.deepEqual(kinds, ['io', 'io-slot', 'io-slot', 'io-slot']);
});

test('outside a thread, a request is NotInThreadError', (t) => {
  const disk = new MemoryDisk({ blockSize: BS, blockCount: 8 });
  expectError(
    t,
    t.throws(() => disk.flush()),
    NotInThreadError,
    'ENOTHREAD',
  );
});

test('bad geometry and double attach are InvalidArgumentError', (t) => {
  for (const options of [
    { blockCount: 0 },
    { blockCount: 8, blockSize: 1000 },
    { blockCount: 8, blockSize: 256 },
    { blockCount: 8, queueDepth: 0 },
    { blockCount: 8, name: '' },
  ])
    expectError(
      t,
      t.throws(() => new MemoryDisk(options)),
      InvalidArgumentError,
      'EINVAL',
    );
  const k = new Kernel();
  const disk = new MemoryDisk({ blockCount: 8 });
  disk.attach(k);
  expectError(
    t,
    t.throws(() => disk.attach(k)),
    InvalidArgumentError,
    'EINVAL',
  );
});

test('a stall names the I/O wait: "waiting for I/O on dev0 lba 17", completed by the irq thread', (t) => {
  const k = new Kernel();
  const never = new Semaphore(0, 'never');
  const dev = new ProbeDisk(function* () {
    yield* never.down(); // a device that never answers
    return true;
  });
  dev.attach(k);
  k.spawn(function* user() {
    yield* dev.read(17, 1, new Uint8Array(BS));
  });
  const error = t.throws(() => k.runSync(), { instanceOf: StallError });
  const text = formatReport(error.report);
  t.regex(text, /user#\d+ .*\n {2}waiting for I\/O on dev0 lba 17, completed by dev0\.irq#\d+/);
});

test('a cycle through an I/O wait is a deadlock: the irq thread needs a lock the requester holds', async (t) => {
  const k = new Kernel({ detection: { cycles: 'fail', lockOrder: 'off' } });
  const lock = new Mutex('dev.lock');
  const dev = new ProbeDisk(function* () {
    yield* lock.lock(); // completion needs dev.lock...
    lock.unlock();
    return true;
  });
  dev.attach(k);
  k.spawn(function* user() {
    yield* lock.lock();
    yield* dev.write(17, 1, filled(1, 1)); // ...which the requester holds across the I/O
    lock.unlock();
  });
  const error = await t.throwsAsync(k.run(), { instanceOf: DeadlockError });
  t.deepEqual(error.cycle.map((s) => `${s.thread.name} ${s.kind} ${s.resource.name}`).sort(), [
    'dev0.irq mutex dev.lock',
    'user io dev0 lba 17',
  ]);
  t.regex(
    formatReport(error.report),
    /user#\d+ waiting for I\/O on dev0 lba 17, completed by dev0\.irq#\d+/,
  );
});

test('a requester killed while its request is in flight does not stop the device', (t) => {
  const k = new Kernel();
  const disk = new MemoryDisk({ blockSize: BS, blockCount: 8, latency: { write: 2 } });
  disk.attach(k);
  const victim = k.spawn(function* victim() {
    yield* disk.write(1, 1, filled(1, 5));
  });
  k.spawn(function* killer() {
    yield* sleep(1);
    k.kill(victim);
    yield* disk.write(2, 1, filled(1, 6));
  });
  k.runSync();
  t.deepEqual(
    disk.image().subarray(BS, 3 * BS),
    new Uint8Array([...filled(1, 5), ...filled(1, 6)]),
  );
});

test('an irq thread that waits for its own device is a deadlock of one thread, found at once', async (t) => {
  const k = new Kernel({ detection: { cycles: 'fail', lockOrder: 'off' } });
  let dev: ProbeDisk | null = null;
  dev = new ProbeDisk(function* (r) {
    if (r.lba === 1) yield* dev!.read(2, 1, new Uint8Array(BS)); // completes only through itself
    return true;
  });
  dev.attach(k);
  k.spawn(function* user() {
    yield* dev!.read(1, 1, new Uint8Array(BS));
  });
  const error = await t.throwsAsync(k.run(), { instanceOf: DeadlockError });
  t.is(error.code, 'EDEADLK');
  t.regex(
    error.message,
    /dev0\.irq#\d+ waiting for I\/O on dev0 lba 2, completed by dev0\.irq#\d+/,
  );
});

test('a device detached by its own irq thread (from serve) fails the request in service and stops', (t) => {
  const k = new Kernel();
  let dev: ProbeDisk | null = null;
  dev = new ProbeDisk(function* (r) {
    if (r.lba === 5) dev!.detach('surprise removal');
    return true;
  });
  const irq = dev.attach(k);
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* user() {
    outcomes.push(yield* settle(() => dev!.write(4, 1, filled(1, 1))));
    outcomes.push(yield* settle(() => dev!.write(5, 1, filled(1, 1))));
    outcomes.push(yield* settle(() => dev!.write(6, 1, filled(1, 1))));
  });
  k.runSync();
  t.true(outcomes[0]!.ok);
  t.regex(expectFailure(t, outcomes[1], DeviceDetachedError, 'ENODEV').message, /surprise removal/);
  expectFailure(t, outcomes[2], DeviceDetachedError, 'ENODEV');
  t.is(irq.stateName, 'exited');
});

test('a requester killed while it waits for a queue slot withdraws its request', (t) => {
  const k = new Kernel();
  const served: number[] = [];
  const dev = new ProbeDisk(function* (r) {
    yield* sleep(2);
    served.push(r.lba);
    return true;
  }, 1);
  dev.attach(k);
  const writers = [0, 1, 2].map((i) =>
    k.spawn(function* writer() {
      yield* sleep(i * 0.1);
      yield* dev.write(i, 1, filled(1, 1));
    }),
  );
  k.spawn(function* killer() {
    yield* sleep(1);
    t.is(writers[1]!.waitKind, 'io-slot');
    k.kill(writers[1]!);
  });
  k.runSync();
  t.deepEqual(served, [0, 2]);
});
