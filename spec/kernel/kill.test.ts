/**
 * Thread.kill: the victim unwinds completely (finally blocks run to their end, subroutines they
 * call included), and the rule for what was handed to it before it ran: a grant it never saw is
 * revoked and passed on (a mutex, a semaphore unit, an rwlock hold, a wake-up of one sleeper),
 * except a condition-variable waiter, which unwinds holding its mutex as a cancelled pthread
 * does — and the signal it consumed goes to another waiter.
 */
import test from 'ava';
import {
  CondVar,
  Kernel,
  Mutex,
  RWLock,
  Semaphore,
  ThreadKilledError,
  call,
  sleep,
  tsleep,
  wakeupOne,
  type Routine,
} from '../../lib/index.ts';
import { expectFailure, settle, type Outcome } from '../helpers/util.ts';

test('a finally that calls a subroutine runs to its end while the thread unwinds', (t) => {
  const k = new Kernel();
  const m = new Mutex('dev.lock');
  const log: string[] = [];
  function* flush(): Routine<void> {
    log.push('flush');
    yield* sleep(1);
    log.push('flushed');
  }
  const victim = k.spawn(function* victim() {
    yield* m.lock();
    try {
      yield* sleep(100);
    } finally {
      yield* call(flush);
      log.push('after flush');
      m.unlock();
      log.push('unlocked');
    }
  });
  k.spawn(function* killer() {
    yield* sleep(1);
    victim.kill('shutdown');
  });
  k.runSync();
  t.deepEqual(log, ['flush', 'flushed', 'after flush', 'unlocked']);
  t.is(m.owner, null);
  t.is(victim.exitStatus, 'killed');
});

test('while unwinding, an error thrown by a called subroutine reaches a catch around the call in the finally', (t) => {
  const k = new Kernel();
  const log: string[] = [];
  function* failing(): Routine<void> {
    yield;
    throw new Error('flush failed');
  }
  function* middle(): Routine<void> {
    try {
      yield* sleep(100);
    } finally {
      try {
        yield* call(failing);
      } catch (e) {
        log.push(`caught ${(e as Error).message}`);
      }
      log.push('middle finally done');
    }
  }
  const victim = k.spawn(function* victim() {
    try {
      yield* call(middle);
      log.push('not reached');
    } finally {
      log.push('outer finally');
    }
  });
  k.spawn(function* killer() {
    yield* sleep(1);
    victim.kill();
  });
  k.runSync();
  t.deepEqual(log, ['caught flush failed', 'middle finally done', 'outer finally']);
  t.is(victim.exitStatus, 'killed');
});

test('a semaphore unit granted to a waiter killed before it ran goes back: nothing is lost', (t) => {
  const k = new Kernel();
  const s = new Semaphore(0, 'slots', 1);
  const victim = k.spawn(function* victim() {
    yield* s.down();
    try {
      yield;
    } finally {
      s.up();
    }
  });
  k.spawn(function* upper() {
    yield;
    s.up();
    victim.kill('stop');
  });
  k.runSync();
  t.is(s.count, 1);
  t.is(victim.exitStatus, 'killed');
});

test('a semaphore unit granted to a killed waiter passes to the next waiter', (t) => {
  const k = new Kernel();
  const s = new Semaphore(0, 'slots');
  const got: string[] = [];
  const waiter = (name: string) =>
    function* (): Routine<void> {
      yield* s.down();
      got.push(name);
    };
  const victim = k.spawn(waiter('victim'), { name: 'victim' });
  k.spawn(waiter('next'), { name: 'next' });
  k.spawn(function* upper() {
    yield;
    s.up();
    victim.kill();
  });
  k.runSync();
  t.deepEqual(got, ['next']);
  t.is(s.count, 0);
});

