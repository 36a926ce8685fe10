import test from 'ava';
import {
  CrossKernelError,
  Kernel,
  Mutex,
  currentThread,
  NotInThreadError,
  NotOwnerError,
  TimeoutError,
  WouldDeadlockError,
  sleep,
  type Routine,
} from '../../lib/index.ts';
import { expectError, expectFailure, settle, yields, type Outcome } from '../helpers/util.ts';

test('an uncontended lock is taken at once; owner and locked reflect it; unlock frees it', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const seen: unknown[] = [];
  const th = k.spawn(function* a() {
    yield* m.lock();
    seen.push(m.owner, m.locked, k.steps);
    m.unlock();
    seen.push(m.owner, m.locked);
  });
  k.runSync();
  t.deepEqual(seen, [th, true, 1, null, false]);
  t.is(m.name, 'm');
  t.is(String(m), 'mutex m');
});

test('mutual exclusion: threads that yield inside the critical section never overlap', (t) => {
  for (const seed of [1, 2, 3]) {
    const k = new Kernel({ policy: 'random', seed });
    const m = new Mutex();
    let inside = 0;
    let maxInside = 0;
    let entries = 0;
    for (let i = 0; i < 5; i++) {
      k.spawn(function* worker() {
        for (let j = 0; j < 4; j++) {
          yield* m.lock();
          inside++;
          maxInside = Math.max(maxInside, inside);
          entries++;
          yield* yields(2);
          inside--;
          m.unlock();
          yield;
        }
      });
    }
    k.runSync();
    t.is(maxInside, 1);
    t.is(entries, 20);
  }
});

test('unlock hands the mutex to the highest-priority waiter first, FIFO among equals', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const order: string[] = [];
  k.spawn(
    function* owner() {
      yield* m.lock();
      yield* sleep(10);
      m.unlock();
    },
    { priority: 20 },
  );
  // Queue order: low1, low2 (at t=0), then high1, high2 (at t=1).
  const waiter = (name: string, delay: number) =>
    function* (): Routine<void> {
      if (delay > 0) yield* sleep(delay);
      yield* m.lock();
      order.push(name);
      m.unlock();
    };
  k.spawn(waiter('low1', 0), { priority: 1 });
  k.spawn(waiter('low2', 0), { priority: 1 });
  k.spawn(waiter('high1', 1), { priority: 5 });
  k.spawn(waiter('high2', 1), { priority: 5 });
  k.runSync();
  t.deepEqual(order, ['high1', 'high2', 'low1', 'low2']);
});

test('unlock hands off directly: the waiter owns the mutex before it runs and a barging tryLock fails', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const seen: unknown[] = [];
  const waiter = k.spawn(function* waiter() {
    yield* sleep(1);
    yield* m.lock();
    m.unlock();
  });
  k.spawn(function* owner() {
    yield* m.lock();
    yield* sleep(5);
    m.unlock();
    seen.push(m.owner === waiter, waiter.stateName, m.tryLock());
  });
  k.runSync();
  t.deepEqual(seen, [true, 'runnable', false]);
});

test('tryLock takes a free mutex and returns false on a held one without waiting', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const seen: unknown[] = [];
  k.spawn(function* a() {
    seen.push(m.tryLock());
    yield* sleep(2);
    m.unlock();
  });
  k.spawn(function* b() {
    seen.push(m.tryLock(), k.now());
    yield* sleep(3);
    seen.push(m.tryLock(), k.now());
    m.unlock();
  });
  k.runSync();
  t.deepEqual(seen, [true, false, 0, true, 3]);
});

