import test from 'ava';
import {
  CondVar,
  Completion,
  DeadlockError,
  Kernel,
  Mutex,
  Semaphore,
  StallError,
  call,
  formatReport,
  reportToDot,
  sleep,
  tsleep,
  type Report,
} from '../../lib/index.ts';
import { buildReport, summarize, waitGraphDot } from '../../lib/debug.ts';

const quiet = { cycles: 'off', lockOrder: 'off' } as const;

test('kernel.dump() from inside a thread lists every live thread: running, runnable and blocked', (t) => {
  const k = new Kernel({ name: 'dumper', seed: 9, detection: quiet });
  const m = new Mutex('m');
  let dump = '';
  k.spawn(function* holder() {
    yield* m.lock();
    yield* sleep(5);
    m.unlock();
  });
  k.spawn(function* waiter() {
    yield* m.lock();
    m.unlock();
  });
  k.spawn(
    function* reporter() {
      yield* sleep(1);
      dump = k.dump();
    },
    { kind: 'kernel', priority: 3 },
  );
  k.spawn(function* idler() {
    yield* sleep(1);
  });
  k.runSync();
  t.regex(dump, /^THREAD DUMP: 4 live thread\(s\)\nkernel "dumper", seed 9, step \d+, time 1 ms/);
  t.regex(
    dump,
    /thread holder#1 \[user, prio 0, blocked on sleep, 1 ms, timed\]:\n  waits \(sleep\) since 0 ms\n  holds mutex "m"\n  holder\(\)\n  \tspec\/report\/report\.test\.ts:\d+:\d+/,
  );
  t.regex(
    dump,
    /thread waiter#2 \[user, prio 0, blocked on mutex, 1 ms\]:\n  waits for mutex "m" held by holder#1 since 0 ms\n  waiter\(\)/,
  );
  t.regex(
    dump,
    /thread reporter#3 \[kernel, prio 3, running\]:\n  reporter\(\)\n  \tspec\/report\/report\.test\.ts:\d+/,
  );
  t.regex(dump, /thread idler#4 \[user, prio 0, runnable\]:\n  idler\(\)/);
});

test('stall hints say why each ownerless or orphaned wait can never end', (t) => {
  const k = new Kernel({ detection: quiet });
  const sem = new Semaphore(0, 'slots');
  const cv = new CondVar('ready');
  const cm = new Mutex('cm');
  const io = new Completion('io');
  const orphan = new Mutex('orphan');
  k.spawn(function* onSemaphore() {
    yield* sem.down();
  });
  k.spawn(function* onCondvar() {
    yield* cm.lock();
    yield* cv.wait(cm);
  });
  k.spawn(function* onChannel() {
    yield* tsleep('buffer-free');
  });
  k.spawn(function* onCompletion() {
    yield* io.wait();
  });
  k.spawn(function* leaver() {
    yield* orphan.lock(); // exits holding it
  });
  k.spawn(function* onOrphan() {
    yield;
    yield* orphan.lock();
  });
  const error = t.throws(() => k.runSync(), { instanceOf: StallError });
  const hints = Object.fromEntries(error.report.threads.map((x) => [x.name, x.waits?.hint]));
  t.regex(hints.onSemaphore!, /semaphore exhausted \(count 0\)/);
  t.regex(hints.onCondvar!, /lost wakeup\? a condvar has no owner/);
  t.regex(hints.onChannel!, /lost wakeup\? no thread is left to wakeup\(\)/);
  t.regex(hints.onCompletion!, /never completed, and no holder was declared/);
  t.regex(hints.onOrphan!, /held by leaver#5, which exited without releasing it/);
  t.is(error.report.threads.length, 5, 'every blocked thread, nothing else');
  t.is(error.report.kind, 'stall');
  t.regex(
    error.message,
    /^STALL: 5 thread\(s\) blocked, nothing runnable, no timer, no host call in flight, no host source open\n/,
  );
  t.true(k.warnings.some((w) => w.includes('leaver#5 exited holding mutex orphan')));
});

function deadlockReport(seed: number): Report {
  const k = new Kernel({
    name: 'det',
    seed,
    policy: 'random',
    detection: { cycles: 'fail', lockOrder: 'off' },
  });
  const locks = [0, 1, 2].map((i) => new Mutex(`L${i}`));
  for (let i = 0; i < 3; i++) {
    k.spawn(
      function* worker() {
        for (let j = 0; j < 5; j++) {
          yield* locks[i]!.lock();
          yield* sleep(1);
          yield* locks[(i + 1) % 3]!.lock();
          locks[(i + 1) % 3]!.unlock();
          locks[i]!.unlock();
        }
      },
      { name: `w${i}` },
    );
  }
  try {
    k.runSync();
  } catch (error) {
    if (error instanceof DeadlockError) return error.report;
    throw error;
  }
  throw new Error('no deadlock');
}

test('same seed, same report (text and JSON); the JSON is plain data', (t) => {
  const a = deadlockReport(5);
  const b = deadlockReport(5);
  t.is(formatReport(a), formatReport(b));
  t.is(JSON.stringify(a), JSON.stringify(b));
  t.deepEqual(JSON.parse(JSON.stringify(a)), a, 'round-trips through JSON unchanged');
  t.is(a.seed, 5);
  t.is(a.cycles[0]!.length, 3);
});

test('DOT: threads as ellipses, resources as boxes, the cycle in red', (t) => {
  const r = deadlockReport(1);
  const dot = reportToDot(r);
  t.regex(dot, /^digraph "det wait-for graph" \{/);
  t.regex(dot, /t1 \[shape=ellipse, label="w0#1\\nuser prio 0\\n(blocked|blocking)"\];/);
  t.regex(dot, /r\d+ \[shape=box, label="mutex\\nL0"\];/);
  t.is((dot.match(/, color=red/g) ?? []).length, 6, 'three waits and three holds');
  t.true(dot.trimEnd().endsWith('}'));
});

test('waitGraphDot and buildReport without backtraces', (t) => {
  const k = new Kernel({ detection: { ...quiet, backtraces: false } });
  const m = new Mutex('m');
  k.spawn(function* a() {
    yield* m.lock();
    yield* sleep(1);
    m.unlock();
  });
  k.spawn(function* b() {
    yield* call(function* inner() {
      yield* m.lock();
      m.unlock();
    });
  });
  k.runUntilIdle();
  const r = buildReport(k, { kind: 'dump' });
  t.is(r.backtraces, 'off');
  t.true(r.threads.every((x) => x.backtrace.length === 0));
  const dot = waitGraphDot(k);
  t.regex(dot, /t2 -> r0 \[label="waits \(mutex\)"\];/);
  t.regex(dot, /r0 -> t1 \[label="held by"\];/);
  k.runSync();
});

test('summarize gives one line per report', (t) => {
  t.regex(
    summarize(deadlockReport(2)),
    /^DEADLOCK: wait-for cycle of 3 thread\(s\): (w\d#\d -\[mutex "L\d"\]-> ){3}w\d#\d$/,
  );
});
