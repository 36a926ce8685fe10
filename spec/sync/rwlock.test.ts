import test from 'ava';
import {
  CrossKernelError,
  Kernel,
  NotInThreadError,
  NotOwnerError,
  RWLock,
  TimeoutError,
  WouldDeadlockError,
  sleep,
  type Routine,
} from '../../lib/index.ts';
import { expectError, expectFailure, settle, type Outcome } from '../helpers/util.ts';

/** A thread body that sleeps `delay`, takes `rw` in `mode`, holds it `hold` ms, logs, releases. */
function user(
  rw: RWLock,
  log: string[],
  name: string,
  mode: 'r' | 'w',
  delay: number,
  hold: number,
) {
  return function* (): Routine<void> {
    if (delay > 0) yield* sleep(delay);
    yield* mode === 'r' ? rw.readLock() : rw.writeLock();
    log.push(`${name}+${rw.readers.length}${rw.writer === null ? '' : 'W'}@${rw.kernel?.now()}`);
    if (hold > 0) yield* sleep(hold);
    rw.unlock();
  };
}

test('readers share the lock: both hold it at the same time', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  const log: string[] = [];
  k.spawn(user(rw, log, 'r1', 'r', 0, 5), { name: 'r1' });
  k.spawn(user(rw, log, 'r2', 'r', 0, 5), { name: 'r2' });
  k.runUntilIdle();
  t.is(rw.readers.length, 2);
  t.is(rw.writer, null);
  const r = k.runSync();
  t.deepEqual(log, ['r1+1@0', 'r2+2@0']);
  t.is(r.time, 5, 'the two readers overlapped');
});

test('a writer is exclusive: it waits for readers, and readers wait for it', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  const log: string[] = [];
  k.spawn(user(rw, log, 'r1', 'r', 0, 5), { name: 'r1' });
  k.spawn(user(rw, log, 'w', 'w', 1, 5), { name: 'w' });
  k.spawn(user(rw, log, 'r2', 'r', 2, 1), { name: 'r2' });
  k.runSync();
  t.deepEqual(log, ['r1+1@0', 'w+0W@5', 'r2+1@10']);
  t.is(rw.writer, null);
  t.deepEqual(rw.readers, []);
});

test('a waiting writer is not starved by a stream of new readers', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  const log: string[] = [];
  // r1 holds from 0 to 10; the writer arrives at 1; new readers keep arriving every 2 ms.
  k.spawn(user(rw, log, 'r1', 'r', 0, 10), { name: 'r1' });
  k.spawn(user(rw, log, 'w', 'w', 1, 1), { name: 'w' });
  for (let i = 0; i < 4; i++) k.spawn(user(rw, log, `n${i}`, 'r', 2 + 2 * i, 1), { name: `n${i}` });
  k.runSync();
  t.is(log[1], 'w+0W@10', 'the writer got the lock when the first reader left');
  t.true(
    log.slice(2).every((l) => l.endsWith('@11')),
    'readers that came after the writer waited for it',
  );
});

test('on release to readers, every reader queued before the next writer gets the lock together', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  const log: string[] = [];
  k.spawn(user(rw, log, 'w1', 'w', 0, 10), { name: 'w1' });
  k.spawn(user(rw, log, 'r1', 'r', 1, 5), { name: 'r1' });
  k.spawn(user(rw, log, 'r2', 'r', 1, 5), { name: 'r2' });
  k.spawn(user(rw, log, 'r3', 'r', 1, 5), { name: 'r3' });
  k.spawn(user(rw, log, 'w2', 'w', 2, 5), { name: 'w2' });
  k.spawn(user(rw, log, 'r4', 'r', 3, 1), { name: 'r4' });
  k.runSync();
  t.deepEqual(log, ['w1+0W@0', 'r1+3@10', 'r2+3@10', 'r3+3@10', 'w2+0W@15', 'r4+1@20']);
});

test('asking to write while reading (upgrade) is EDEADLK, and so are write-then-read and write twice', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  const outcomes: Outcome<void>[] = [];
  k.spawn(function* upgrader() {
    yield* rw.readLock();
    outcomes.push(yield* settle(() => rw.writeLock()));
    rw.unlock();
    yield* rw.writeLock();
    outcomes.push(yield* settle(() => rw.readLock()));
    outcomes.push(yield* settle(() => rw.writeLock()));
    rw.unlock();
  });
  k.runSync();
  t.is(outcomes.length, 3);
  for (const o of outcomes) expectFailure(t, o, WouldDeadlockError, 'EDEADLK');
  t.regex((outcomes[2] as { error: Error }).error.message, /locking against myself/);
  t.is(rw.writer, null);
});

