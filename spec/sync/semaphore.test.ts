import test from 'ava';
import {
  CrossKernelError,
  InvalidArgumentError,
  Kernel,
  LimitExceededError,
  NotInThreadError,
  Semaphore,
  Thread,
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
  yields,
  type Outcome,
} from '../helpers/util.ts';

test('counting: with 2 units, two threads pass at once and a third waits for an up()', (t) => {
  const k = new Kernel();
  const s = new Semaphore(2, 'slots');
  const passed: string[] = [];
  for (const name of ['a', 'b', 'c']) {
    k.spawn(
      function* (): Routine<void> {
        yield* s.down();
        passed.push(`${name}@${k.now()}`);
        yield* sleep(5);
        s.up();
      },
      { name },
    );
  }
  k.runSync();
  t.deepEqual(passed, ['a@0', 'b@0', 'c@5']);
  t.is(s.count, 2);
});

test('concurrency never exceeds the initial count', (t) => {
  const k = new Kernel({ policy: 'random', seed: 5 });
  const s = new Semaphore(3, 'pool');
  let inside = 0;
  let peak = 0;
  for (let i = 0; i < 8; i++) {
    k.spawn(function* worker() {
      for (let j = 0; j < 3; j++) {
        yield* s.down();
        inside++;
        peak = Math.max(peak, inside);
        yield* yields(2);
        inside--;
        s.up();
      }
    });
  }
  k.runSync();
  t.is(peak, 3);
  t.is(s.count, 3);
});

test('tryDown takes a unit if one is available and returns false otherwise, never waiting', (t) => {
  const k = new Kernel();
  const s = new Semaphore(1, 's');
  const seen: unknown[] = [];
  k.spawn(function* a() {
    seen.push(s.tryDown(), s.count, s.tryDown(), k.now(), k.steps);
  });
  k.runSync();
  t.deepEqual(seen, [true, 0, false, 0, 1]);
});

test('up(n) wakes n waiters, highest priority first and FIFO among equals; extra units go to the count', (t) => {
  const k = new Kernel();
  const s = new Semaphore(0, 's');
  const woken: string[] = [];
  const waiter = (name: string) =>
    function* (): Routine<void> {
      yield* s.down();
      woken.push(name);
    };
  k.spawn(waiter('low1'), { priority: 1 });
  k.spawn(waiter('low2'), { priority: 1 });
  k.spawn(waiter('high'), { priority: 2 });
  k.spawn(waiter('low3'), { priority: 1 });
  const counts: number[] = [];
  k.spawn(
    function* upper() {
      yield* sleep(1);
      s.up(3);
      counts.push(s.count, s.waiting);
      yield* sleep(1);
      s.up(3);
      counts.push(s.count, s.waiting);
    },
    { priority: 9 },
  );
  k.runSync();
  t.deepEqual(woken, ['high', 'low1', 'low2', 'low3']);
  t.deepEqual(counts, [0, 1, 2, 0]);
});

test('up past max is LimitExceededError and has no effect at all', (t) => {
  const k = new Kernel();
  const s = new Semaphore(0, 'bounded', 1);
  let err: unknown;
  let countAfter = -1;
  let waitingAfter = -1;
  let waiterRan = false;
  k.spawn(function* waiter() {
    yield* s.down(20);
    waiterRan = true;
  });
  k.spawn(function* upper() {
    yield;
    try {
      s.up(3); // one unit to the waiter, two to the count: past max 1
    } catch (e) {
      err = e;
    }
    countAfter = s.count;
    waitingAfter = s.waiting;
    yield;
    s.up(1);
  });
  k.runSync();
  const e = expectError(t, err, LimitExceededError, 'ELIMIT');
  t.regex(e.message, /bounded/);
  t.is(countAfter, 0);
  t.is(waitingAfter, 1, 'the refused up() did not wake the waiter');
  t.true(waiterRan);
  const full = new Semaphore(1, 'full', 1);
  expectError(
    t,
    t.throws(() => full.up()),
    LimitExceededError,
    'ELIMIT',
  );
  t.is(full.count, 1);
});

