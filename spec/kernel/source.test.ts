/**
 * Host sources (lib/kernel/source.ts): an open source keeps run() waiting for the host, the
 * stall comes the moment the last one closes, values arrive in order, misuse is refused.
 */
import test from 'ava';
import {
  CrossKernelError,
  InvalidArgumentError,
  Kernel,
  LimitExceededError,
  Semaphore,
  SourceClosedError,
  StallError,
  TimeoutError,
  hostcall,
  sleep,
  type SourceResult,
} from '../../lib/index.ts';
import {
  expectError,
  expectFailure,
  later,
  settle,
  withHangGuard,
  type Outcome,
} from '../helpers/util.ts';

test('the issue example: a semaphore upped by a host timer serves while a source is open, and stalls the moment it closes', async (t) => {
  const k = new Kernel({ clock: 'real' });
  const work = new Semaphore(0, 'work');
  let served = 0;
  k.spawn(function* worker() {
    for (;;) {
      yield* work.down();
      served++;
    }
  });
  const irq = k.hostSource('tick');
  let ups = 0;
  const timer = setInterval(() => {
    work.up();
    if (++ups === 3) {
      clearInterval(timer);
      // Let the worker take the last unit first: then it waits again, and nobody can up().
      setTimeout(() => irq.close(), 5);
    }
  }, 2);
  const error = await withHangGuard(
    t.throwsAsync(k.run(), { instanceOf: StallError }),
    'run() after the last source closed',
  );
  t.is(served, 3);
  t.false(irq.isOpen);
  t.is(k.openSources.length, 0);
  t.regex(error!.message, /semaphore exhausted/);
});

test('deliver() hands values in order to next(); values queued before close() are still taken, then done', async (t) => {
  const k = new Kernel();
  const irq = k.hostSource<number>('numbers');
  const got: SourceResult<number>[] = [];
  k.spawn(function* reader() {
    for (;;) {
      const r = yield* irq.next();
      got.push(r);
      if (r.done) return;
    }
  });
  irq.deliver(1);
  irq.deliver(2);
  t.is(irq.queued, 2);
  const running = k.run();
  await later(5, null);
  t.is(irq.waiting, 1, 'the reader took both and waits for more');
  irq.deliver(3);
  irq.deliver(4);
  irq.close();
  irq.close(); // closing twice does nothing
  await withHangGuard(running, 'run() after close');
  t.deepEqual(
    got.map((r) => (r.done ? 'done' : r.value)),
    [1, 2, 3, 4, 'done'],
  );
});

test('a delivery to a closed source is EPIPE, past capacity ELIMIT; a refusal changes nothing', (t) => {
  const k = new Kernel();
  const irq = k.hostSource<string>('small', { capacity: 2 });
  irq.deliver('a');
  irq.deliver('b');
  expectError(
    t,
    t.throws(() => irq.deliver('c')),
    LimitExceededError,
    'ELIMIT',
  );
  t.is(irq.queued, 2);
  irq.close();
  const e = expectError(
    t,
    t.throws(() => irq.deliver('d')),
    SourceClosedError,
    'EPIPE',
  );
  t.regex(e.message, /source "small" of kernel kernel is closed/);
  t.is(irq.queued, 2);
  expectError(
    t,
    t.throws(() => k.hostSource('')),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => k.hostSource('x', { capacity: 0 })),
    InvalidArgumentError,
    'EINVAL',
  );
});

test('virtual clock: an open source does not stop time; sleepers wake, then run() waits for the host', async (t) => {
  const k = new Kernel();
  const irq = k.hostSource<string>('cmd');
  const seen: string[] = [];
  k.spawn(function* ticker() {
    yield* sleep(1000);
    seen.push(`slept until ${k.now()}`);
    const r = yield* irq.next();
    if (!r.done) seen.push(r.value);
  });
  const running = k.run();
  await later(5, null);
  t.deepEqual(seen, ['slept until 1000']);
  irq.deliver('go');
  const result = await withHangGuard(running, 'run() after a delivery');
  t.deepEqual(seen, ['slept until 1000', 'go']);
  t.is(result.time, 1000);
  t.is(result.shutdown, undefined);
});

test('next() with a timeout fails with ETIMEDOUT; a killed waiter leaves the queue', async (t) => {
  const k = new Kernel();
  const irq = k.hostSource<number>('slow');
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* impatient() {
    outcome = yield* settle(() => irq.next(10));
  });
  const victim = k.spawn(function* victim() {
    yield* irq.next();
  });
  k.spawn(function* killer() {
    yield* sleep(20);
    victim.kill('enough');
    yield;
    t.is(irq.waiting, 0);
    irq.close();
  });
  await withHangGuard(k.run(), 'run()');
  expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.is(victim.exitStatus, 'killed');
});

test('next() from a thread of another kernel is EXDEV', async (t) => {
  const a = new Kernel({ name: 'a' });
  const b = new Kernel({ name: 'b' });
  const irq = a.hostSource<number>('irq');
  let outcome: Outcome<unknown> | undefined;
  b.spawn(function* stranger() {
    outcome = yield* settle(() => irq.next());
  });
  await b.run();
  irq.close();
  const e = expectFailure(t, outcome, CrossKernelError, 'EXDEV');
  t.regex(e.message, /kernel a/);
});

test('runSync() refuses to wait for an open source (EINVAL); the dump names the open sources', (t) => {
  const k = new Kernel();
  const irq = k.hostSource<number>('irq');
  irq.deliver(7);
  k.spawn(function* reader() {
    yield* irq.next();
    yield* irq.next();
  });
  expectError(
    t,
    t.throws(() => k.runSync()),
    InvalidArgumentError,
    'EINVAL',
  );
  t.regex(k.dump(), /1 host source\(s\) open: "irq" \(0 queued, 1 waiting\)/);
  t.regex(k.dump(), /waits for the host to deliver on source "irq"/);
});

test('a host call in flight and an open source both keep run() from reporting a stall', async (t) => {
  const k = new Kernel();
  const irq = k.hostSource<number>('irq');
  let got: unknown;
  k.spawn(function* caller() {
    got = yield* hostcall(later(5, 'host'));
    const r = yield* irq.next();
    got = [got, r.value];
  });
  setTimeout(() => irq.deliver(42), 20);
  await withHangGuard(k.run(), 'run()');
  t.deepEqual(got, ['host', 42]);
  irq.close();
});

test('a value handed to a reader that is killed before it sees it goes to the next reader, not lost', (t) => {
  const k = new Kernel();
  const irq = k.hostSource<string>('irq');
  const got: string[] = [];
  const first = k.spawn(function* first() {
    const r = yield* irq.next();
    got.push(`first ${String(r.value)}`);
  });
  k.spawn(function* second() {
    const r = yield* irq.next();
    got.push(`second ${String(r.value)}`);
  });
  k.runUntilIdle();
  t.is(irq.waiting, 2);
  irq.deliver('a'); // handed to first, which has not run since
  first.kill('gone');
  k.runUntilIdle();
  t.deepEqual(got, ['second a']);
  irq.close();
});
