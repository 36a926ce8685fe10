import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Completion,
  CondVar,
  DeadlockError,
  GreenkernelError,
  Kernel,
  Mutex,
  StallError,
  WouldDeadlockError,
  attachDetection,
  call,
  detectionReports,
  detectionSettings,
  formatReport,
  resolveDetection,
  sleep,
  type DetectionOptions,
} from '../../lib/index.ts';

/** Alice locks A then B, Bob B then A, each pausing in between: they deadlock at time 1. */
function* lockBoth(first: Mutex, second: Mutex) {
  yield* first.lock();
  yield* sleep(1);
  yield* second.lock(); // MARK: second-lock
  second.unlock();
  first.unlock();
}

function abba(detection: DetectionOptions | false) {
  const kernel = new Kernel({ name: 'abba', seed: 42, detection });
  const a = new Mutex('A');
  const b = new Mutex('B');
  const alice = kernel.spawn(function* alice() {
    yield* call(lockBoth, a, b);
  });
  const bob = kernel.spawn(function* bob() {
    yield* call(lockBoth, b, a);
  });
  return { kernel, a, b, alice, bob };
}

test("cycles 'fail': run() rejects with DeadlockError (EDEADLK) the moment the cycle closes", async (t) => {
  const { kernel, a, b, alice, bob } = abba({ cycles: 'fail', lockOrder: 'off' });
  const error = await t.throwsAsync(kernel.run(), { instanceOf: DeadlockError });
  t.true(error instanceof GreenkernelError);
  t.is(error.code, 'EDEADLK');
  t.deepEqual(
    error.cycle.map((s) => [s.thread.name, s.resource.name, s.kind]),
    [
      ['bob', 'A', 'mutex'],
      ['alice', 'B', 'mutex'],
    ],
    'first step: the thread that closed the cycle',
  );
  t.is(kernel.now(), 1);
  t.is(
    bob.waitOn,
    a,
    'in fail mode the closing wait still happens: the state is kept for inspection',
  );
  t.is(alice.waitOn, b);
  const r = error.report;
  t.is(r.kind, 'deadlock');
  t.is(r.seed, 42);
  t.is(r.step, kernel.steps);
  t.deepEqual(
    r.threads.map((x) => x.name),
    ['bob', 'alice'],
  );
  t.deepEqual(
    r.threads[0]!.holds.map((h) => h.name),
    ['B'],
  );
  t.is(r.threads[0]!.waits!.resource!.name, 'A');
  t.deepEqual(
    r.threads[0]!.waits!.owners.map((o) => o.name),
    ['alice'],
  );
  t.is(error.message, formatReport(r), 'the message is the text report');
  t.deepEqual(detectionReports(kernel), [r]);
});

test("cycles 'error': the closing thread gets EDEADLK at its yield* and is not queued; it can back off", async (t) => {
  const kernel = new Kernel({ detection: { cycles: 'error', lockOrder: 'off' } });
  const a = new Mutex('A');
  const b = new Mutex('B');
  const events: string[] = [];
  kernel.spawn(function* alice() {
    yield* a.lock();
    yield* sleep(1);
    yield* b.lock();
    events.push('alice has both');
    b.unlock();
    a.unlock();
  });
  kernel.spawn(function* bob() {
    yield* b.lock();
    yield* sleep(1);
    try {
      yield* a.lock();
      a.unlock();
    } catch (error) {
      events.push(
        `bob: ${(error as DeadlockError).code}, queued: ${a.waiters.length}, waits: ${String(kernel.current?.waitKind)}`,
      );
      t.true(error instanceof DeadlockError);
      t.true((error as DeadlockError).report.notes[0]!.includes('refused'));
    }
    b.unlock(); // backing off lets alice through
  });
  await kernel.run();
  t.deepEqual(events, ['bob: EDEADLK, queued: 0, waits: null', 'alice has both']);
});

test("cycles 'warn': the report is kept and the run goes on (here: to a stall)", async (t) => {
  const { kernel } = abba({ cycles: 'warn', lockOrder: 'off' });
  const error = await t.throwsAsync(kernel.run(), { instanceOf: StallError });
  const reports = detectionReports(kernel);
  t.is(reports.length, 1);
  t.is(reports[0]!.kind, 'deadlock');
  t.is(kernel.warnings.length, 1);
  t.regex(
    kernel.warnings[0]!,
    /^DEADLOCK: wait-for cycle of 2 thread\(s\): bob#2 -\[mutex "A"\]-> alice#1 -\[mutex "B"\]-> bob#2$/,
  );
  t.is(error.report.cycles.length, 1, 'the stall report finds the same cycle in the graph');
});

