import test from 'ava';
import {
  Completion,
  CondVar,
  CrossKernelError,
  HostRejectionError,
  InvalidArgumentError,
  NotInThreadError,
  Kernel,
  LimitExceededError,
  Mutex,
  RWLock,
  Semaphore,
  StallError,
  TimeoutError,
  UnjoinedThreadError,
  currentKernel,
  currentThread,
  hostcall,
  sleep,
  tsleep,
  wakeupOne,
  type KernelOptions,
  type Operation,
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

/** Spawns threads that log their name each time they run, `rounds` times, with bare yields. */
function roundRobin(k: Kernel, names: string[], rounds: number, log: string[], priority = 0): void {
  for (const name of names) {
    k.spawn(
      function* (): Routine<void> {
        for (let i = 0; i < rounds; i++) {
          log.push(name);
          yield;
        }
      },
      { name, priority },
    );
  }
}

test('strict priority: the highest-priority runnable thread always runs first', (t) => {
  const k = new Kernel();
  const log: string[] = [];
  roundRobin(k, ['low'], 2, log, 0);
  roundRobin(k, ['high'], 2, log, 9);
  roundRobin(k, ['mid'], 2, log, 4);
  k.runSync();
  t.deepEqual(log, ['high', 'high', 'mid', 'mid', 'low', 'low']);
});

test('FIFO among equal priorities: bare yields go round robin in spawn order', (t) => {
  const k = new Kernel();
  const log: string[] = [];
  roundRobin(k, ['a', 'b', 'c'], 3, log);
  k.runSync();
  t.deepEqual(log.join(''), 'abcabcabc');
});

test("a higher-priority thread spawned by a running thread runs at the spawner's next yield", (t) => {
  const k = new Kernel();
  const log: string[] = [];
  k.spawn(function* parent() {
    log.push('parent 1');
    k.spawn(
      function* child() {
        log.push('child');
      },
      { priority: 3 },
    );
    log.push('parent 2');
    yield;
    log.push('parent 3');
  });
  k.runSync();
  t.deepEqual(log, ['parent 1', 'parent 2', 'child', 'parent 3']);
});

test('no starvation among equal priorities: every busy thread progresses evenly', (t) => {
  for (const policy of ['fifo', 'random'] as const) {
    const k = new Kernel({ policy, seed: 3 });
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < counts.length; i++) {
      k.spawn(
        function* busy() {
          for (;;) {
            counts[i]!++;
            yield;
          }
        },
        { daemon: true },
      );
    }
    k.runUntilIdle(4000);
    t.true(
      counts.every((c) => c > 0),
      `${policy}: every thread ran`,
    );
    if (policy === 'fifo') t.deepEqual(counts, [1000, 1000, 1000, 1000]);
    else t.true(Math.min(...counts) > 500, `random: ${counts.join(',')}`);
  }
});

function randomOrder(seed: number): string {
  const k = new Kernel({ policy: 'random', seed });
  const log: string[] = [];
  roundRobin(k, ['a', 'b', 'c', 'd', 'e'], 4, log);
  k.runSync();
  return log.join('');
}

test('policy random: the same seed gives the same order; some other seed gives a different one', (t) => {
  const base = randomOrder(1);
  t.is(randomOrder(1), base);
  t.is(base.length, 20);
  const differing = [2, 3, 4, 5, 6, 7, 8, 9, 10].find((s) => randomOrder(s) !== base);
  t.not(differing, undefined, 'some seed in 2..10 gives another order');
  t.not(base, 'abcde'.repeat(4), 'random is not plain round robin');
});

test('policy random still honours strict priority', (t) => {
  const k = new Kernel({ policy: 'random', seed: 99 });
  const log: string[] = [];
  roundRobin(k, ['l1', 'l2'], 3, log, 1);
  roundRobin(k, ['h1', 'h2'], 3, log, 2);
  k.runSync();
  t.true(log.slice(0, 6).every((n) => n.startsWith('h')));
  t.true(log.slice(6).every((n) => n.startsWith('l')));
});

