import test from 'ava';
import {
  CrossKernelError,
  GreenkernelError,
  HostRejectionError,
  InvalidArgumentError,
  Kernel,
  LimitExceededError,
  Mutex,
  NotInThreadError,
  NotOwnerError,
  OperationMisuseError,
  ThreadKilledError,
  TimeoutError,
  UnjoinedThreadError,
  WouldDeadlockError,
  call,
  currentThread,
  hostcall,
  sleep,
  type Routine,
  type Yielded,
} from '../../lib/index.ts';
import { expectError, expectFailure, settle, type Outcome } from '../helpers/util.ts';

/** Yields a value a thread must never yield; typed loosely on purpose. */
function* yieldRaw(value: unknown): Routine<void> {
  yield value as Yielded;
}

test('yielding a Promise throws OperationMisuseError into the thread, which can catch it and go on', (t) => {
  const k = new Kernel();
  let caught: unknown;
  let after = false;
  k.spawn(function* confused() {
    try {
      yield* yieldRaw(Promise.resolve(1));
    } catch (e) {
      caught = e;
    }
    yield* sleep(1);
    after = true;
  });
  k.runSync();
  const e = expectError(t, caught, OperationMisuseError, 'EOPMISUSE');
  t.regex(e.message, /Promise/);
  t.regex(e.message, /hostcall/);
  t.true(after);
});

test('yielding a number throws OperationMisuseError into the thread; uncaught, the thread fails with it', (t) => {
  const k = new Kernel();
  let caught: unknown;
  k.spawn(function* caught1() {
    try {
      yield* yieldRaw(42);
    } catch (e) {
      caught = e;
    }
  });
  const uncaught = k.spawn(function* uncaught1() {
    yield* yieldRaw(7);
  });
  let joined: Outcome<unknown> | undefined;
  k.spawn(function* joiner() {
    joined = yield* settle(() => uncaught.join());
  });
  k.runSync();
  const e = expectError(t, caught, OperationMisuseError, 'EOPMISUSE');
  t.regex(e.message, /number 42/);
  expectFailure(t, joined, OperationMisuseError, 'EOPMISUSE');
  t.is(uncaught.exitStatus, 'threw');
});

test('an operation created without yield* is OperationMisuseError at the next operation', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  let outcome: Outcome<void> | undefined;
  k.spawn(function* forgetful() {
    outcome = yield* settle(function* () {
      const op = m.lock(); // not yielded
      void op;
      yield* sleep(1);
    });
  });
  k.runSync();
  const e = expectFailure(t, outcome, OperationMisuseError, 'EOPMISUSE');
  t.regex(e.message, /forgetful/);
  t.true(k.warnings.some((w) => w.includes('created but never yielded')));
});

test('an operation created without yield* is OperationMisuseError at the next bare yield', (t) => {
  const k = new Kernel();
  let outcome: Outcome<void> | undefined;
  k.spawn(function* forgetful() {
    outcome = yield* settle(function* () {
      const op = sleep(5);
      void op;
      yield;
    });
  });
  const r = k.runSync();
  expectFailure(t, outcome, OperationMisuseError, 'EOPMISUSE');
  t.is(r.time, 0, 'the abandoned sleep was cancelled');
  t.is(k.pendingTimers, 0);
});

test('an abandoned contended lock is taken off the mutex queue: the owner hands the mutex to the next waiter', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const acquired: string[] = [];
  k.spawn(function* owner() {
    yield* m.lock();
    yield* sleep(5);
    m.unlock();
  });
  k.spawn(function* forgetful() {
    yield* settle(function* () {
      const op = m.lock(); // queues the thread, then abandons it
      void op;
      yield* sleep(1);
    });
    acquired.push(`forgetful done holding=${m.owner?.name === 'forgetful'}`);
  });
  k.spawn(function* next() {
    yield* sleep(2);
    yield* m.lock();
    acquired.push('next');
    m.unlock();
  });
  k.runSync();
  t.deepEqual(acquired, ['forgetful done holding=false', 'next']);
});