test("cycles 'off' and detection: false install no hook; the stall report still shows the cycle", async (t) => {
  const { kernel } = abba(false);
  t.is(kernel.hooks.beforeBlock, undefined);
  t.is(kernel.hooks.beforeLock, undefined);
  const error = await t.throwsAsync(kernel.run(), { instanceOf: StallError });
  t.is(error.code, 'ESTALL');
  t.deepEqual(
    error.report.cycles[0]!.map((s) => s.thread.name),
    ['alice', 'bob'],
  );
  t.deepEqual(detectionReports(kernel), []);
});

test('defaults: cycles fail; lock order fail under ava (NODE_ENV=test), else off; env overrides; explicit wins', (t) => {
  t.is(process.env.NODE_ENV, 'test');
  t.deepEqual(
    { ...resolveDetection(undefined), lockClass: null },
    { cycles: 'fail', lockOrder: 'fail', lockClass: null, backtraces: true },
  );
  const kernel = new Kernel();
  t.is(detectionSettings(kernel).cycles, 'fail');
  t.is(detectionSettings(kernel).lockOrder, 'fail');
  t.is(typeof kernel.hooks.beforeBlock, 'function');
  t.is(typeof kernel.hooks.beforeLock, 'function');
  const saved = {
    node: process.env.NODE_ENV,
    dl: process.env.GREENKERNEL_DEADLOCK,
    ld: process.env.GREENKERNEL_LOCKDEP,
  };
  try {
    process.env.NODE_ENV = 'production';
    t.is(resolveDetection({}).lockOrder, 'off');
    process.env.GREENKERNEL_LOCKDEP = 'warn';
    process.env.GREENKERNEL_DEADLOCK = 'error';
    t.is(resolveDetection({}).lockOrder, 'warn');
    t.is(resolveDetection({}).cycles, 'error');
    t.is(
      resolveDetection({ cycles: 'off', lockOrder: 'fail' }).cycles,
      'off',
      'explicit options win',
    );
    t.is(resolveDetection(false).lockOrder, 'off');
  } finally {
    for (const [key, value] of [
      ['NODE_ENV', saved.node],
      ['GREENKERNEL_DEADLOCK', saved.dl],
      ['GREENKERNEL_LOCKDEP', saved.ld],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  t.throws(() => resolveDetection({ cycles: 'loud' as never }), { code: 'EINVAL' });
});

test('attachDetection switches an existing kernel, keeping earlier reports', async (t) => {
  const { kernel } = abba(false);
  attachDetection(kernel, { cycles: 'fail', lockOrder: 'off' });
  t.is(typeof kernel.hooks.beforeBlock, 'function');
  t.is(kernel.hooks.beforeLock, undefined);
  await t.throwsAsync(kernel.run(), { instanceOf: DeadlockError });
  attachDetection(kernel, false);
  t.is(kernel.hooks.beforeBlock, undefined);
  t.is(kernel.hooks.beforeLock, undefined);
});

test('a join cycle (the parent holds the lock its child needs) is reported', async (t) => {
  const kernel = new Kernel({ detection: { cycles: 'fail', lockOrder: 'off' } });
  const m = new Mutex('sb');
  kernel.spawn(function* parent() {
    yield* m.lock();
    const child = kernel.spawn(function* child() {
      yield* m.lock();
    });
    yield* child.join();
  });
  const error = await t.throwsAsync(kernel.run(), { instanceOf: DeadlockError });
  t.deepEqual(
    error.cycle.map((s) => `${s.thread.name} ${s.kind} ${s.resource.name}`),
    ['child mutex sb', 'parent join child'],
  );
});

test('locking against myself stays WouldDeadlockError (the core refuses it before any hook)', async (t) => {
  const kernel = new Kernel({ detection: { cycles: 'fail', lockOrder: 'fail' } });
  const m = new Mutex('m');
  let caught: unknown;
  kernel.spawn(function* twice() {
    yield* m.lock();
    try {
      yield* m.lock();
    } catch (error) {
      caught = error;
    }
    m.unlock();
  });
  await kernel.run();
  t.true(caught instanceof WouldDeadlockError);
  t.false(caught instanceof DeadlockError);
  t.deepEqual(detectionReports(kernel), []);
});

test('the deadlock report has the blocked function and this file in its backtraces', async (t) => {
  const { kernel } = abba({ cycles: 'fail', lockOrder: 'off' });
  const error = await t.throwsAsync(kernel.run(), { instanceOf: DeadlockError });
  const source = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const markLine = source.findIndex((l) => l.includes('// MARK: second-lock')) + 1;
  for (const thread of error.report.threads) {
    const top = thread.backtrace[0]!;
    t.is(top.fn, 'lockBoth', `${thread.name}: innermost frame`);
    t.true(top.file!.endsWith('spec/detect/deadlock.test.ts'));
    t.is(
      top.line,
      markLine,
      `${thread.name} (${thread.state}) is at the exact .ts line of its blocking call`,
    );
    t.is(thread.backtrace[1]!.fn, thread.name, 'then the thread body');
  }
  t.regex(error.message, /lockBoth\(\)\n\s+spec\/detect\/deadlock\.test\.ts:\d+/);
});

test('a cycle closed by a condvar signal (its waiter moved onto a held mutex) is reported when the signal closes it', async (t) => {
  const kernel = new Kernel({ name: 'morph', detection: { cycles: 'fail', lockOrder: 'off' } });
  const L = new Mutex('L');
  const M = new Mutex('M');
  const cv = new CondVar('ready');
  let signalled = false;
  kernel.spawn(function* waiter() {
    yield* L.lock();
    yield* M.lock();
    yield* cv.wait(M); // releases M, keeps L
  });
  kernel.spawn(function* taker() {
    yield* M.lock();
    yield* L.lock(); // owner `waiter` waits on an ownerless condvar: no cycle yet
  });
  kernel.spawn(function* signaller() {
    cv.signal(); // `waiter` now waits for M, held by `taker`, which waits for L, held by `waiter`
    signalled = true;
  });
  const error = await t.throwsAsync(kernel.run(), { instanceOf: DeadlockError });
  t.true(signalled);
  t.deepEqual(error.cycle.map((s) => `${s.thread.name} ${s.kind} ${s.resource.name}`).sort(), [
    'taker mutex L',
    'waiter mutex M',
  ]);
});

test('a cycle closed by declaring a completion holder after its waiter queued is reported at once', async (t) => {
  const kernel = new Kernel({
    name: 'late-holder',
    detection: { cycles: 'fail', lockOrder: 'off' },
  });
  const lock = new Mutex('dev.lock');
  const io = new Completion<void>('io');
  const user = kernel.spawn(function* user() {
    yield* lock.lock();
    yield* io.wait(); // holds dev.lock across the wait: the bug
  });
  kernel.spawn(function* irq() {
    yield* lock.lock(); // waits for `user`, which waits on a completion with no holder yet
  });
  kernel.spawn(function* driver() {
    const irqThread = kernel.threads.find((x) => x.name === 'irq')!;
    io.declareHolder(irqThread); // now user → io (irq) → dev.lock (user): a cycle
  });
  const error = await t.throwsAsync(kernel.run(), { instanceOf: DeadlockError });
  t.true(error.cycle.some((s) => s.thread === user));
  t.true(error.cycle.some((s) => s.resource === io));
});

test("with lockOrder 'fail', an AB-BA that really deadlocks is reported as the deadlock it is, with its cycle", async (t) => {
  const { kernel } = abba({ cycles: 'fail', lockOrder: 'fail' });
  const error = await t.throwsAsync(kernel.run());
  t.true(error instanceof DeadlockError, `expected DeadlockError, got ${String(error)}`);
  const e = error as DeadlockError;
  t.is(e.code, 'EDEADLK');
  t.is(e.report.cycles[0]!.length, 2);
  t.deepEqual(
    e.report.lockOrder?.classes,
    ['mutex B', 'mutex A', 'mutex B'],
    'the lock-order finding rides along',
  );
  t.notRegex(e.message, /no deadlock happened/);
  t.notRegex(e.message, / took /, 'nobody took the lock it waits for');
  t.regex(e.message, /bob#2 asked for mutex A while holding mutex B/);
  t.regex(e.message, /this lock-order inversion is the deadlock above/);
});

test("with lockOrder 'fail', an inversion that does not deadlock says so, and what was only asked for", async (t) => {
  const k = new Kernel({ detection: { cycles: 'fail', lockOrder: 'fail' } });
  const a = new Mutex('A');
  const b = new Mutex('B');
  k.spawn(function* first() {
    yield* lockBoth(a, b);
    yield* lockBoth(b, a);
  });
  const error = await t.throwsAsync(k.run());
  t.is((error as Error).name, 'LockOrderError');
  t.regex((error as Error).message, /first#1 asked for mutex A while holding mutex B/);
  t.regex((error as Error).message, /no deadlock happened in this run so far/);
});