test('step(), runUntilIdle() and advanceTime() drive the kernel step by step', (t) => {
  const k = new Kernel();
  const log: string[] = [];
  k.spawn(function* a() {
    log.push('a1');
    yield;
    log.push('a2');
    yield* sleep(5);
    log.push('a3');
  });
  t.true(k.step());
  t.deepEqual(log, ['a1']);
  t.is(k.runnableCount, 1);
  t.is(k.runUntilIdle(), 1);
  t.deepEqual(log, ['a1', 'a2']);
  t.false(k.step(), 'nothing runnable');
  t.is(k.now(), 0, 'runUntilIdle does not move time');
  t.is(k.pendingTimers, 1);
  t.true(k.advanceTime());
  t.is(k.now(), 5);
  t.is(k.runUntilIdle(), 1);
  t.deepEqual(log, ['a1', 'a2', 'a3']);
  t.false(k.advanceTime(), 'no timer armed');
  t.is(k.liveCount, 0);
  const log2: string[] = [];
  roundRobin(k, ['x', 'y'], 5, log2);
  t.is(k.runUntilIdle(3), 3, 'runUntilIdle(max) stops after max dispatches');
  t.deepEqual(log2, ['x', 'y', 'x']);
});

test('maxSteps turns a livelock into LimitExceededError, for runSync() and run()', async (t) => {
  const make = () => {
    const k = new Kernel({ maxSteps: 1000 });
    for (let i = 0; i < 2; i++) {
      k.spawn(function* spinner() {
        for (;;) yield;
      });
    }
    return k;
  };
  expectError(
    t,
    t.throws(() => make().runSync()),
    LimitExceededError,
    'ELIMIT',
  );
  expectError(t, await t.throwsAsync(make().run()), LimitExceededError, 'ELIMIT');
});

test('invalid options are InvalidArgumentError', (t) => {
  const k = new Kernel();
  const body = function* () {};
  for (const priority of [32, -1, 1.5, NaN]) {
    expectError(
      t,
      t.throws(() => k.spawn(body, { priority })),
      InvalidArgumentError,
      'EINVAL',
    );
  }
  expectError(
    t,
    t.throws(() => k.spawn(body, { kind: 'root' as 'user' })),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => k.spawn(42 as unknown as () => Routine)),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => k.spawn((() => 1) as unknown as () => Routine)),
    InvalidArgumentError,
    'EINVAL',
  );
  const bad: KernelOptions[] = [
    { clock: 'wall' as 'real' },
    { policy: 'lifo' as 'fifo' },
    { maxSteps: 0 },
    { sliceSteps: 1.5 },
    { maxThreads: -1 },
  ];
  for (const options of bad)
    expectError(
      t,
      t.throws(() => new Kernel(options)),
      InvalidArgumentError,
      'EINVAL',
    );
  t.is(k.threads.length, 0, 'refused spawns created no thread');
  t.notThrows(() => k.spawn(body, { priority: 31 }));
  t.notThrows(() => k.spawn(body, { priority: 0 }));
});

test('maxThreads limits live threads with LimitExceededError', (t) => {
  const k = new Kernel({ maxThreads: 2 });
  k.spawn(function* a() {});
  k.spawn(function* b() {});
  expectError(
    t,
    t.throws(() => k.spawn(function* c() {})),
    LimitExceededError,
    'ELIMIT',
  );
  k.runSync();
  t.notThrows(() => k.spawn(function* d() {}));
});