test('invalid counts are InvalidArgumentError: negative or too-large initial, max < 1, up(0), up(1.5)', (t) => {
  expectError(
    t,
    t.throws(() => new Semaphore(-1)),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => new Semaphore(3, 's', 2)),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => new Semaphore(0, 's', 0)),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => new Semaphore(0.5)),
    InvalidArgumentError,
    'EINVAL',
  );
  const s = new Semaphore(0, 's');
  expectError(
    t,
    t.throws(() => s.up(0)),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => s.up(1.5)),
    InvalidArgumentError,
    'EINVAL',
  );
  t.is(s.count, 0);
});

test('down with a timeout throws TimeoutError, and a later up() goes to the count, not to that thread', (t) => {
  const k = new Kernel();
  const s = new Semaphore(0, 's');
  let outcome: Outcome<void> | undefined;
  let countAfterUp = -1;
  k.spawn(function* waiter() {
    outcome = yield* settle(() => s.down(4));
    yield* sleep(20);
  });
  k.spawn(function* upper() {
    yield* sleep(10);
    s.up();
    countAfterUp = s.count;
  });
  k.runSync();
  const e = expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.is(e.waitedMs, 4);
  t.is(countAfterUp, 1);
});

test('down and tryDown outside a thread are NotInThreadError; up from the host is allowed', (t) => {
  const s = new Semaphore(0, 's');
  expectError(
    t,
    t.throws(() => s.down()),
    NotInThreadError,
    'ENOTHREAD',
  );
  expectError(
    t,
    t.throws(() => s.tryDown()),
    NotInThreadError,
    'ENOTHREAD',
  );
  s.up(2);
  t.is(s.count, 2);
});

test('a semaphore bound to one kernel refuses down() from another kernel', (t) => {
  const s = new Semaphore(5, 's');
  const k1 = new Kernel();
  k1.spawn(function* a() {
    yield* s.down();
  });
  k1.runSync();
  const k2 = new Kernel();
  let err: unknown;
  k2.spawn(function* b() {
    try {
      yield* s.down();
    } catch (e) {
      err = e;
    }
  });
  k2.runSync();
  expectError(t, err, CrossKernelError, 'EXDEV');
  t.is(s.count, 4);
});

test('an exhausted semaphore with nobody to up() it makes run() stall', (t) => {
  const k = new Kernel();
  const s = new Semaphore(0, 'never');
  k.spawn(function* stuck() {
    yield* s.down();
  });
  const err = t.throws(() => k.runSync());
  t.is((err as { code?: string }).code, 'ESTALL');
  t.regex(err!.message, /semaphore\W+never/);
});

test('an up() from the host wakes a waiter while another thread waits on a host call', async (t) => {
  const k = new Kernel();
  const s = new Semaphore(0, 's');
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  k.spawn(function* waiter() {
    yield* s.down();
    release();
  });
  k.spawn(function* caller() {
    yield* hostcall(gate);
  });
  void later(5, null).then(() => s.up());
  await t.notThrowsAsync(withHangGuard(k.run(), 'run() after a host-side up()'));
});

/**
 * Counts reads of Thread.priority while `fn` runs: every way of choosing the next waiter reads
 * priorities, so a scan of the wait queue shows up as reads proportional to its length.
 */
function priorityReadsDuring(fn: () => void): number {
  const proto = Thread.prototype as unknown as object;
  const original = Object.getOwnPropertyDescriptor(proto, 'priority')!;
  let reads = 0;
  Object.defineProperty(proto, 'priority', {
    ...original,
    get(this: Thread) {
      reads++;
      return original.get!.call(this);
    },
  });
  try {
    fn();
  } finally {
    Object.defineProperty(proto, 'priority', original);
  }
  return reads;
}

test('waking one of n waiters does not scan the queue: the cost of up() does not grow with n (draining is O(n))', (t) => {
  const readsPerUp = (n: number): number => {
    const k = new Kernel({ detection: false });
    const s = new Semaphore(0, 'slots');
    for (let i = 0; i < n; i++)
      k.spawn(function* waiter() {
        yield* s.down();
      });
    k.runUntilIdle();
    t.is(s.waiting, n);
    const reads = priorityReadsDuring(() => {
      for (let i = 0; i < 10; i++) s.up();
    });
    k.runUntilIdle();
    t.is(s.waiting, n - 10);
    return reads / 10;
  };
  const small = readsPerUp(20);
  const large = readsPerUp(5000);
  t.true(
    large <= small + 1,
    `priority reads per up(): ${small} with 20 waiters, ${large} with 5,000`,
  );
});