test('an operation created but not yielded before the thread returns fails the thread with EOPMISUSE', (t) => {
  // operation.ts documents: "an operation that is created but not yielded is detected at the
  // next operation, yield or exit (EOPMISUSE)". At exit the kernel only adds a warning and the
  // thread counts as 'returned' (here: still holding the mutex it never meant to take).
  const k = new Kernel();
  const m = new Mutex('m');
  const th = k.spawn(function* forgetful() {
    const op = m.lock();
    void op;
  });
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* joiner() {
    outcome = yield* settle(() => th.join());
  });
  k.runSync();
  expectFailure(t, outcome, OperationMisuseError, 'EOPMISUSE');
});

test('resuming an operation twice (yield* of the same op again) is OperationMisuseError', (t) => {
  const k = new Kernel();
  let outcome: Outcome<void> | undefined;
  k.spawn(function* twice() {
    const op = sleep(1);
    yield* op;
    outcome = yield* settle(function* () {
      yield* op;
    });
  });
  k.runSync();
  expectFailure(t, outcome, OperationMisuseError, 'EOPMISUSE');
});

test('operations outside any thread are NotInThreadError', (t) => {
  expectError(
    t,
    t.throws(() => sleep(1)),
    NotInThreadError,
    'ENOTHREAD',
  );
  expectError(
    t,
    t.throws(() => call(function* () {})),
    NotInThreadError,
    'ENOTHREAD',
  );
  expectError(
    t,
    t.throws(() => hostcall(Promise.resolve(1))),
    NotInThreadError,
    'ENOTHREAD',
  );
  const m = new Mutex('m');
  const err = expectError(
    t,
    t.throws(() => m.lock()),
    NotInThreadError,
    'ENOTHREAD',
  );
  t.regex(err.message, /Mutex\.lock\(\)/);
});

test('call() passes arguments and returns the value; deep chains unwind in order', (t) => {
  const k = new Kernel();
  const log: string[] = [];
  function* depth(n: number, acc: string): Routine<string> {
    log.push(`enter ${n}`);
    try {
      if (n === 0) {
        yield* sleep(1);
        return acc;
      }
      return yield* call(depth, n - 1, acc + n);
    } finally {
      log.push(`leave ${n}`);
    }
  }
  let result = '';
  k.spawn(function* top() {
    result = yield* call(depth, 3, '>');
  });
  k.runSync();
  t.is(result, '>321');
  t.deepEqual(log, [
    'enter 3',
    'enter 2',
    'enter 1',
    'enter 0',
    'leave 0',
    'leave 1',
    'leave 2',
    'leave 3',
  ]);
});

test('an error thrown deep in call() frames can be caught by an intermediate frame', (t) => {
  const k = new Kernel();
  function* fails(): Routine<number> {
    yield* sleep(1);
    throw new Error('deep');
  }
  function* recovers(): Routine<number> {
    try {
      return yield* call(fails);
    } catch {
      return -1;
    }
  }
  let got = 0;
  k.spawn(function* top() {
    got = yield* call(recovers);
  });
  k.runSync();
  t.is(got, -1);
});

test('an uncaught error in a call() frame fails the thread with that error', (t) => {
  const k = new Kernel();
  const boom = new TypeError('bad');
  function* fails(): Routine<void> {
    yield;
    throw boom;
  }
  const th = k.spawn(function* top() {
    yield* call(fails);
  });
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* joiner() {
    outcome = yield* settle(() => th.join());
  });
  k.runSync();
  t.deepEqual(outcome, { ok: false, error: boom });
});

test('plain yield* of a generator works like call() but keeps a single frame', (t) => {
  const k = new Kernel();
  function* inner(x: number): Routine<number> {
    yield* sleep(2);
    return x + 1;
  }
  let frames = -1;
  let got = 0;
  const th = k.spawn(function* top() {
    got = yield* inner(1);
  });
  k.runUntilIdle();
  frames = th.frames.length;
  k.runSync();
  t.is(frames, 1);
  t.is(got, 2);
});

