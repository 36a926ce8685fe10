import test from 'ava';
import {
  InvalidArgumentError,
  Kernel,
  MAX_UNJOINED_FAILURES,
  Mutex,
  Semaphore,
  StallError,
  ThreadKilledError,
  TimeoutError,
  UnjoinedThreadError,
  WouldDeadlockError,
  call,
  currentThread,
  hostcall,
  sleep,
  tsleep,
  type Routine,
  type Thread,
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

test('spawned thread runs, returns a value, and join() delivers it', (t) => {
  const k = new Kernel();
  const worker = k.spawn(function* worker() {
    yield* sleep(5);
    return 42;
  });
  let joined: number | undefined;
  k.spawn(function* joiner() {
    joined = yield* worker.join();
  });
  k.runSync();
  t.is(joined, 42);
  t.is(worker.exitStatus, 'returned');
  t.is(worker.stateName, 'exited');
});

test('join of an already exited thread returns its value at once', (t) => {
  const k = new Kernel();
  const worker = k.spawn(function* worker() {
    return 'early';
  });
  let joined: string | undefined;
  let joinedAt = -1;
  k.spawn(function* joiner() {
    yield* sleep(3);
    joined = yield* worker.join();
    joinedAt = k.now();
  });
  k.runSync();
  t.is(joined, 'early');
  t.is(joinedAt, 3);
});

test('join of a thread that threw gets its error, and run() then succeeds', (t) => {
  const k = new Kernel();
  const boom = new Error('boom');
  const worker = k.spawn(function* worker() {
    yield* sleep(1);
    throw boom;
  });
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* joiner() {
    outcome = yield* settle(() => worker.join());
  });
  t.notThrows(() => k.runSync());
  t.deepEqual(outcome, { ok: false, error: boom });
  t.is(worker.exitStatus, 'threw');
});

test('a late join of a thread that threw earlier still receives the error and clears the failure', (t) => {
  const k = new Kernel();
  const boom = new Error('late');
  const worker = k.spawn(function* worker() {
    throw boom;
  });
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* joiner() {
    yield* sleep(5);
    outcome = yield* settle(() => worker.join());
  });
  t.notThrows(() => k.runSync());
  t.deepEqual(outcome, { ok: false, error: boom });
});

test('an unjoined thrown error makes run() reject with UnjoinedThreadError listing it, after the other threads complete', async (t) => {
  const k = new Kernel();
  const boom = new Error('nobody listens');
  k.spawn(function* failing() {
    yield* sleep(1);
    throw boom;
  });
  let otherDone = false;
  k.spawn(function* other() {
    yield* sleep(10);
    otherDone = true;
  });
  const err = await t.throwsAsync(k.run());
  const e = expectError(t, err, UnjoinedThreadError, 'ETHREAD');
  t.true(otherDone, 'the other thread still ran to completion');
  t.is(e.failures.length, 1);
  t.is(e.failures[0]!.error, boom);
  t.regex(e.failures[0]!.thread, /^failing#\d+$/);
  t.is(e.cause, boom);
});

test('joining yourself is EDEADLK', (t) => {
  const k = new Kernel();
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* self() {
    outcome = yield* settle(() => currentThread().join());
  });
  k.runSync();
  expectFailure(t, outcome, WouldDeadlockError, 'EDEADLK');
});

test('join with a timeout throws TimeoutError and the joiner is not woken again when the target exits', (t) => {
  const k = new Kernel();
  const slow = k.spawn(function* slow() {
    yield* sleep(100);
    return 1;
  });
  let outcome: Outcome<unknown> | undefined;
  let after = 0;
  k.spawn(function* joiner() {
    outcome = yield* settle(() => slow.join(10));
    after = k.now();
    yield* sleep(200); // still asleep when slow exits: a stale wake would break this sleep
    after = k.now();
  });
  k.runSync();
  const e = expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.is(e.waitedMs, 10);
  t.is(after, 210);
});

