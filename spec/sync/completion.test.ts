import test from 'ava';
import {
  Completion,
  CrossKernelError,
  InvalidArgumentError,
  Kernel,
  NotInThreadError,
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

test('every waiter gets the value, and late waiters get it at once', (t) => {
  const k = new Kernel();
  const io = new Completion<string>('read blk 7');
  const got: string[] = [];
  for (const name of ['a', 'b', 'c']) {
    k.spawn(
      function* (): Routine<void> {
        const v = yield* io.wait();
        got.push(`${name}:${v}@${k.now()}`);
      },
      { name },
    );
  }
  k.spawn(function* device() {
    yield* sleep(4);
    t.false(io.done);
    io.complete('data');
    t.true(io.done);
  });
  k.spawn(function* late() {
    yield* sleep(9);
    const stepsBefore = k.steps;
    const v = yield* io.wait();
    got.push(`late:${v}@${k.now()}`);
    t.is(k.steps, stepsBefore, 'a settled completion returns without a switch');
  });
  k.runSync();
  t.deepEqual(got, ['a:data@4', 'b:data@4', 'c:data@4', 'late:data@9']);
});

test('fail() throws the same error to every waiter and to every later wait', (t) => {
  const k = new Kernel();
  const io = new Completion<number>('io');
  const eio = new Error('EIO');
  const outcomes: Outcome<number>[] = [];
  for (let i = 0; i < 2; i++) {
    k.spawn(function* waiter() {
      outcomes.push(yield* settle(() => io.wait()));
    });
  }
  k.spawn(function* device() {
    yield* sleep(1);
    io.fail(eio);
    yield* sleep(1);
    outcomes.push(yield* settle(() => io.wait()));
  });
  k.runSync();
  t.deepEqual(outcomes, [
    { ok: false, error: eio },
    { ok: false, error: eio },
    { ok: false, error: eio },
  ]);
  t.true(io.done);
});

test('settling twice is InvalidArgumentError, whichever way, and keeps the first outcome', (t) => {
  const c = new Completion<number>('c');
  c.complete(1);
  expectError(
    t,
    t.throws(() => c.complete(2)),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => c.fail(new Error('x'))),
    InvalidArgumentError,
    'EINVAL',
  );
  const f = new Completion<number>('f');
  f.fail(new Error('first'));
  expectError(
    t,
    t.throws(() => f.complete(3)),
    InvalidArgumentError,
    'EINVAL',
  );
  const k = new Kernel();
  let v: number | undefined;
  k.spawn(function* reader() {
    v = yield* c.wait();
  });
  k.runSync();
  t.is(v, 1);
});

test('reset() makes a settled completion reusable; new waiters wait for the next settlement', (t) => {
  const k = new Kernel();
  const c = new Completion<number>('c');
  const got: string[] = [];
  k.spawn(function* user() {
    got.push(`first:${yield* c.wait()}@${k.now()}`);
    c.reset();
    t.false(c.done);
    got.push(`second:${yield* c.wait()}@${k.now()}`);
  });
  k.spawn(function* device() {
    yield* sleep(1);
    c.complete(1);
    yield* sleep(1);
    c.complete(2);
  });
  k.runSync();
  t.deepEqual(got, ['first:1@1', 'second:2@2']);
});

test('reset() while threads wait is InvalidArgumentError and leaves them waiting', (t) => {
  const k = new Kernel();
  const c = new Completion<number>('c');
  let err: unknown;
  let got: number | undefined;
  k.spawn(function* waiter() {
    got = yield* c.wait();
  });
  k.spawn(function* resetter() {
    yield;
    try {
      c.reset();
    } catch (e) {
      err = e;
    }
    c.complete(5);
  });
  k.runSync();
  expectError(t, err, InvalidArgumentError, 'EINVAL');
  t.is(got, 5);
});

test('wait with a timeout throws TimeoutError, and a later complete() does not reach that thread', (t) => {
  const k = new Kernel();
  const c = new Completion<number>('slow');
  let outcome: Outcome<number> | undefined;
  const afterwards: string[] = [];
  k.spawn(function* waiter() {
    outcome = yield* settle(() => c.wait(3));
    afterwards.push(`timed out@${k.now()}`);
    yield* sleep(10);
    afterwards.push(`slept@${k.now()}`);
  });
  k.spawn(function* device() {
    yield* sleep(5);
    c.complete(1);
  });
  k.runSync();
  const e = expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.is(e.waitedMs, 3);
  t.deepEqual(afterwards, ['timed out@3', 'slept@13']);
});

test('wait outside a thread is NotInThreadError; another kernel gets CrossKernelError', (t) => {
  const c = new Completion<number>('c');
  expectError(
    t,
    t.throws(() => c.wait()),
    NotInThreadError,
    'ENOTHREAD',
  );
  const k1 = new Kernel();
  k1.spawn(function* a() {
    yield* settle(() => c.wait(1)); // binds c to k1 (and times out)
  });
  k1.runSync();
  const k2 = new Kernel();
  let err: unknown;
  k2.spawn(function* b() {
    try {
      yield* c.wait();
    } catch (e) {
      err = e;
    }
  });
  k2.runSync();
  expectError(t, err, CrossKernelError, 'EXDEV');
});

test('complete() from the host wakes waiters while another thread waits on a host call', async (t) => {
  const k = new Kernel();
  const c = new Completion<number>('irq');
  let release!: (v: number) => void;
  const gate = new Promise<number>((resolve) => (release = resolve));
  let got: number | undefined;
  k.spawn(function* waiter() {
    const v = yield* c.wait();
    release(v + 1); // only the woken waiter can let the host call finish
  });
  k.spawn(function* caller() {
    got = yield* hostcall(gate);
  });
  void later(5, null).then(() => c.complete(41));
  await t.notThrowsAsync(withHangGuard(k.run(), 'run() after a host-side complete()'));
  t.is(got, 42);
});

test('a declared holder is reported as the owner only until the completion settles', (t) => {
  const k = new Kernel();
  const c = new Completion('io');
  const holder = k.spawn(function* completer() {
    yield* sleep(1);
    c.complete();
  });
  c.declareHolder(holder);
  t.deepEqual(c.owners(), [holder]);
  k.runSync();
  t.deepEqual(c.owners(), []);
});
