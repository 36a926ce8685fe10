import test from 'ava';
import {
  CondVar,
  Completion,
  DeadlockError,
  Kernel,
  Mutex,
  RWLock,
  Semaphore,
  StallError,
  sleep,
  type Thread,
} from '../../lib/index.ts';
import { WAIT_MUTEX } from '../../lib/spi.ts';
import { cycleThrough, findCycles, isRealCycle, waitGraph } from '../../lib/debug.ts';

const quiet = { cycles: 'off', lockOrder: 'off' } as const;

test('the snapshot lists every wait with kind, resource, since, owners and timer', (t) => {
  const k = new Kernel({ detection: quiet });
  const m = new Mutex('m');
  const s = new Semaphore(0, 'sem');
  const holder = k.spawn(function* holder() {
    yield* m.lock();
    yield* sleep(100);
    m.unlock();
  });
  const waiter = k.spawn(function* waiter() {
    yield* sleep(3);
    yield* m.lock(500);
    m.unlock();
  });
  const sleeper = k.spawn(function* sleeper() {
    yield* s.down();
  });
  k.runUntilIdle();
  k.advanceTime();
  k.runUntilIdle();
  const g = waitGraph(k);
  t.deepEqual(
    g.threads.map((x) => x.name),
    ['holder', 'waiter', 'sleeper'],
  );
  const w = g.waits.get(waiter)!;
  t.is(w.kind, 'mutex');
  t.is(w.resource, m);
  t.is(w.since, 3);
  t.deepEqual(w.owners, [holder]);
  t.true(w.timed, 'lock(500) armed a timeout');
  const h = g.waits.get(holder)!;
  t.is(h.kind, 'sleep');
  t.is(h.resource, null);
  t.deepEqual(g.waits.get(sleeper)!.owners, [], 'a semaphore has no owner');
  t.deepEqual(g.resources, [m, s]);
  t.deepEqual(g.owners.get(m), [holder]);
  t.deepEqual(findCycles(g), []);
  k.kill(sleeper);
  k.runSync();
});

test('owners: rwlock readers, a join target and a declared completion holder', (t) => {
  const k = new Kernel({ detection: quiet });
  const rw = new RWLock('rw');
  const io = new Completion<number>('io');
  const r1 = k.spawn(function* r1() {
    yield* rw.readLock();
    yield* sleep(10);
    rw.unlock();
  });
  const r2 = k.spawn(function* r2() {
    yield* rw.readLock();
    yield* sleep(10);
    rw.unlock();
  });
  const writer = k.spawn(function* writer() {
    yield* rw.writeLock();
    rw.unlock();
  });
  const joiner = k.spawn(function* joiner() {
    yield* writer.join();
  });
  const completer = k.spawn(function* completer() {
    yield* sleep(20);
    io.complete(1);
  });
  io.declareHolder(completer);
  const reader = k.spawn(function* reader() {
    yield* io.wait();
  });
  k.runUntilIdle();
  const g = waitGraph(k);
  t.deepEqual(g.waits.get(writer)!.owners, [r1, r2]);
  t.deepEqual(g.waits.get(joiner)!.owners, [writer]);
  t.is(g.waits.get(joiner)!.kind, 'join');
  t.deepEqual(g.waits.get(reader)!.owners, [completer]);
  k.runSync();
  t.is(reader.exitStatus, 'returned');
});

function abba(k: Kernel): { a: Thread; b: Thread; ma: Mutex; mb: Mutex } {
  const ma = new Mutex('A');
  const mb = new Mutex('B');
  const a = k.spawn(function* a() {
    yield* ma.lock();
    yield* sleep(1);
    yield* mb.lock();
  });
  const b = k.spawn(function* b() {
    yield* mb.lock();
    yield* sleep(1);
    yield* ma.lock();
  });
  return { a, b, ma, mb };
}

test('findCycles finds an AB-BA cycle in the snapshot; isRealCycle confirms it', (t) => {
  const k = new Kernel({ detection: quiet });
  const { a, b, ma, mb } = abba(k);
  const error = t.throws(() => k.runSync(), { instanceOf: StallError });
  const cycles = findCycles(waitGraph(k));
  t.is(cycles.length, 1);
  const c = cycles[0]!;
  t.deepEqual(
    c.map((s) => s.thread),
    [a, b],
    'starts at the lowest id',
  );
  t.deepEqual(
    c.map((s) => s.resource),
    [mb, ma],
  );
  t.true(isRealCycle(c));
  t.is(error.report.cycles.length, 1, 'the stall report shows the cycle too');
});