test('a bare yield inside a call() frame gives up the processor and resumes in that frame', (t) => {
  const k = new Kernel();
  const log: string[] = [];
  function* chatty(name: string): Routine<void> {
    for (let i = 0; i < 2; i++) {
      log.push(`${name}${i}`);
      yield;
    }
  }
  k.spawn(function* a() {
    yield* call(chatty, 'a');
  });
  k.spawn(function* b() {
    yield* call(chatty, 'b');
  });
  k.runSync();
  t.deepEqual(log, ['a0', 'b0', 'a1', 'b1']);
});

test('every error class carries its documented code and its class name', (t) => {
  const cases: [GreenkernelError, string, string][] = [
    [new NotOwnerError('x'), 'EPERM', 'NotOwnerError'],
    [new WouldDeadlockError('x'), 'EDEADLK', 'WouldDeadlockError'],
    [new TimeoutError('mutex m', 3), 'ETIMEDOUT', 'TimeoutError'],
    [new ThreadKilledError('t#1', 'why', []), 'EKILLED', 'ThreadKilledError'],
    [new InvalidArgumentError('x'), 'EINVAL', 'InvalidArgumentError'],
    [new NotInThreadError('x'), 'ENOTHREAD', 'NotInThreadError'],
    [new OperationMisuseError('x'), 'EOPMISUSE', 'OperationMisuseError'],
    [new CrossKernelError('mutex m'), 'EXDEV', 'CrossKernelError'],
    [new LimitExceededError('x'), 'ELIMIT', 'LimitExceededError'],
    [
      new UnjoinedThreadError([{ thread: 't#1', error: new Error('e') }]),
      'ETHREAD',
      'UnjoinedThreadError',
    ],
    [new HostRejectionError('no'), 'EHOST', 'HostRejectionError'],
  ];
  for (const [err, code, name] of cases) {
    t.true(err instanceof GreenkernelError && err instanceof Error);
    t.is(err.code, code as GreenkernelError['code']);
    t.is(err.name, name);
  }
  const timeout = cases[2]![0] as TimeoutError;
  t.is(timeout.waitedMs, 3);
  t.regex(timeout.message, /3 ms.*mutex m/);
});

test('call(fn) where fn throws before returning a generator: the thread catches it and goes on normally', (t) => {
  const k = new Kernel();
  const log: string[] = [];
  const m = new Mutex('m');
  k.spawn(function* caller() {
    const bad = (): Routine<void> => {
      throw new Error('no generator for you');
    };
    try {
      yield* call(bad);
    } catch (e) {
      log.push(`caught ${(e as Error).message}`);
    }
    yield* m.lock(); // the next operation works
    m.unlock();
    yield* sleep(1);
    log.push('went on');
  });
  k.runSync();
  t.deepEqual(log, ['caught no generator for you', 'went on']);
  t.deepEqual(k.warnings, []);
});

test('bodies that are not generators are InvalidArgumentError, async generators included (spawn and call)', (t) => {
  const k = new Kernel();
  async function* asyncBody(): AsyncGenerator<undefined, void, unknown> {}
  expectError(
    t,
    t.throws(() => k.spawn(asyncBody as unknown as () => Routine<void>)),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => k.spawn((() => 5) as unknown as () => Routine<void>)),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => k.spawn(function* () {}, null as unknown as {})),
    InvalidArgumentError,
    'EINVAL',
  );
  t.is(k.threads.length, 0, 'nothing was spawned');
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* caller() {
    outcomes.push(yield* settle(() => call(asyncBody as unknown as () => Routine<void>)));
    outcomes.push(yield* settle(() => call((() => 5) as unknown as () => Routine<void>)));
    outcomes.push(yield* settle(() => call(null as unknown as () => Routine<void>)));
    yield* sleep(1); // the thread is unharmed
  });
  k.runSync();
  t.is(outcomes.length, 3);
  for (const o of outcomes) expectFailure(t, o, InvalidArgumentError, 'EINVAL');
});