test('a mutex handed to a waiter killed before it ran passes to the next waiter; the victim never owns it', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const got: string[] = [];
  const waiter = (name: string) =>
    function* (): Routine<void> {
      yield* m.lock();
      try {
        got.push(name);
        yield;
      } finally {
        m.unlock();
      }
    };
  let victimHeld: readonly unknown[] | undefined;
  k.spawn(function* owner() {
    yield* m.lock();
    yield;
    m.unlock(); // hands the mutex to the victim, first in the queue
    victimHeld = victim.holding;
    victim.kill();
  });
  const victim = k.spawn(waiter('victim'), { name: 'victim' });
  k.spawn(waiter('next'), { name: 'next' });
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* joiner() {
    outcome = yield* settle(() => victim.join());
  });
  k.runSync();
  t.deepEqual(victimHeld, [m], 'the hand-off made the victim the owner');
  t.deepEqual(got, ['next']);
  t.is(m.owner, null);
  const e = expectFailure(t, outcome, ThreadKilledError, 'EKILLED');
  t.deepEqual(e.held, [], 'the victim exited holding nothing');
  t.false(k.warnings.some((w) => w.includes('exited holding')));
});

test('an rwlock write grant to a writer killed before it ran goes to the readers queued behind it', (t) => {
  const k = new Kernel();
  const rw = new RWLock('inode');
  const got: string[] = [];
  k.spawn(function* reader0() {
    yield* rw.readLock();
    yield;
    rw.unlock(); // grants the write lock to the victim
    victim.kill();
  });
  const victim = k.spawn(function* victim() {
    yield* rw.writeLock();
    got.push('victim');
    rw.unlock();
  });
  k.spawn(function* reader1() {
    yield* rw.readLock();
    got.push('reader1');
    rw.unlock();
  });
  k.runSync();
  t.deepEqual(got, ['reader1']);
  t.is(rw.writer, null);
  t.deepEqual(rw.readers, []);
});

/**
 * Two consumers ('victim', then 'other') of a queue guarded by a mutex and a condvar, in the
 * Mesa style; `unwound` records who held the mutex while the victim ran its finally block.
 */
function consumers(k: Kernel) {
  const m = new Mutex('q.lock');
  const cv = new CondVar('q.nonEmpty');
  const queue: number[] = [];
  const got: string[] = [];
  const unwound: unknown[] = [];
  const consumer = (name: string) =>
    function* (): Routine<void> {
      yield* m.lock();
      try {
        while (queue.length === 0) yield* cv.wait(m);
        queue.shift();
        got.push(name);
      } finally {
        if (name === 'victim') unwound.push(m.owner?.name);
        m.unlock();
      }
    };
  const victim = k.spawn(consumer('victim'), { name: 'victim' });
  k.spawn(consumer('other'), { name: 'other' });
  return { m, cv, queue, got, unwound, victim };
}

test('a condvar signal consumed by a waiter killed before it ran goes to another waiter', (t) => {
  const k = new Kernel();
  const { m, cv, queue, got, victim } = consumers(k);
  k.spawn(function* producer() {
    yield;
    yield* m.lock();
    queue.push(1);
    cv.signal(); // moves the victim onto the mutex
    m.unlock(); // hands it the mutex
    victim.kill();
  });
  k.runSync(); // a lost signal would leave 'other' asleep for ever: a stall
  t.deepEqual(got, ['other']);
  t.deepEqual(queue, []);
  t.is(m.owner, null);
});

test('a signalled condvar waiter killed while it waits for the mutex unwinds holding it, and the signal passes on', (t) => {
  const k = new Kernel();
  const { m, cv, queue, got, unwound, victim } = consumers(k);
  k.spawn(function* producer() {
    yield;
    yield* m.lock();
    queue.push(1);
    cv.signal(); // the victim now waits for the mutex, which the producer holds
    victim.kill();
    yield;
    m.unlock();
  });
  k.runSync();
  t.deepEqual(unwound, ['victim'], 'the victim ran its finally holding the mutex');
  t.deepEqual(got, ['other']);
  t.is(m.owner, null);
  t.is(victim.exitStatus, 'killed');
});

test('a wakeupOne consumed by a sleeper killed before it ran wakes another sleeper', (t) => {
  const k = new Kernel();
  const key = { name: 'buf' };
  const woke: string[] = [];
  const sleeper = (name: string) =>
    function* (): Routine<void> {
      yield* tsleep(key);
      woke.push(name);
    };
  const victim = k.spawn(sleeper('victim'), { name: 'victim' });
  k.spawn(sleeper('other'), { name: 'other' });
  k.spawn(function* waker() {
    yield;
    wakeupOne(key);
    victim.kill();
  });
  k.runSync();
  t.deepEqual(woke, ['other']);
});
