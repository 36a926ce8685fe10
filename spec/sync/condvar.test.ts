import test from 'ava';
import {
  CondVar,
  InvalidArgumentError,
  Kernel,
  Mutex,
  NotInThreadError,
  NotOwnerError,
  TimeoutError,
  hostcall,
  sleep,
  type Routine,
} from '../../lib/index.ts';
import {
  expectError,
  expectFailure,
  later,
  settle,
  withHangGuard,
  type Outcome,
} from '../helpers/util.ts';

test('producer/consumer with a Mesa wait loop delivers every item in order', (t) => {
  const k = new Kernel({ policy: 'random', seed: 11 });
  const m = new Mutex('q');
  const nonEmpty = new CondVar('q.nonEmpty');
  const queue: number[] = [];
  const got: number[] = [];
  k.spawn(function* consumer() {
    for (let i = 0; i < 10; i++) {
      yield* m.lock();
      while (queue.length === 0) yield* nonEmpty.wait(m);
      got.push(queue.shift()!);
      m.unlock();
    }
  });
  k.spawn(function* producer() {
    for (let i = 0; i < 10; i++) {
      yield* m.lock();
      queue.push(i);
      nonEmpty.signal();
      m.unlock();
      if (i % 3 === 0) yield* sleep(1);
    }
  });
  k.runSync();
  t.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('wait re-holds the mutex when it returns', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const cv = new CondVar('cv');
  let ownerOnReturn: unknown;
  const waiter = k.spawn(function* waiter() {
    yield* m.lock();
    yield* cv.wait(m);
    ownerOnReturn = m.owner;
    m.unlock();
  });
  k.spawn(function* signaller() {
    yield* sleep(1);
    yield* m.lock();
    t.is(m.owner?.name, 'signaller', 'wait released the mutex');
    cv.signal();
    m.unlock();
  });
  k.runSync();
  t.is(ownerOnReturn, waiter);
});

test('signal wakes one waiter (returns true), broadcast wakes all (returns the count), none left returns false', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const cv = new CondVar('cv');
  const woken: string[] = [];
  const results: unknown[] = [];
  for (const name of ['a', 'b', 'c']) {
    k.spawn(
      function* (): Routine<void> {
        yield* m.lock();
        yield* cv.wait(m);
        woken.push(name);
        m.unlock();
      },
      { name },
    );
  }
  k.spawn(function* signaller() {
    yield* sleep(1);
    results.push(cv.waiting, cv.signal());
    yield* sleep(1);
    results.push([...woken], cv.broadcast());
    yield* sleep(1);
    results.push([...woken], cv.signal(), cv.broadcast());
  });
  k.runSync();
  t.deepEqual(results, [3, true, ['a'], 2, ['a', 'b', 'c'], false, 0]);
});

test('signal wakes the highest-priority waiter, FIFO among equals', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const cv = new CondVar('cv');
  const woken: string[] = [];
  const waiter = (name: string, delay: number) =>
    function* (): Routine<void> {
      yield* sleep(delay);
      yield* m.lock();
      yield* cv.wait(m);
      woken.push(name);
      m.unlock();
    };
  k.spawn(waiter('lowA', 0), { priority: 1 });
  k.spawn(waiter('lowB', 1), { priority: 1 });
  k.spawn(waiter('high', 2), { priority: 3 });
  k.spawn(
    function* signaller() {
      yield* sleep(5);
      for (let i = 0; i < 3; i++) {
        cv.signal();
        yield* sleep(1);
      }
    },
    { priority: 9 },
  );
  k.runSync();
  t.deepEqual(woken, ['high', 'lowA', 'lowB']);
});

test('a signalled waiter moves onto the mutex queue and runs only once the signaller unlocks', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const cv = new CondVar('cv');
  const seen: unknown[] = [];
  const waiter = k.spawn(function* waiter() {
    yield* m.lock();
    yield* cv.wait(m);
    seen.push(`waiter@${k.now()}`);
    m.unlock();
  });
  k.spawn(function* signaller() {
    yield;
    yield* m.lock();
    cv.signal();
    seen.push(waiter.waitingFor?.kind);
    yield* sleep(4);
    seen.push(waiter.stateName);
    m.unlock();
  });
  k.runSync();
  t.deepEqual(seen, ['mutex', 'blocked', 'waiter@4']);
});