test('spawn remembers a generator function it spawned, and still refuses every body that is not one', (t) => {
  const k = new Kernel();
  const ran: string[] = [];
  function* worker(): Routine<void> {
    ran.push(currentThread().name);
  }
  const holder = {
    *method(): Routine<void> {
      ran.push('method');
    },
  };
  k.spawn(worker, { name: 'w1' });
  k.spawn(worker, { name: 'w2' }); // the remembered function
  // Between two spawns of the remembered function, bodies that are not generator functions.
  expectError(
    t,
    t.throws(() => k.spawn((() => 5) as unknown as () => Routine<void>)),
    InvalidArgumentError,
    'EINVAL',
  );
  k.spawn(worker, { name: 'w3' });
  expectError(
    t,
    t.throws(() => k.spawn(async function* () {} as unknown as () => Routine<void>)),
    InvalidArgumentError,
    'EINVAL',
  );
  k.spawn(worker.bind(null), { name: 'bound' });
  k.spawn(() => holder.method(), { name: 'arrow' });
  k.spawn(holder.method.bind(holder), { name: 'method' });
  k.runSync();
  t.deepEqual(ran, ['w1', 'w2', 'w3', 'bound', 'method', 'method']);
});

test('a body may return an iterator that is not a generator: it runs as a thread, yields, returns and is killed', (t) => {
  const k = new Kernel();
  const log: string[] = [];
  // Yields `n` times (a bare yield each), then returns n * 10; says when it is returned from.
  const counter = (name: string, n: number): Routine<number> => {
    let i = 0;
    const it: Iterator<Yielded, number, unknown> = {
      next: () => {
        log.push(`${name}${i}`);
        return i < n ? { done: false, value: (i++, undefined) } : { done: true, value: n * 10 };
      },
      return: (value?: unknown) => {
        log.push(`${name} returned`);
        return { done: true, value: value as number };
      },
    };
    return it as unknown as Routine<number>;
  };
  const a = k.spawn(() => counter('a', 2));
  const b = k.spawn(() => counter('b', 1000));
  let joined: unknown;
  k.spawn(function* joiner() {
    joined = yield* a.join();
    b.kill('enough');
  });
  k.runSync();
  t.is(joined, 20, "the iterator's return value is the thread's");
  t.deepEqual(
    log.slice(0, 6),
    ['a0', 'b0', 'a1', 'b1', 'a2', 'b2'],
    'they take turns, one yield each',
  );
  t.is(a.exitStatus, 'returned');
  t.is(b.exitStatus, 'killed');
  t.is(log.at(-1), 'b returned', 'a kill returns from the iterator');
});

test('an abandoned uncontended lock is rolled back as a contended one is: the mutex is free again', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  let outcome: Outcome<unknown> | undefined;
  let ownerAfter: unknown = 'unset';
  k.spawn(function* forgetful() {
    outcome = yield* settle(function* () {
      const op = m.lock(); // uncontended: granted at once, then never yielded
      void op;
      yield;
    });
    ownerAfter = m.owner;
  });
  k.runSync();
  expectFailure(t, outcome, OperationMisuseError, 'EOPMISUSE');
  t.is(ownerAfter, null);
});

test("a call past maxCallDepth throws LimitExceededError at the caller's yield*, which can catch it and go on", (t) => {
  const k = new Kernel({ maxCallDepth: 50 });
  let deepest = 0;
  let caughtAt = -1;
  function* recurse(n: number): Routine<void> {
    deepest = Math.max(deepest, n);
    try {
      yield* call(recurse, n + 1);
    } catch (e) {
      if (caughtAt < 0) {
        expectError(t, e, LimitExceededError, 'ELIMIT');
        caughtAt = n;
      } else {
        throw e;
      }
    }
  }
  k.spawn(function* runaway() {
    yield* call(recurse, 1);
    yield* sleep(1); // the thread is intact
  });
  k.runSync();
  t.is(deepest, 50, 'frames up to the limit ran');
  t.is(caughtAt, 50, 'the call that would go past it failed where it was made');
  t.throws(() => new Kernel({ maxCallDepth: 0 }), { instanceOf: InvalidArgumentError });
});