test('a recursive read is allowed when no writer waits, and EDEADLK when one does', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  let readers = 0;
  let outcome: Outcome<void> | undefined;
  k.spawn(function* reader() {
    yield* rw.readLock();
    yield* rw.readLock();
    readers = rw.readers.length;
    rw.unlock();
    yield* sleep(2); // a writer queues meanwhile
    outcome = yield* settle(() => rw.readLock());
    rw.unlock();
  });
  k.spawn(function* writer() {
    yield* sleep(1);
    yield* rw.writeLock();
    rw.unlock();
  });
  k.runSync();
  t.is(readers, 2);
  expectFailure(t, outcome, WouldDeadlockError, 'EDEADLK');
});

test('unlock without holding the rwlock is NotOwnerError; from the host too', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  let err: unknown;
  k.spawn(function* holder() {
    yield* rw.readLock();
    yield* sleep(1);
    rw.unlock();
  });
  k.spawn(function* other() {
    try {
      rw.unlock();
    } catch (e) {
      err = e;
    }
  });
  k.runSync();
  expectError(t, err, NotOwnerError, 'EPERM');
  expectError(
    t,
    t.throws(() => rw.unlock()),
    NotOwnerError,
    'EPERM',
  );
});

test('readLock and writeLock outside a thread are NotInThreadError; another kernel gets CrossKernelError', (t) => {
  const rw = new RWLock('inode');
  expectError(
    t,
    t.throws(() => rw.readLock()),
    NotInThreadError,
    'ENOTHREAD',
  );
  expectError(
    t,
    t.throws(() => rw.writeLock()),
    NotInThreadError,
    'ENOTHREAD',
  );
  const k1 = new Kernel();
  k1.spawn(function* a() {
    yield* rw.readLock();
    rw.unlock();
  });
  k1.runSync();
  const k2 = new Kernel();
  let err: unknown;
  k2.spawn(function* b() {
    try {
      yield* rw.writeLock();
    } catch (e) {
      err = e;
    }
  });
  k2.runSync();
  expectError(t, err, CrossKernelError, 'EXDEV');
});

test('a timed-out writer is dequeued and no longer holds back the readers queued behind it', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  const log: string[] = [];
  let outcome: Outcome<void> | undefined;
  k.spawn(user(rw, log, 'r1', 'r', 0, 20), { name: 'r1' });
  k.spawn(function* writer() {
    yield* sleep(1);
    outcome = yield* settle(() => rw.writeLock(5));
    log.push(`w-timeout@${k.now()}`);
  });
  k.spawn(user(rw, log, 'r2', 'r', 2, 1), { name: 'r2' });
  k.runSync();
  const e = expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.is(e.waitedMs, 5);
  t.deepEqual(log, ['r1+1@0', 'r2+2@6', 'w-timeout@6']);
  t.is(rw.writer, null);
});

test('a timed-out reader is dequeued and a later release does not grant it the lock', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  let outcome: Outcome<void> | undefined;
  let afterRelease: unknown;
  k.spawn(function* writer() {
    yield* rw.writeLock();
    yield* sleep(10);
    rw.unlock();
    afterRelease = rw.readers.length;
  });
  k.spawn(function* reader() {
    outcome = yield* settle(() => rw.readLock(3));
    yield* sleep(50);
  });
  k.runSync();
  expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.is(afterRelease, 0);
});

test('waiters are served highest priority first: a high-priority writer goes before earlier readers', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  const log: string[] = [];
  k.spawn(user(rw, log, 'w1', 'w', 0, 10), { name: 'w1', priority: 10 });
  k.spawn(user(rw, log, 'r1', 'r', 1, 5), { name: 'r1', priority: 1 });
  k.spawn(user(rw, log, 'w2', 'w', 2, 5), { name: 'w2', priority: 5 });
  k.runSync();
  t.deepEqual(log, ['w1+0W@0', 'w2+0W@10', 'r1+1@15']);
});