test('wait with a timeout throws TimeoutError holding the mutex again', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const cv = new CondVar('cv');
  let outcome: Outcome<void> | undefined;
  let ownerAfter: unknown;
  const waiter = k.spawn(function* waiter() {
    yield* m.lock();
    outcome = yield* settle(() => cv.wait(m, 7));
    ownerAfter = m.owner;
    m.unlock();
  });
  k.runSync();
  const e = expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.is(e.waitedMs, 7);
  t.is(ownerAfter, waiter);
  t.is(cv.waiting, 0);
});

test('a timed-out waiter whose mutex is held by another waits for it, then throws TimeoutError holding it', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const cv = new CondVar('cv');
  let outcome: Outcome<void> | undefined;
  let at = -1;
  let ownerAfter: unknown;
  const waiter = k.spawn(function* waiter() {
    yield* m.lock();
    outcome = yield* settle(() => cv.wait(m, 5));
    at = k.now();
    ownerAfter = m.owner;
    m.unlock();
  });
  k.spawn(function* other() {
    yield* sleep(1);
    yield* m.lock();
    yield* sleep(10);
    m.unlock();
  });
  k.runSync();
  const e = expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.is(e.waitedMs, 5, 'waitedMs counts the condvar wait, up to the timeout');
  t.is(at, 11);
  t.is(ownerAfter, waiter);
});

test('after a timed-out wait, a later signal does not wake that thread', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const cv = new CondVar('cv');
  let signalled: boolean | undefined;
  k.spawn(function* waiter() {
    yield* m.lock();
    yield* settle(() => cv.wait(m, 2));
    m.unlock();
    yield* sleep(10);
  });
  k.spawn(function* signaller() {
    yield* sleep(5);
    signalled = cv.signal();
  });
  k.runSync();
  t.false(signalled);
});

test('waiting without holding the mutex is NotOwnerError; using two mutexes at once is InvalidArgumentError', (t) => {
  const k = new Kernel();
  const m1 = new Mutex('m1');
  const m2 = new Mutex('m2');
  const cv = new CondVar('cv');
  let notOwner: Outcome<void> | undefined;
  let twoMutexes: Outcome<void> | undefined;
  k.spawn(function* first() {
    notOwner = yield* settle(() => cv.wait(m1));
    yield* m1.lock();
    yield* cv.wait(m1);
    m1.unlock();
  });
  k.spawn(function* second() {
    yield;
    yield* m2.lock();
    twoMutexes = yield* settle(() => cv.wait(m2));
    t.is(m2.owner?.name, 'second', 'a refused wait keeps the mutex');
    m2.unlock();
    cv.signal();
  });
  k.runSync();
  const e = expectFailure(t, notOwner, NotOwnerError, 'EPERM');
  t.regex(e.message, /m1/);
  expectFailure(t, twoMutexes, InvalidArgumentError, 'EINVAL');
});

test('wait outside a thread is NotInThreadError', (t) => {
  const cv = new CondVar('cv');
  expectError(
    t,
    t.throws(() => cv.wait(new Mutex())),
    NotInThreadError,
    'ENOTHREAD',
  );
});

test('a waiter is woken by a signal from the host while another thread waits on a host call', async (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const cv = new CondVar('cv');
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  k.spawn(function* waiter() {
    yield* m.lock();
    yield* cv.wait(m);
    m.unlock();
    release(); // only the signalled waiter can let the host call finish
  });
  k.spawn(function* caller() {
    yield* hostcall(gate);
  });
  void later(5, null).then(() => cv.signal());
  await t.notThrowsAsync(withHangGuard(k.run(), 'run() after a host-side signal'));
});
