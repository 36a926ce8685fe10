import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  Kernel,
  LockOrderError,
  MAX_DETECTION_REPORTS,
  MAX_LOCK_ORDER_EDGES,
  Mutex,
  RWLock,
  attachDetection,
  detectionReports,
  sleep,
  type LockOrderMode,
  type LockOrderReport,
  type Waitable,
} from '../../lib/index.ts';
import {
  LockValidator,
  classBySite,
  lockSitesRecorded,
  recordLockSites,
  detectorOf,
} from '../../lib/debug.ts';

function kernel(lockOrder: LockOrderMode, lockClass?: (l: Waitable) => string) {
  return new Kernel({
    name: 'lockdep',
    detection: { cycles: 'fail', lockOrder, ...(lockClass ? { lockClass } : {}) },
  });
}

function* nest(outer: Mutex, inner: Mutex) {
  yield* outer.lock();
  yield* inner.lock(); // MARK: inner-lock
  inner.unlock();
  outer.unlock();
}

test('AB then, much later, BA: reported in a run that never deadlocks (warn keeps going)', async (t) => {
  const k = kernel('warn');
  const a = new Mutex('A');
  const b = new Mutex('B');
  k.spawn(function* first() {
    yield* nest(a, b);
  });
  k.spawn(function* second() {
    yield* sleep(10);
    yield* nest(b, a);
  });
  await k.run();
  const reports = detectionReports(k);
  t.is(reports.length, 1);
  const r = reports[0]!;
  t.is(r.kind, 'lock-order');
  t.deepEqual(r.lockOrder!.classes, ['mutex B', 'mutex A', 'mutex B']);
  const [fresh, known] = r.lockOrder!.edges as [
    LockOrderReport['edges'][0],
    LockOrderReport['edges'][0],
  ];
  t.like(fresh, {
    from: 'mutex B',
    to: 'mutex A',
    thread: { name: 'second' },
    time: 10,
    held: ['mutex B'],
  });
  t.like(known, {
    from: 'mutex A',
    to: 'mutex B',
    thread: { name: 'first' },
    time: 0,
    held: ['mutex A'],
  });
  t.deepEqual(
    fresh.backtrace.map((f) => f.fn),
    ['nest', 'second'],
    'the running thread is read from the JS stack, which also shows plain yield* delegation',
  );
  t.true(fresh.backtrace[0]!.file!.endsWith('spec/detect/lockdep.test.ts'));
  const source = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  t.is(fresh.backtrace[0]!.line, source.findIndex((l) => l.includes('// MARK: inner-lock')) + 1);
  t.is(k.warnings.length, 1);
  t.regex(k.warnings[0]!, /LOCK ORDER INVERSION.*second#2 asked for mutex A while holding mutex B/);
});

test("lockOrder 'fail' makes run() reject with LockOrderError (EDEADLK)", async (t) => {
  const k = kernel('fail');
  const a = new Mutex('A');
  const b = new Mutex('B');
  k.spawn(function* first() {
    yield* nest(a, b);
    yield* nest(b, a);
  });
  const error = await t.throwsAsync(k.run(), { instanceOf: LockOrderError });
  t.is(error.code, 'EDEADLK');
  t.regex(error.message, /lock classes: mutex B -> mutex A -> mutex B/);
  t.regex(error.message, /no deadlock happened in this run/);
});

test('a cycle of three classes is found when its last edge appears', async (t) => {
  const k = kernel('warn');
  const [a, b, c] = ['A', 'B', 'C'].map((n) => new Mutex(n)) as [Mutex, Mutex, Mutex];
  k.spawn(function* x() {
    yield* nest(a, b);
    yield* nest(b, c);
    t.is(detectionReports(k).length, 0, 'A->B, B->C is consistent');
    yield* nest(c, a);
  });
  await k.run();
  t.deepEqual(detectionReports(k)[0]!.lockOrder!.classes, [
    'mutex C',
    'mutex A',
    'mutex B',
    'mutex C',
  ]);
});

test('a consistent order is never reported, and each unique chain is validated once', async (t) => {
  const k = kernel('fail');
  const a = new Mutex('A');
  const b = new Mutex('B');
  const c = new Mutex('C');
  for (let i = 0; i < 3; i++) {
    k.spawn(function* worker() {
      for (let j = 0; j < 50; j++) {
        yield* a.lock();
        yield* b.lock();
        yield* c.lock();
        yield;
        c.unlock();
        b.unlock();
        a.unlock();
      }
    });
  }
  await k.run();
  const v = detectorOf(k)!.validator!;
  t.is(v.chainsValidated, 2, 'chains (A,B) and (A,B,C), once each');
  t.deepEqual(
    v
      .edges()
      .map((e) => `${e.from} -> ${e.to}`)
      .sort(),
    ['mutex A -> mutex B', 'mutex A -> mutex C', 'mutex B -> mutex C'],
  );
  t.deepEqual(detectionReports(k), []);
});

test('trylock adds no edge into the lock tried; a same-class nesting adds none either', async (t) => {
  const k = kernel('fail');
  const a = new Mutex('A');
  const b = new Mutex('B');
  const a2 = new Mutex('A');
  k.spawn(function* x() {
    yield* a.lock();
    t.true(b.tryLock());
    b.unlock();
    yield* a2.lock(); // same class as a (same name)
    a2.unlock();
    a.unlock();
    yield* b.lock();
    yield* a.lock(); // B -> A: no inversion, the A -> B was a trylock
    a.unlock();
    b.unlock();
  });
  await k.run();
  t.deepEqual(
    detectorOf(k)!
      .validator!.edges()
      .map((e) => `${e.from} -> ${e.to}`),
    ['mutex B -> mutex A'],
  );
});

test('lock classes by a custom key: every inode lock is one class', async (t) => {
  const k = kernel('warn', (l) => `${l.resourceKind} ${l.name.replace(/\s*\d+$/, '')}`);
  k.spawn(function* x() {
    yield* nest(new Mutex('inode 1'), new Mutex('buf 1'));
    yield* nest(new Mutex('buf 2'), new Mutex('inode 2'));
  });
  await k.run();
  t.deepEqual(detectionReports(k)[0]!.lockOrder!.classes, [
    'mutex buf',
    'mutex inode',
    'mutex buf',
  ]);
});

test('rwlocks take part: read A then B, and B then write A, is an inversion', async (t) => {
  const k = kernel('warn');
  const rw = new RWLock('table');
  const m = new Mutex('entry');
  k.spawn(function* reader() {
    yield* rw.readLock();
    yield* m.lock();
    m.unlock();
    rw.unlock();
  });
  k.spawn(function* writer() {
    yield* sleep(1);
    yield* m.lock();
    yield* rw.writeLock();
    rw.unlock();
    m.unlock();
  });
  await k.run();
  t.deepEqual(detectionReports(k)[0]!.lockOrder!.classes, [
    'mutex entry',
    'rwlock table',
    'mutex entry',
  ]);
});

test('LockValidator on its own: onInversion gets each inversion once', (t) => {
  const seen: string[][] = [];
  const v = new LockValidator({ onInversion: (inv) => seen.push([...inv.classes]) });
  const k = new Kernel({ detection: false });
  k.hooks.beforeLock = v.check;
  const a = new Mutex('A');
  const b = new Mutex('B');
  k.spawn(function* x() {
    for (let i = 0; i < 3; i++) {
      yield* nest(a, b);
      yield* nest(b, a);
    }
  });
  k.runSync();
  t.deepEqual(seen, [['mutex B', 'mutex A', 'mutex B']]);
  t.is(v.classOf(a).key, 'mutex A');
  t.is(v.inversions.length, 1);
});

// Serial: site recording is process-wide state.
test.serial(
  "lockClass 'site': locks created at one line are one class whatever their names; other lines are other classes",
  async (t) => {
    const kernel = new Kernel({
      detection: { cycles: 'off', lockOrder: 'warn', lockClass: 'site' },
    });
    const make = (name: string): Mutex => new Mutex(name); // one creation site for every lock it makes
    const a = make('a');
    const b = make('b');
    const elsewhere = new Mutex('a'); // same name as `a`, another line
    t.regex(classBySite(a), /^mutex @ spec\/detect\/lockdep\.test\.ts:\d+$/);
    t.is(classBySite(a), classBySite(b));
    t.not(classBySite(a), classBySite(elsewhere));
    kernel.spawn(function* nested() {
      // a then b: one class taken while holding itself adds no edge (as lockdep's same-class rule).
      yield* a.lock();
      yield* b.lock();
      b.unlock();
      a.unlock();
      // elsewhere then a, a then elsewhere: an inversion between two site classes.
      yield* elsewhere.lock();
      yield* a.lock();
      a.unlock();
      elsewhere.unlock();
      yield* a.lock();
      yield* elsewhere.lock();
      elsewhere.unlock();
      a.unlock();
    });
    await kernel.run();
    const reports = detectionReports(kernel).filter((r) => r.kind === 'lock-order');
    t.is(reports.length, 1);
    t.true(
      reports[0]!.lockOrder!.classes.every((c) =>
        c.startsWith('mutex @ spec/detect/lockdep.test.ts:'),
      ),
    );
    attachDetection(kernel, false); // the only kernel that wanted sites lets go
    t.is(
      classBySite(new Mutex('late')),
      'mutex late',
      'a lock created while sites are not recorded is classed by name',
    );
  },
);

// Serial: site recording is process-wide state.
test.serial(
  "lockClass 'site' in one kernel does not make lock creation costly for good: recording stops when no kernel needs it",
  (t) => {
    t.false(lockSitesRecorded(), 'off until a kernel asks');
    const plain = new Kernel({ detection: { lockOrder: 'warn' } });
    t.false(lockSitesRecorded(), 'a kernel classing by name records nothing');
    const a = new Kernel({ detection: { lockOrder: 'warn', lockClass: 'site' } });
    const b = new Kernel({ detection: { lockOrder: 'warn', lockClass: 'site' } });
    t.true(lockSitesRecorded());
    t.regex(classBySite(new Mutex('x')), / @ spec\/detect\/lockdep\.test\.ts:\d+$/);
    attachDetection(a, { lockOrder: 'warn' }); // a changes its mind; b still wants sites
    t.true(lockSitesRecorded());
    attachDetection(b, false);
    t.false(lockSitesRecorded());
    t.is(classBySite(new Mutex('y')), 'mutex y');
    const stop = recordLockSites();
    t.true(lockSitesRecorded());
    stop();
    stop(); // idempotent
    t.false(lockSitesRecorded());
    void plain;
  },
);

// Serial: site recording is process-wide state.
test.serial(
  "a kernel with lockClass 'site' that is garbage-collected stops the recording",
  async (t) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    (() => {
      new Kernel({ detection: { lockOrder: 'warn', lockClass: 'site' } });
    })();
    t.true(lockSitesRecorded());
    for (let i = 0; i < 50 && lockSitesRecorded(); i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    t.false(lockSitesRecorded());
  },
);

test('a lock-order table that fills switches validation off with a warning, instead of growing without limit', (t) => {
  const k = new Kernel({ detection: { cycles: 'off', lockOrder: 'fail', backtraces: false } });
  // 260 classes, always taken in index order: 260 * 259 / 2 = 33,670 distinct (consistent) edges.
  const locks = Array.from({ length: 260 }, (_, i) => new Mutex(`m${i}`));
  k.spawn(function* many() {
    for (let i = 0; i < locks.length; i++) {
      yield* locks[i]!.lock();
      for (let j = i + 1; j < locks.length; j++) {
        yield* locks[j]!.lock();
        locks[j]!.unlock();
      }
      locks[i]!.unlock();
    }
  });
  k.runSync();
  const v = detectorOf(k)!.validator!;
  t.regex(v.stopped ?? '', /more than 32768 lock-order edges \(MAX_LOCK_ORDER_EDGES\)/);
  t.true(k.warnings.some((w) => w.includes('lock-order validation switched off')));
  t.is(k.hooks.beforeLock, undefined, 'the hook is gone: no cost from now on');
  t.is(v.edges().length, MAX_LOCK_ORDER_EDGES);
});

test('the class and chain tables are bounded too (small limits to show it)', (t) => {
  const make = (limits: { maxClasses?: number; maxChains?: number }) => {
    const messages: string[] = [];
    const v = new LockValidator({
      ...limits,
      onInversion: () => {},
      onFull: (m) => messages.push(m),
    });
    const k = new Kernel({ detection: false });
    k.hooks.beforeLock = v.check;
    k.spawn(function* lots() {
      const a = new Mutex('a');
      const b = new Mutex('b');
      yield* a.lock();
      yield* b.lock();
      for (let i = 0; i < 30; i++) {
        const m = new Mutex(`c${i}`);
        yield* m.lock();
        m.unlock();
      }
      b.unlock();
      a.unlock();
    });
    k.runSync();
    return { v, messages };
  };
  const classes = make({ maxClasses: 10 });
  t.regex(classes.v.stopped ?? '', /more than 10 lock classes/);
  t.is(classes.messages.length, 1, 'said once');
  const chains = make({ maxChains: 5 });
  t.regex(chains.v.stopped ?? '', /more than 5 lock chains/);
});

test('detection reports are bounded: past MAX_DETECTION_REPORTS they are counted, not kept', (t) => {
  const k = new Kernel({ detection: { cycles: 'off', lockOrder: 'warn', backtraces: false } });
  const n = MAX_DETECTION_REPORTS + 7;
  k.spawn(function* inversions() {
    for (let i = 0; i < n; i++) {
      const a = new Mutex(`a${i}`);
      const b = new Mutex(`b${i}`);
      yield* nest(a, b);
      yield* nest(b, a);
    }
  });
  k.runSync();
  t.is(detectionReports(k).length, MAX_DETECTION_REPORTS);
  t.is(detectorOf(k)!.reportsDropped, 7);
});

// Nesting levels (Linux mutex_lock_nested): blocks of one lock class, taken in ascending
// block order, the n-th at level n.
function* lockInOrder(...blocks: { m: Mutex; level: number }[]) {
  for (const { m, level } of blocks) yield* m.lockNested(level);
  for (const { m } of blocks.reverse()) m.unlock();
}

test('lockNested: blocks of one class nested in the defined order are not reported', async (t) => {
  const k = kernel('fail');
  const [a, b, c] = [new Mutex('block'), new Mutex('block'), new Mutex('block')];
  k.spawn(function* one() {
    yield* lockInOrder({ m: a, level: 0 }, { m: b, level: 1 });
  });
  k.spawn(function* two() {
    yield* sleep(5);
    yield* lockInOrder({ m: b, level: 0 }, { m: c, level: 1 }, { m: a, level: 2 });
  });
  await k.run();
  t.is(detectionReports(k).length, 0);
  const edges = detectorOf(k)!
    .validator!.edges()
    .map((e) => `${e.from} -> ${e.to}`);
  t.deepEqual(edges, [
    'mutex block -> mutex block/1',
    'mutex block -> mutex block/2',
    'mutex block/1 -> mutex block/2',
  ]);
});

test('lockNested: an AB-BA between two blocks of one class is still found', async (t) => {
  const k = kernel('warn');
  const a = new Mutex('block');
  const b = new Mutex('block');
  k.spawn(function* inOrder() {
    yield* lockInOrder({ m: a, level: 0 }, { m: b, level: 1 });
  });
  k.spawn(function* backwards() {
    yield* sleep(5);
    // b ranks after a in the defined order, so it is level 1 however it is reached.
    yield* lockInOrder({ m: b, level: 1 }, { m: a, level: 0 });
  });
  await k.run();
  const reports = detectionReports(k);
  t.is(reports.length, 1);
  t.deepEqual(reports[0]!.lockOrder!.classes, ['mutex block/1', 'mutex block', 'mutex block/1']);
  t.like(reports[0]!.lockOrder!.edges[0], { thread: { name: 'backwards' } });
});

test('lockNested: a waiter handed the mutex holds it at its declared level', async (t) => {
  const k = kernel('fail');
  const outer = new Mutex('block');
  const inner = new Mutex('block');
  const levels: number[] = [];
  k.spawn(function* holder() {
    yield* inner.lock();
    yield* sleep(5);
    inner.unlock();
  });
  k.spawn(function* nester() {
    yield* outer.lockNested(0);
    yield* inner.lockNested(1); // waits: handed over at time 5
    levels.push(inner.lockSubclass, outer.lockSubclass);
    inner.unlock();
    outer.unlock();
    t.throws(() => outer.lockNested(8), { message: /subclass must be an integer in \[0, 8\)/ });
    t.false(outer.locked, 'a refused lockNested changes nothing');
  });
  await k.run();
  t.deepEqual(levels, [1, 0]);
  t.is(detectionReports(k).length, 0);
});