test('kill runs the victim finally blocks, even one that blocks, and joiners get ThreadKilledError listing a held mutex', (t) => {
  const k = new Kernel();
  const m = new Mutex('dev.lock');
  const log: string[] = [];
  const victim = k.spawn(function* victim() {
    yield* m.lock();
    try {
      yield* sleep(1000);
      log.push('not reached');
    } finally {
      log.push(`finally@${k.now()}`);
      yield* sleep(3);
      log.push(`finally-end@${k.now()}`);
    }
  });
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* killer() {
    yield* sleep(2);
    victim.kill('detach');
    outcome = yield* settle(() => victim.join());
  });
  k.runSync();
  t.deepEqual(log, ['finally@2', 'finally-end@5']);
  const e = expectFailure(t, outcome, ThreadKilledError, 'EKILLED');
  t.deepEqual(e.held, ['mutex dev.lock']);
  t.regex(e.message, /detach/);
  t.is(victim.exitStatus, 'killed');
  t.true(k.warnings.some((w) => w.includes('exited holding mutex dev.lock')));
});

test('a killed thread that released its lock in finally reports nothing held', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const victim = k.spawn(function* victim() {
    yield* m.lock();
    try {
      yield* sleep(50);
    } finally {
      m.unlock();
    }
  });
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* killer() {
    yield* sleep(1);
    victim.kill();
    outcome = yield* settle(() => victim.join());
  });
  k.runSync();
  const e = expectFailure(t, outcome, ThreadKilledError, 'EKILLED');
  t.deepEqual(e.held, []);
  t.is(m.owner, null);
});

test('killing a thread blocked on a mutex removes it from the queue: the mutex goes to the next waiter', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const acquired: string[] = [];
  let victim!: Thread;
  k.spawn(function* owner() {
    yield* m.lock();
    yield* sleep(10);
    victim.kill();
    m.unlock();
  });
  const waiter = (name: string) =>
    function* (): Routine<void> {
      yield* m.lock();
      acquired.push(name);
      m.unlock();
    };
  victim = k.spawn(waiter('victim'), { name: 'victim' });
  k.spawn(waiter('next'), { name: 'next' });
  k.runSync();
  t.deepEqual(acquired, ['next']);
  t.is(victim.exitStatus, 'killed');
  t.is(m.owner, null);
});

test('a thread cannot kill itself (InvalidArgumentError); killing an exited thread is a no-op', (t) => {
  const k = new Kernel();
  let selfKill: unknown;
  const done = k.spawn(function* done() {
    return 1;
  });
  k.spawn(function* suicidal() {
    try {
      currentThread().kill();
    } catch (e) {
      selfKill = e;
    }
    yield;
    done.kill('too late');
  });
  k.runSync();
  expectError(t, selfKill, InvalidArgumentError, 'EINVAL');
  t.is(done.exitStatus, 'returned');
});

test('killing a thread that has not started yet runs none of its body', (t) => {
  const k = new Kernel();
  let ran = false;
  const victim = k.spawn(function* victim() {
    ran = true;
  });
  victim.kill('before start');
  k.runSync();
  t.false(ran);
  t.is(victim.exitStatus, 'killed');
});

test('daemon threads do not keep run() alive', async (t) => {
  const k = new Kernel();
  let ticks = 0;
  const d = k.spawn(
    function* ticker() {
      for (;;) {
        yield* sleep(1);
        ticks++;
      }
    },
    { daemon: true },
  );
  k.spawn(function* main() {
    yield* sleep(5);
  });
  const r = await k.run();
  t.is(r.time, 5);
  t.true(ticks >= 4);
  t.true(d.daemon);
  t.not(d.stateName, 'exited', 'the daemon is left alive when run() settles');
  t.is(k.liveCount, 0);
});