test('locking a mutex you hold is WouldDeadlockError "locking against myself" and does not block', (t) => {
  const k = new Kernel();
  const m = new Mutex('twice');
  let outcome: Outcome<void> | undefined;
  k.spawn(function* a() {
    yield* m.lock();
    outcome = yield* settle(() => m.lock());
    m.unlock();
  });
  k.runSync();
  const e = expectFailure(t, outcome, WouldDeadlockError, 'EDEADLK');
  t.regex(e.message, /locking against myself/);
  t.regex(e.message, /a#\d+/);
  t.regex(e.message, /twice/);
  t.is(m.owner, null);
});

test('unlock by a non-owner is NotOwnerError naming both threads, and the owner keeps the mutex', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  let err: unknown;
  const holder = k.spawn(function* holder() {
    yield* m.lock();
    yield* sleep(5);
    m.unlock();
  });
  let ownerAfter: unknown;
  k.spawn(function* intruder() {
    yield;
    try {
      m.unlock();
    } catch (e) {
      err = e;
    }
    ownerAfter = m.owner;
  });
  k.runSync();
  const e = expectError(t, err, NotOwnerError, 'EPERM');
  t.regex(e.message, /intruder#\d+/);
  t.regex(e.message, /holder#\d+/);
  t.is(ownerAfter, holder);
});

test('unlock of a free mutex, or from the host, is NotOwnerError', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  let err: unknown;
  k.spawn(function* a() {
    try {
      m.unlock();
    } catch (e) {
      err = e;
    }
  });
  k.runSync();
  expectError(t, err, NotOwnerError, 'EPERM');
  t.regex((err as Error).message, /nobody/);
  const host = t.throws(() => m.unlock());
  expectError(t, host, NotOwnerError, 'EPERM');
  t.regex(host!.message, /\(host\)/);
});

test('mutex.lock() outside a thread is NotInThreadError', (t) => {
  const m = new Mutex('m');
  expectError(
    t,
    t.throws(() => m.lock()),
    NotInThreadError,
    'ENOTHREAD',
  );
  expectError(
    t,
    t.throws(() => m.tryLock()),
    NotInThreadError,
    'ENOTHREAD',
  );
});

test('a mutex used by one kernel refuses the threads of another with CrossKernelError', (t) => {
  const k1 = new Kernel({ name: 'k1' });
  const k2 = new Kernel({ name: 'k2' });
  const m = new Mutex('shared');
  k1.spawn(function* a() {
    yield* m.lock();
    m.unlock();
  });
  k1.runSync();
  let err: unknown;
  let tryErr: unknown;
  k2.spawn(function* b() {
    try {
      yield* m.lock();
    } catch (e) {
      err = e;
    }
    try {
      m.tryLock();
    } catch (e) {
      tryErr = e;
    }
  });
  k2.runSync();
  const e = expectError(t, err, CrossKernelError, 'EXDEV');
  t.regex(e.message, /shared/);
  expectError(t, tryErr, CrossKernelError, 'EXDEV');
});

test('lock with a timeout throws TimeoutError and the waiter is no longer queued', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  let outcome: Outcome<void> | undefined;
  let ownerAfterRelease: unknown = 'unset';
  k.spawn(function* holder() {
    yield* m.lock();
    yield* sleep(20);
    m.unlock();
    ownerAfterRelease = m.owner;
  });
  const waiter = k.spawn(function* waiter() {
    outcome = yield* settle(() => m.lock(5));
    yield* sleep(100);
  });
  k.runSync();
  const e = expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.is(e.waitedMs, 5);
  t.is(ownerAfterRelease, null, 'the release did not hand the mutex to the timed-out waiter');
  t.deepEqual(waiter.holding, []);
});

test('lock with a timeout that is not reached acquires normally and disarms the timer', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  let acquiredAt = -1;
  k.spawn(function* holder() {
    yield* m.lock();
    yield* sleep(3);
    m.unlock();
  });
  k.spawn(function* waiter() {
    yield* m.lock(50);
    acquiredAt = k.now();
    m.unlock();
  });
  const r = k.runSync();
  t.is(acquiredAt, 3);
  t.is(r.time, 3, 'no stale timer kept virtual time running to 50');
  t.is(k.pendingTimers, 0);
});

test('a blocked waiter shows what it waits for and who owns it', (t) => {
  const k = new Kernel();
  const m = new Mutex('dev');
  const holder = k.spawn(function* holder() {
    yield* m.lock();
    yield* sleep(1);
    m.unlock();
  });
  const waiter = k.spawn(function* waiter() {
    yield* m.lock();
    m.unlock();
  });
  k.runUntilIdle();
  t.is(waiter.waitingFor?.kind, 'mutex');
  t.is(waiter.waitingFor?.resource, m);
  t.deepEqual(m.owners(), [holder]);
  const dump = k.dump();
  t.regex(dump, /mutex\W+dev/);
  t.regex(dump, /holder#\d+/);
  k.runSync();
  t.deepEqual(m.owners(), []);
});

test('a thread may hold several mutexes; holding lists them in acquisition order', (t) => {
  const k = new Kernel();
  const a = new Mutex('a');
  const b = new Mutex('b');
  const seen: string[][] = [];
  const th = k.spawn(function* two() {
    yield* a.lock();
    yield* b.lock();
    seen.push(th.holding.map((r) => r.name));
    a.unlock();
    seen.push(th.holding.map((r) => r.name));
    b.unlock();
  });
  k.runSync();
  t.deepEqual(seen, [['a', 'b'], ['b']]);
});

test('a bad timeout on a contended lock is InvalidArgumentError, and the caller is not left queued or blocked', (t) => {
  const k = new Kernel({ detection: false });
  const m = new Mutex('m');
  const seen: string[] = [];
  k.spawn(function* holder() {
    yield* m.lock();
    yield;
    m.unlock();
  });
  k.spawn(function* caller() {
    const e = yield* settle(() => m.lock(-1));
    seen.push(e.ok ? 'locked' : (e.error as Error).name);
    seen.push(currentThread().stateName);
    yield* m.lock(); // still usable: waits for the holder, then gets the lock
    seen.push(m.owner === currentThread() ? 'owner' : 'not owner');
    m.unlock();
  });
  k.runSync();
  t.deepEqual(seen, ['InvalidArgumentError', 'running', 'owner']);
});