test('run() settles with steps and time; a stall rejects with StallError naming the blocked threads', async (t) => {
  const k = new Kernel({ name: 'dev0', seed: 4 });
  k.spawn(function* s() {
    yield* sleep(7);
  });
  t.deepEqual(await k.run(), { steps: 2, time: 7 });
  const m = new Mutex('m');
  k.spawn(function* holder() {
    yield* m.lock();
    yield* new CondVar('never').wait(m);
  });
  const err = await t.throwsAsync(k.run());
  const e = expectError(t, err, StallError, 'ESTALL');
  t.is(e.seed, 4);
  t.is(e.blocked.length, 1);
  t.regex(e.message, /dev0/);
  t.regex(e.message, /holder#\d+/);
});

test('runSync() refuses the real clock and pending host calls; run() cannot be re-entered', async (t) => {
  expectError(
    t,
    t.throws(() => new Kernel({ clock: 'real' }).runSync()),
    InvalidArgumentError,
    'EINVAL',
  );
  const k = new Kernel();
  k.spawn(function* h() {
    yield* hostcall(later(1, 0));
  });
  expectError(
    t,
    t.throws(() => k.runSync()),
    InvalidArgumentError,
    'EINVAL',
  );
  const running = k.run();
  expectError(
    t,
    t.throws(() => k.runSync()),
    InvalidArgumentError,
    'EINVAL',
  );
  await running;
  let inner: unknown;
  const k2 = new Kernel();
  k2.spawn(function* selfRunner() {
    try {
      k2.runSync();
    } catch (e) {
      inner = e;
    }
  });
  k2.runSync();
  expectError(t, inner, InvalidArgumentError, 'EINVAL');
});

test('panic(err) makes the current run reject with err', (t) => {
  const k = new Kernel();
  const fatal = new Error('detector says no');
  k.spawn(function* a() {
    k.panic(fatal);
    yield;
  });
  t.is(
    t.throws(() => k.runSync()),
    fatal,
  );
});

test('currentKernel() and currentThread() name the running thread; outside a thread they are ENOTHREAD', (t) => {
  const k = new Kernel();
  let seen: unknown[] = [];
  const th = k.spawn(function* me() {
    seen = [currentKernel(), currentThread(), k.current];
  });
  k.runSync();
  t.deepEqual(seen, [k, th, th]);
  expectError(
    t,
    t.throws(() => currentKernel()),
    NotInThreadError,
    'ENOTHREAD',
  );
  expectError(
    t,
    t.throws(() => currentThread()),
    NotInThreadError,
    'ENOTHREAD',
  );
  t.is(k.current, null);
});

test('hostcall delivers the value of a promise, or of a function returning one', async (t) => {
  const k = new Kernel();
  const got: unknown[] = [];
  k.spawn(function* caller() {
    got.push(yield* hostcall(later(2, 'direct')));
    got.push(yield* hostcall(() => later(1, 'lazy')));
  });
  await k.run();
  t.deepEqual(got, ['direct', 'lazy']);
});

test('hostcall rejection: an Error arrives as itself, a non-Error as HostRejectionError', async (t) => {
  const k = new Kernel();
  const boom = new Error('ENOENT');
  const outcomes: Outcome<unknown>[] = [];
  k.spawn(function* caller() {
    outcomes.push(yield* settle(() => hostcall(Promise.reject(boom))));
    outcomes.push(yield* settle(() => hostcall(Promise.reject('plain string'))));
    const throwing = (): Promise<never> => {
      throw boom;
    };
    outcomes.push(yield* settle(() => hostcall(throwing)));
    outcomes.push(yield* settle(() => hostcall(42 as unknown as Promise<number>)));
  });
  await k.run();
  t.deepEqual(outcomes[0], { ok: false, error: boom });
  const e = expectFailure(t, outcomes[1], HostRejectionError, 'EHOST');
  t.is(e.reason, 'plain string');
  t.deepEqual(outcomes[2], { ok: false, error: boom });
  expectFailure(t, outcomes[3], InvalidArgumentError, 'EINVAL');
});

test('a pending hostcall is not a stall: other threads run meanwhile, and run() waits for it', async (t) => {
  const k = new Kernel();
  const log: string[] = [];
  k.spawn(function* caller() {
    log.push(`host:${yield* hostcall(later(20, 'done'))}`);
  });
  k.spawn(function* other() {
    for (let i = 0; i < 3; i++) {
      log.push(`other${i}`);
      yield;
    }
  });
  t.is(k.pendingHostCalls, 0);
  const r = await withHangGuard(k.run(), 'run() with a pending hostcall');
  t.deepEqual(log, ['other0', 'other1', 'other2', 'host:done']);
  t.is(k.pendingHostCalls, 0);
  t.is(r.time, 0, 'virtual time does not move for a host call');
});

test('real clock: hostcall with a timeout throws TimeoutError, and the late settlement is ignored', async (t) => {
  const k = new Kernel({ clock: 'real' });
  let outcome: Outcome<string> | undefined;
  const log: string[] = [];
  k.spawn(function* caller() {
    outcome = yield* settle(() => hostcall(later(40, 'late'), 5));
    log.push('timed out');
    log.push(`next:${yield* hostcall(later(60, 'second'))}`);
  });
  await withHangGuard(k.run(), 'run() after a hostcall timeout');
  const e = expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
  t.true(e.waitedMs >= 5);
  t.deepEqual(log, ['timed out', 'next:second']);
  t.is(k.pendingHostCalls, 0);
});

test('virtual clock: a hostcall timeout fires even if the host never answers', async (t) => {
  // Virtual time stands still while a host call is in flight, so a hostcall's timeout is
  // measured in host (real) time: it fires although the promise never settles.
  const k = new Kernel();
  let outcome: Outcome<unknown> | undefined;
  k.spawn(function* caller() {
    outcome = yield* settle(() => hostcall(new Promise<never>(() => {}), 5));
  });
  await withHangGuard(k.run(), 'virtual-clock run() with a hostcall timeout', 1000);
  expectFailure(t, outcome, TimeoutError, 'ETIMEDOUT');
});

test('real clock: a short sleep works through run() and lasts at least its length', async (t) => {
  const k = new Kernel({ clock: 'real' });
  let elapsed = -1;
  k.spawn(function* sleeper() {
    const t0 = k.now();
    yield* sleep(5);
    elapsed = k.now() - t0;
  });
  await withHangGuard(k.run(), 'real-clock run()');
  t.true(elapsed >= 5, `slept ${elapsed} ms`);
  expectError(
    t,
    t.throws(() => k.advanceTime()),
    InvalidArgumentError,
    'EINVAL',
  );
});

test('several kernels run concurrently with interleaving host calls and never interfere', async (t) => {
  const results: Record<string, string[]> = { k1: [], k2: [] };
  const global: string[] = [];
  const make = (name: string, delays: number[]) => {
    const k = new Kernel({ name });
    const m = new Mutex(`${name}.m`);
    for (let w = 0; w < 2; w++) {
      k.spawn(function* worker() {
        for (const d of delays) {
          yield* m.lock();
          const v = yield* hostcall(later(d, `${name}:${w}:${d}`));
          results[name]!.push(v);
          global.push(v);
          yield* sleep(d);
          m.unlock();
        }
      });
    }
    return k;
  };
  const k1 = make('k1', [3, 1, 2]);
  const k2 = make('k2', [1, 2, 1]);
  const [r1, r2] = await withHangGuard(Promise.all([k1.run(), k2.run()]), 'two concurrent kernels');
  // The mutex alternates between the two workers of each kernel (FIFO hand-off).
  t.deepEqual(results.k1, ['k1:0:3', 'k1:1:3', 'k1:0:1', 'k1:1:1', 'k1:0:2', 'k1:1:2']);
  t.deepEqual(results.k2, ['k2:0:1', 'k2:1:1', 'k2:0:2', 'k2:1:2', 'k2:0:1', 'k2:1:1']);
  t.is(r1.time, 12);
  t.is(r2.time, 8);
  const firstK2 = global.findIndex((v) => v.startsWith('k2'));
  const lastK1 = global.length - 1 - [...global].reverse().findIndex((v) => v.startsWith('k1'));
  t.true(firstK2 < lastK1, 'the two kernels made progress at the same time');
});

test('a resource bound to one kernel refuses the other while both run', async (t) => {
  const shared = new Mutex('shared');
  const k1 = new Kernel({ name: 'k1' });
  const k2 = new Kernel({ name: 'k2' });
  k1.spawn(function* owner() {
    yield* shared.lock();
    yield* hostcall(later(5, null));
    shared.unlock();
  });
  let err: unknown;
  k2.spawn(function* intruder() {
    yield* hostcall(later(1, null));
    try {
      yield* shared.lock();
    } catch (e) {
      err = e;
    }
  });
  await Promise.all([k1.run(), k2.run()]);
  expectError(t, err, CrossKernelError, 'EXDEV');
  t.is(shared.owner, null);
});

test('a thread spawned from the host while run() waits on a host call gets to run', async (t) => {
  // spawn() enqueues the thread but does not wake run(), which sleeps until a host call settles;
  // here only the new thread can settle it, so run() never returns.
  const k = new Kernel();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  k.spawn(function* caller() {
    yield* hostcall(gate);
  });
  void later(5, null).then(() =>
    k.spawn(function* late() {
      release();
    }),
  );
  await t.notThrowsAsync(withHangGuard(k.run(), 'run() after a host-side spawn()', 1000));
});

test('warnings are bounded: past the limit they are counted, not kept', (t) => {
  const k = new Kernel();
  for (let i = 0; i < 10_005; i++) k.warn(`anomaly ${i}`);
  t.is(k.warnings.length, 10_000);
  t.is(k.warnings[9_999], 'anomaly 9999');
  t.is(k.warningsDropped, 5);
});

test('a thread of one kernel can run another kernel to completion; each keeps its own running thread and clock', (t) => {
  const outerKernel = new Kernel({ name: 'A' });
  const innerKernel = new Kernel({ name: 'B' });
  const log: string[] = [];
  outerKernel.spawn(function* outer() {
    const m = new Mutex('a');
    yield* m.lock();
    innerKernel.spawn(function* inner() {
      yield* sleep(5);
      log.push(`${currentThread().name} at B ${innerKernel.now()}`);
    });
    const r = innerKernel.runSync();
    log.push(`${currentThread().name} after B: steps ${r.steps}, B time ${r.time}`);
    m.unlock();
    yield* sleep(1);
    log.push(`${currentThread().name} at A ${outerKernel.now()}`);
  });
  outerKernel.runSync();
  t.deepEqual(log, ['inner at B 5', 'outer after B: steps 2, B time 5', 'outer at A 1']);
  const k = new Kernel();
  k.spawn(function* selfRun() {
    k.runSync(); // a kernel cannot be run from one of its own threads
  });
  const error = t.throws(() => k.runSync(), { instanceOf: UnjoinedThreadError });
  t.true(error.failures[0]!.error instanceof InvalidArgumentError);
});

test('options that are not objects are InvalidArgumentError; detection takes an object or false', (t) => {
  expectError(
    t,
    t.throws(() => new Kernel(null as unknown as {})),
    InvalidArgumentError,
    'EINVAL',
  );
  expectError(
    t,
    t.throws(() => new Kernel(5 as unknown as {})),
    InvalidArgumentError,
    'EINVAL',
  );
  const e = expectError(
    t,
    t.throws(() => new Kernel({ detection: 'off' as unknown as false })),
    InvalidArgumentError,
    'EINVAL',
  );
  t.regex(e.message, /false/);
  t.notThrows(() => new Kernel({ detection: false }));
});

test('a bad timeout is refused even when no wait is needed: one rule for every primitive', (t) => {
  const k = new Kernel();
  const m = new Mutex('m');
  const rw = new RWLock('rw');
  const s = new Semaphore(2, 's');
  const c = new Completion<number>('c');
  const cv = new CondVar('cv');
  c.complete(1);
  const exited = k.spawn(function* exited() {});
  const outcomes: [string, Outcome<unknown>][] = [];
  k.spawn(function* caller() {
    yield;
    const tries: [string, () => Operation<unknown>][] = [
      ['lock', () => m.lock(-1)],
      ['readLock', () => rw.readLock(-1)],
      ['writeLock', () => rw.writeLock(NaN)],
      ['down', () => s.down(-1)],
      ['completion', () => c.wait(-1)],
      ['join', () => exited.join(NaN)],
      ['tsleep', () => tsleep('key', -1)],
      ['sleep', () => sleep(-1)],
      ['sleep(undefined)', () => sleep(undefined as unknown as number)],
    ];
    for (const [name, op] of tries) outcomes.push([name, yield* settle(op)]);
    yield* m.lock();
    outcomes.push(['cv.wait', yield* settle(() => cv.wait(m, -1))]);
    m.unlock();
  });
  k.runSync();
  t.is(outcomes.length, 10);
  for (const [name, o] of outcomes)
    t.is(o.ok ? 'ok' : (o.error as { code?: string }).code, 'EINVAL', name);
  t.is(m.owner, null, 'the mutex was not taken');
  t.deepEqual([rw.writer, rw.readers.length], [null, 0]);
  t.is(s.count, 2, 'no unit was taken');
});

test('step() and runUntilIdle() from a thread of the same kernel are InvalidArgumentError', (t) => {
  const k = new Kernel();
  const errors: unknown[] = [];
  k.spawn(function* meddler() {
    for (const f of [() => k.step(), () => k.runUntilIdle()]) {
      try {
        f();
      } catch (e) {
        errors.push(e);
      }
    }
    yield;
  });
  k.spawn(function* other() {
    yield;
  });
  k.runSync();
  t.is(errors.length, 2);
  for (const e of errors) expectError(t, e, InvalidArgumentError, 'EINVAL');
});

test('maxTraceLines reached: the run goes on, the lines recorded so far are kept, and the trace says where it stopped', (t) => {
  const k = new Kernel({ trace: true, maxTraceLines: 10 });
  let rounds = 0;
  k.spawn(function* busy() {
    for (let i = 0; i < 20; i++) {
      yield;
      rounds++;
    }
  });
  k.runSync();
  t.is(rounds, 20);
  const lines = k.trace.split('\n');
  t.is(lines.length, 11);
  t.regex(lines[0]!, /spawn busy#1/);
  t.regex(lines[10]!, /trace-stopped maxTraceLines=10 reached/);
  t.true(k.warnings.some((w) => /trace stopped at step \d+/.test(w)));
});

test('cross-kernel rule: waking operations come from anywhere; taking and waiting ones are EXDEV naming both kernels', async (t) => {
  const ka = new Kernel({ name: 'ka' });
  const kb = new Kernel({ name: 'kb' });
  const s = new Semaphore(0, 'irq');
  const m = new Mutex('m');
  const cv = new CondVar('cv');
  const c = new Completion<string>('io');
  const key = { name: 'chan' };
  const woke: string[] = [];
  ka.spawn(function* onSemaphore() {
    yield* s.down();
    woke.push('semaphore');
  });
  ka.spawn(function* onCondvar() {
    yield* m.lock();
    yield* cv.wait(m);
    woke.push('condvar');
    m.unlock();
  });
  ka.spawn(function* onCompletion() {
    woke.push(`completion ${yield* c.wait()}`);
  });
  ka.spawn(function* onChannel() {
    yield* tsleep(key);
    woke.push('channel');
  });
  ka.runUntilIdle(); // every resource is now bound to ka
  const refused: unknown[] = [];
  kb.spawn(function* waker() {
    s.up();
    cv.signal();
    c.complete('done');
    wakeupOne(key, ka); // a channel is looked up in the kernel named, here the sleepers' one
    for (const take of [() => s.tryDown(), () => m.tryLock()]) {
      try {
        take();
      } catch (e) {
        refused.push(e);
      }
    }
    refused.push((yield* settle(() => s.down())) as Outcome<void>);
    refused.push((yield* settle(() => m.lock())) as Outcome<void>);
  });
  kb.runSync();
  await ka.run();
  t.deepEqual(woke.sort(), ['channel', 'completion done', 'condvar', 'semaphore']);
  t.is(refused.length, 4);
  for (const r of refused) {
    const e =
      (r as { ok?: boolean; error?: unknown }).ok === false ? (r as { error: unknown }).error : r;
    const err = expectError(t, e, CrossKernelError, 'EXDEV');
    t.regex(
      err.message,
      /(semaphore irq|mutex m) belongs to kernel ka; thread waker#1 of kernel kb/,
    );
  }
});

test('tracing can be switched on and off while a kernel runs; the trace holds what happened while it was on, the same for the same run', (t) => {
  const traceOf = (): string => {
    const k = new Kernel({ seed: 3, policy: 'random' });
    const m = new Mutex('m');
    for (let i = 0; i < 3; i++) {
      k.spawn(function* worker() {
        for (let j = 0; j < 3; j++) {
          yield* m.lock();
          yield;
          m.unlock();
        }
      });
    }
    t.false(k.tracing);
    k.runUntilIdle(5);
    k.tracing = true;
    t.true(k.tracing);
    const onFrom = k.steps;
    k.runUntilIdle(6);
    k.tracing = false;
    const onTo = k.steps;
    k.runSync();
    const lines = k.trace.split('\n');
    t.true(lines.length > 6, lines.join('\n'));
    for (const line of lines) {
      const step = Number(line.split(' ')[0]);
      t.true(step >= onFrom && step <= onTo, `recorded only while on: ${line}`);
    }
    t.true(
      lines.some((l) => / block \w+#\d+ mutex m$/.test(l)),
      'a block names its kind and resource',
    );
    return k.trace;
  };
  t.is(traceOf(), traceOf());
});