test('cycleThrough: the check a thread makes before it blocks', (t) => {
  const k = new Kernel({ detection: quiet });
  const { a, b, ma, mb } = abba(k);
  k.runUntilIdle();
  k.advanceTime();
  k.step(); // a runs: blocks on B (owner b is runnable: no cycle)
  t.is(a.waitKind, 'mutex');
  const closing = cycleThrough(b, ma, WAIT_MUTEX);
  t.deepEqual(
    closing?.map((s) => `${s.thread.name}:${s.resource.name}`),
    ['b:A', 'a:B'],
    'b waiting on A would close the cycle',
  );
  t.is(
    cycleThrough(a, mb, WAIT_MUTEX) === null,
    true,
    'a waiting on B (owner b runnable): no cycle',
  );
  t.is(cycleThrough(b, ma, WAIT_MUTEX)?.length, 2, 'the check changes nothing');
  k.kill(a);
  k.kill(b);
  k.runSync();
});

test('a cycle through several rwlock readers is found (bounded search)', async (t) => {
  const k = new Kernel({ detection: { cycles: 'fail', lockOrder: 'off' } });
  const rw = new RWLock('rw');
  const m = new Mutex('m');
  k.spawn(function* r1() {
    yield* rw.readLock();
    yield* sleep(2);
    yield* m.lock(); // m is held by w, which waits for r1 and r2
  });
  k.spawn(function* r2() {
    yield* rw.readLock();
    yield* sleep(5);
    rw.unlock();
  });
  k.spawn(function* w() {
    yield* m.lock();
    yield* sleep(1);
    yield* rw.writeLock();
  });
  const error = await t.throwsAsync(k.run(), { instanceOf: DeadlockError });
  t.deepEqual(
    error.cycle.map((s) => s.thread.name),
    ['r1', 'w'],
  );
  t.deepEqual(
    error.cycle.map((s) => s.kind),
    ['mutex', 'rwlock-write'],
  );
});

test('an owner blocked with a timeout ends the walk: a timed wait is not a deadlock', async (t) => {
  const k = new Kernel({ detection: { cycles: 'fail', lockOrder: 'off' } });
  const ma = new Mutex('A');
  const mb = new Mutex('B');
  const outcome: string[] = [];
  k.spawn(function* patient() {
    yield* ma.lock();
    yield* sleep(1);
    try {
      yield* mb.lock(10);
      mb.unlock();
    } catch (error) {
      outcome.push((error as { code: string }).code);
    }
    ma.unlock();
  });
  k.spawn(function* other() {
    yield* mb.lock();
    yield* sleep(2);
    yield* ma.lock(); // closes A/B, but patient's wait has a timer
    outcome.push('other got A');
    ma.unlock();
    mb.unlock();
  });
  await k.run();
  t.deepEqual(outcome, ['ETIMEDOUT', 'other got A']);
});

test('a cycle closed without a block (condvar signal moves a waiter onto a held mutex) shows in the stall report when cycle detection is off', (t) => {
  const k = new Kernel({ detection: { cycles: 'off', lockOrder: 'off' } });
  const m = new Mutex('m');
  const l = new Mutex('l');
  const cv = new CondVar('cv');
  k.spawn(function* waiter() {
    yield* l.lock();
    yield* m.lock();
    yield* cv.wait(m); // holds l while waiting
  });
  k.spawn(function* taker() {
    yield* sleep(1);
    yield* m.lock();
    yield* l.lock(); // owner waiter waits on an ownerless condvar: no cycle yet
  });
  k.spawn(function* signaller() {
    yield* sleep(2);
    cv.signal(); // waiter now waits for m, held by taker: a cycle, with no thread blocking
  });
  const error = t.throws(() => k.runSync(), { instanceOf: StallError });
  t.is(error.report.cycles.length, 1);
  t.deepEqual(error.report.cycles[0]!.map((s) => s.thread.name).sort(), ['taker', 'waiter']);
});

test('a completion whose declared holder is the waiter itself is a cycle of one', async (t) => {
  const k = new Kernel({ detection: { cycles: 'fail', lockOrder: 'off' } });
  const io = new Completion('self-io');
  k.spawn(function* confused() {
    io.declareHolder(k.current);
    yield* io.wait();
  });
  const error = await t.throwsAsync(k.run(), { instanceOf: DeadlockError });
  t.is(error.cycle.length, 1);
  t.is(error.report.cycles[0]![0]!.heldBy.name, 'confused');
});