test('call() subroutines return values and errors propagate through frames to a catching caller', (t) => {
  const k = new Kernel();
  function* leaf(x: number): Routine<number> {
    yield* sleep(1);
    if (x < 0) throw new RangeError('negative');
    return x * 2;
  }
  function* middle(x: number): Routine<number> {
    return (yield* call(leaf, x)) + 1;
  }
  const results: unknown[] = [];
  k.spawn(function* top() {
    results.push(yield* call(middle, 10));
    try {
      yield* call(middle, -1);
    } catch (e) {
      results.push(e instanceof RangeError ? e.message : e);
    }
  });
  k.runSync();
  t.deepEqual(results, [21, 'negative']);
});

test('thread.frames shows the call depth while blocked, outermost first', (t) => {
  const k = new Kernel();
  function* leaf(): Routine<void> {
    yield* sleep(5);
  }
  function* middle(): Routine<void> {
    yield* call(leaf);
  }
  const th = k.spawn(function* top() {
    yield* call(middle);
  });
  k.runUntilIdle();
  t.is(th.frames.length, 3);
  t.is(th.stateName, 'blocked');
  t.deepEqual(th.waitingFor && { kind: th.waitingFor.kind, resource: th.waitingFor.resource }, {
    kind: 'sleep',
    resource: null,
  });
  k.runSync();
  t.is(th.frames.length, 0);
});

test('thread names default to the body function name, then to "thread"; options.name overrides', (t) => {
  const k = new Kernel();
  const named = k.spawn(function* diskDaemon() {});
  const bodies = [() => (function* () {})()];
  const anon = k.spawn(bodies[0]!);
  const explicit = k.spawn(function* x() {}, { name: 'custom' });
  t.is(named.name, 'diskDaemon');
  t.is(explicit.name, 'custom');
  t.is(anon.name, 'thread');
  t.regex(String(named), /^diskDaemon#\d+$/);
  k.runSync();
});

test('thread attributes: kind, base priority, holding, waitingFor and ids', (t) => {
  const k = new Kernel();
  const m = new Mutex('held');
  const th = k.spawn(
    function* drv() {
      yield* m.lock();
      yield* sleep(1);
      m.unlock();
    },
    { kind: 'kernel', priority: 7 },
  );
  const other = k.spawn(function* other() {});
  t.is(th.kind, 'kernel');
  t.is(other.kind, 'user');
  t.is(th.basePriority, 7);
  t.is(th.priority, 7);
  t.true(other.id > th.id);
  t.is(th.stateName, 'runnable');
  k.step();
  t.deepEqual(th.holding, [m]);
  t.is(th.waitingFor?.kind, 'sleep');
  t.deepEqual(k.threads, [th, other]);
  k.runSync();
  t.deepEqual(th.holding, []);
  t.is(th.waitingFor, null);
  t.deepEqual(k.threads, []);
});

test('a thread spawned by a thread runs and can be joined', (t) => {
  const k = new Kernel();
  let got = 0;
  k.spawn(function* parent() {
    const child = k.spawn(function* child() {
      yield* yields(2);
      return 9;
    });
    got = yield* child.join();
  });
  k.runSync();
  t.is(got, 9);
});

test('killing a thread blocked in a hostcall ends the host wait; the late settlement is ignored', async (t) => {
  const k = new Kernel();
  const victim = k.spawn(function* victim() {
    yield* hostcall(later(30, 'too late'));
  });
  k.spawn(function* killer() {
    yield* hostcall(later(1, null));
    victim.kill();
  });
  await withHangGuard(k.run(), 'run() after killing a host waiter');
  t.is(victim.exitStatus, 'killed');
  t.is(k.pendingHostCalls, 0);
});

test('a kill from the host while run() waits on a host call lets the victim unwind', async (t) => {
  // kill() makes the victim runnable but does not wake run(), which sleeps until a host call
  // settles; here only the victim's finally block can settle it, so run() never returns.
  const k = new Kernel();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const victim = k.spawn(function* victim() {
    try {
      yield* tsleep('never');
    } finally {
      release();
    }
  });
  k.spawn(function* caller() {
    yield* hostcall(gate);
  });
  void later(5, null).then(() => victim.kill('from host'));
  await t.notThrowsAsync(withHangGuard(k.run(), 'run() after a host-side kill()', 1000));
});

test('a stall report lists the threads that failed just before with nobody joining them (often the cause)', (t) => {
  const k = new Kernel();
  const s = new Semaphore(0, 'work');
  k.spawn(function* producer() {
    throw new Error('producer crashed before up()');
  });
  k.spawn(function* consumer() {
    yield* s.down();
  });
  const e = t.throws(() => k.runSync(), { instanceOf: StallError })!;
  t.is(e.report.failures.length, 1);
  t.like(e.report.failures[0], { thread: { name: 'producer' } });
  t.regex(e.report.failures[0]!.error, /producer crashed before up\(\)/);
  t.regex(
    e.message,
    /failed with nobody joining[\s\S]*producer#1[\s\S]*producer crashed before up\(\)/,
  );
});

test('UnjoinedThreadError names every failure (bounded) and carries a report like the other errors', (t) => {
  const k = new Kernel();
  for (let i = 0; i < 3; i++) {
    k.spawn(function* worker() {
      throw new Error(`worker ${i} failed`);
    });
  }
  const e = t.throws(() => k.runSync(), { instanceOf: UnjoinedThreadError })!;
  t.is(e.failures.length, 3);
  for (let i = 0; i < 3; i++)
    t.regex(e.message, new RegExp(`worker#${i + 1}: Error: worker ${i} failed`));
  t.is(e.report!.kind, 'failures');
  t.is(e.report!.failures.length, 3);
});

test('unjoined failures are bounded: past MAX_UNJOINED_FAILURES they are counted, and the error says how many', (t) => {
  const k = new Kernel({ detection: false });
  const n = MAX_UNJOINED_FAILURES + 25;
  for (let i = 0; i < n; i++) {
    k.spawn(function* worker() {
      throw new Error('boom');
    });
  }
  const e = t.throws(() => k.runSync(), { instanceOf: UnjoinedThreadError })!;
  t.is(e.failures.length, MAX_UNJOINED_FAILURES);
  t.is(e.dropped, 25);
  t.regex(e.message, new RegExp(`${n} thread\\(s\\) failed`));
  t.regex(e.message, /25 more not kept/);
});

test("joining many threads that already failed is linear (was quadratic: 40k joins took ~60 s, past ava's timeout)", (t) => {
  const k = new Kernel({ detection: false });
  const n = 40_000;
  const failed: Thread[] = [];
  for (let i = 0; i < n; i++) {
    failed.push(
      k.spawn(function* worker() {
        throw new Error('x');
      }),
    );
  }
  k.runUntilIdle();
  let joined = 0;
  k.spawn(function* joiner() {
    for (const f of failed) {
      const o = yield* settle(() => f.join());
      if (!o.ok) joined++;
    }
  });
  k.runSync();
  t.is(joined, n);
});

test('joining a failure that was counted but not kept keeps the count exact, also after run() reported it', (t) => {
  const k = new Kernel({ detection: false });
  const threads: Thread[] = [];
  for (let i = 0; i < MAX_UNJOINED_FAILURES + 5; i++) {
    threads.push(
      k.spawn(function* worker() {
        throw new Error('boom');
      }),
    );
  }
  k.runUntilIdle();
  k.spawn(function* joiner() {
    for (const f of threads.slice(-3)) yield* settle(() => f.join()); // three of the five counted ones
  });
  const e = t.throws(() => k.runSync(), { instanceOf: UnjoinedThreadError })!;
  t.is(e.dropped, 2);
  t.is(e.failures.length, MAX_UNJOINED_FAILURES);
  // Reported now: joining them later changes nothing, and a new run has nothing to report.
  k.spawn(function* lateJoiner() {
    for (const f of threads.slice(0, 10)) yield* settle(() => f.join());
  });
  t.notThrows(() => k.runSync());
});
